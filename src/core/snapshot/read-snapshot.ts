// Read and validate a snapshot directory (see paths.ts for the layout). Used by the site's content
// loaders at build time and by anything else that needs the published data without a database.
// A missing directory or manifest is "no snapshot yet" and yields an empty result; a file that exists
// but does not match the schema throws a SnapshotFormatError naming the file and the offending paths.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { formatJsonPath } from '../errors.ts';
import { authorsPath, diffPath, lorasPath, manifestPath, modelsPath, parseWorkChunkFileName, worksDirPath } from './paths.ts';
import {
  snapshotAuthorsSchema,
  snapshotDiffSchema,
  snapshotLorasSchema,
  snapshotManifestSchema,
  snapshotModelsSchema,
  snapshotWorkChunkSchema,
  type SnapshotModel,
  type SnapshotAuthorEntry,
  type SnapshotDiff,
  type SnapshotLora,
  type SnapshotManifest,
  type SnapshotWork,
} from './schema.ts';

export interface SnapshotIssue {
  /** Where in the file, e.g. `[3].images[0].width`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** A snapshot file exists but cannot be used (bad JSON, schema mismatch, duplicate ids). Never retried: fix the writer. */
export class SnapshotFormatError extends Error {
  readonly file: string;
  readonly issues: SnapshotIssue[];
  constructor(file: string, issues: SnapshotIssue[], options: { cause?: unknown } = {}) {
    const shown = issues.slice(0, 10).map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
    const more = issues.length > 10 ? `; … and ${issues.length - 10} more` : '';
    super(`invalid snapshot file ${file}: ${shown.join('; ')}${more}`, options);
    this.name = 'SnapshotFormatError';
    this.file = file;
    this.issues = issues;
  }
}

/** The manifest, or null when the directory or manifest.json does not exist (no snapshot written yet). */
export async function readSnapshotManifest(snapshotDir: string): Promise<SnapshotManifest | null> {
  const file = manifestPath(snapshotDir);
  const json = await readJsonIfExists(file);
  if (json === undefined) return null;
  return validate(file, snapshotManifestSchema, json);
}

export interface SnapshotWorkChunk {
  file: string;
  chunk: number;
  works: SnapshotWork[];
}

/**
 * The works chunks in numeric order, one parsed file at a time (so a caller can stream 100k works).
 * Yields nothing when there is no manifest: the manifest is written last and marks a complete snapshot.
 * Throws SnapshotFormatError on a malformed chunk or a work id repeated across the snapshot.
 */
export async function* iterateSnapshotWorkChunks(snapshotDir: string): AsyncGenerator<SnapshotWorkChunk> {
  if (!(await readSnapshotManifest(snapshotDir))) return;
  const dir = worksDirPath(snapshotDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  const chunks = names
    .map((name) => ({ name, chunk: parseWorkChunkFileName(name) }))
    .filter((entry): entry is { name: string; chunk: number } => entry.chunk !== null)
    .sort((a, b) => a.chunk - b.chunk);

  const seen = new Map<string, string>();
  for (const { name, chunk } of chunks) {
    const file = path.join(dir, name);
    const json = await readJsonIfExists(file);
    if (json === undefined) continue; // removed between readdir and read: a concurrent writer, not our problem
    const works = validate(file, snapshotWorkChunkSchema, json);
    const duplicates: SnapshotIssue[] = [];
    works.forEach((work, index) => {
      const first = seen.get(work.id);
      if (first !== undefined) {
        duplicates.push({ path: `[${index}].id`, message: `duplicate work id "${work.id}" (first seen in ${first})` });
      } else {
        seen.set(work.id, name);
      }
    });
    if (duplicates.length > 0) throw new SnapshotFormatError(file, duplicates);
    yield { file, chunk, works };
  }
}

/** All works of the snapshot in chunk order; an empty array when there is no snapshot. */
export async function readSnapshotWorks(snapshotDir: string): Promise<SnapshotWork[]> {
  const works: SnapshotWork[] = [];
  for await (const chunk of iterateSnapshotWorkChunks(snapshotDir)) {
    for (const work of chunk.works) works.push(work);
  }
  return works;
}

/**
 * authors.json of a complete snapshot (empty when there is no snapshot). Throws SnapshotFormatError on a
 * malformed file or a repeated username.
 */
export async function readSnapshotAuthors(snapshotDir: string): Promise<SnapshotAuthorEntry[]> {
  if (!(await readSnapshotManifest(snapshotDir))) return [];
  const file = authorsPath(snapshotDir);
  const json = await readJsonIfExists(file);
  if (json === undefined) return [];
  const authors = validate(file, snapshotAuthorsSchema, json);
  assertUnique(file, authors.map((author) => author.username), 'username');
  return authors;
}

/** loras.json of a complete snapshot (empty when there is no snapshot or no LoRAs were ingested). */
export async function readSnapshotLoras(snapshotDir: string): Promise<SnapshotLora[]> {
  if (!(await readSnapshotManifest(snapshotDir))) return [];
  const file = lorasPath(snapshotDir);
  const json = await readJsonIfExists(file);
  if (json === undefined) return [];
  const loras = validate(file, snapshotLorasSchema, json);
  assertUnique(file, loras.map((lora) => lora.id), 'LoRA id');
  return loras;
}

/** models.json of a complete snapshot (empty for v2 snapshots, which have none). */
export async function readSnapshotModels(snapshotDir: string): Promise<SnapshotModel[]> {
  if (!(await readSnapshotManifest(snapshotDir))) return [];
  const file = modelsPath(snapshotDir);
  const json = await readJsonIfExists(file);
  if (json === undefined) return [];
  const models = validate(file, snapshotModelsSchema, json);
  assertUnique(file, models.map((model) => model.id), 'model id');
  return models;
}

/** diff.json, or null when the snapshot has none. */
export async function readSnapshotDiff(snapshotDir: string): Promise<SnapshotDiff | null> {
  const file = diffPath(snapshotDir);
  const json = await readJsonIfExists(file);
  if (json === undefined) return null;
  return validate(file, snapshotDiffSchema, json);
}

/**
 * Any JSON file validated against `schema` (history files, the analysis JSON): undefined when the file does
 * not exist, SnapshotFormatError naming the file and paths when it is not valid.
 */
export async function readValidatedJson<T extends z.ZodType>(file: string, schema: T): Promise<z.infer<T> | undefined> {
  const json = await readJsonIfExists(file);
  return json === undefined ? undefined : validate(file, schema, json);
}

function assertUnique(file: string, keys: readonly string[], what: string): void {
  const seen = new Set<string>();
  const issues: SnapshotIssue[] = [];
  keys.forEach((key, index) => {
    if (seen.has(key)) issues.push({ path: `[${index}]`, message: `duplicate ${what} "${key}"` });
    seen.add(key);
  });
  if (issues.length > 0) throw new SnapshotFormatError(file, issues);
}

async function readJsonIfExists(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SnapshotFormatError(file, [{ path: '', message: `not valid JSON (${(error as Error).message})` }], {
      cause: error,
    });
  }
}

function validate<T extends z.ZodType>(file: string, schema: T, json: unknown): z.infer<T> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  throw new SnapshotFormatError(
    file,
    result.error.issues.map((issue) => ({ path: formatIssuePath(issue.path, json), message: issue.message })),
  );
}

/** `[3].images[0].width`, with the work's id when the path starts in an array of objects that have one. */
function formatIssuePath(issuePath: readonly PropertyKey[], root?: unknown): string {
  let out = formatJsonPath(issuePath);
  const first = issuePath[0];
  if (typeof first === 'number' && Array.isArray(root)) {
    const item: unknown = root[first];
    if (item && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string') {
      out += ` (work id "${(item as { id: string }).id}")`;
    }
  }
  return out;
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
