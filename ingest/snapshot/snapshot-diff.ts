// diff.json: what changed since the previous snapshot. The previous snapshot is read one works chunk at a
// time and kept only as a hash per id (never its works), then every record written now is checked against
// that map as it goes out; what is left in the map at the end was removed.
//
// "Changed" means the record's JSON differs: the writer hashes the exact text it writes, and a record read
// back from an earlier file is hashed after JSON.parse + JSON.stringify, which gives the same text for
// anything JSON.stringify wrote. Ids in the report are the first 100 of each kind in file order (newest
// works first for added/changed, the previous snapshot's order for removed).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { lorasPath, parseWorkChunkFileName, worksDirPath } from '../../src/core/snapshot/paths.ts';
import { readSnapshotManifest } from '../../src/core/snapshot/read-snapshot.ts';
import { workSourceSchema, type SnapshotDiff, type WorkSource } from '../../src/core/snapshot/schema.ts';

/** Ids listed per kind in diff.json. */
const DIFF_ID_LIMIT = 100;

type SourceDiff = SnapshotDiff['loras'];
interface Hashed {
  source: WorkSource;
  hash: string;
}

export interface PreviousSnapshot {
  generatedAt: string | null;
  works: Map<string, Hashed>;
  loras: Map<string, Hashed>;
}

/** A short fingerprint of a record's JSON text (collisions are irrelevant at this scale: 2^-96). */
function recordHash(json: string): string {
  return createHash('sha1').update(json).digest('base64url').slice(0, 16);
}

function hashItems(items: unknown, into: Map<string, Hashed>): void {
  if (!Array.isArray(items)) return;
  for (const item of items) {
    const id = (item as { id?: unknown } | null)?.id;
    const source = workSourceSchema.safeParse((item as { source?: unknown }).source);
    if (typeof id !== 'string' || !source.success) continue;
    into.set(id, { source: source.data, hash: recordHash(JSON.stringify(item)) });
  }
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Hashes of the snapshot currently in `snapshotDir` (empty, generatedAt null, when there is none or its
 * manifest is unreadable: the new snapshot then counts as the first). Reads one chunk file at a time.
 */
export async function readPreviousSnapshot(snapshotDir: string): Promise<PreviousSnapshot> {
  const previous: PreviousSnapshot = { generatedAt: null, works: new Map(), loras: new Map() };
  const manifest = await readSnapshotManifest(snapshotDir).catch(() => null);
  if (!manifest) return previous;
  previous.generatedAt = manifest.generatedAt;
  const names = await readdir(worksDirPath(snapshotDir)).catch(() => [] as string[]);
  const chunks = names
    .map((name) => ({ name, chunk: parseWorkChunkFileName(name) }))
    .filter((entry): entry is { name: string; chunk: number } => entry.chunk !== null)
    .sort((a, b) => a.chunk - b.chunk);
  for (const { name } of chunks) hashItems(await readJson(path.join(worksDirPath(snapshotDir), name)), previous.works);
  hashItems(await readJson(lorasPath(snapshotDir)), previous.loras);
  return previous;
}

const emptyDiff = (): SourceDiff => ({ added: 0, removed: 0, changed: 0, addedIds: [], removedIds: [], changedIds: [] });

function note(diff: SourceDiff, kind: 'added' | 'removed' | 'changed', id: string): void {
  diff[kind] += 1;
  const ids = diff[`${kind}Ids`];
  if (ids.length < DIFF_ID_LIMIT) ids.push(id);
}

/** Compares records as they are written against the previous snapshot's hashes. */
export class SnapshotDiffer {
  readonly #previous: PreviousSnapshot;
  readonly #works = new Map<WorkSource, SourceDiff>();
  readonly #loras = emptyDiff();

  constructor(previous: PreviousSnapshot) {
    this.#previous = previous;
  }

  #source(source: WorkSource): SourceDiff {
    let diff = this.#works.get(source);
    if (!diff) this.#works.set(source, (diff = emptyDiff()));
    return diff;
  }

  #compare(seen: Map<string, Hashed>, diff: SourceDiff, id: string, json: string): void {
    const before = seen.get(id);
    if (!before) note(diff, 'added', id);
    else if (before.hash !== recordHash(json)) note(diff, 'changed', id);
    seen.delete(id);
  }

  /** A work as written now (its exact JSON text). */
  work(id: string, source: WorkSource, json: string): void {
    this.#compare(this.#previous.works, this.#source(source), id, json);
  }

  lora(id: string, json: string): void {
    this.#compare(this.#previous.loras, this.#loras, id, json);
  }

  /** The diff; call once, after every record was passed in. */
  finish(generatedAt: string): SnapshotDiff {
    for (const [id, { source }] of this.#previous.works) note(this.#source(source), 'removed', id);
    for (const id of this.#previous.loras.keys()) note(this.#loras, 'removed', id);
    const works: SnapshotDiff['works'] = {};
    for (const source of workSourceSchema.options) {
      const diff = this.#works.get(source);
      if (diff) works[source] = diff;
    }
    return { generatedAt, previousGeneratedAt: this.#previous.generatedAt, works, loras: this.#loras };
  }
}
