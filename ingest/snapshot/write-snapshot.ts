// Store → data/snapshot: the only thing the site build reads. Works are paged out of the database and
// written chunk by chunk (never all in memory), validated by the same zod schemas the site's content
// loaders use, into a fresh directory that replaces the old one only once it is complete.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from '../../src/lib/blob/blob-store.ts';
import { MANIFEST_FILE, WORKS_DIR, WORKS_PER_CHUNK, workChunkFileName } from '../../src/lib/snapshot/paths.ts';
import {
  SNAPSHOT_VERSION, snapshotManifestSchema, snapshotWorkSchema, type SnapshotManifest, type SnapshotWork, type WorkSource,
} from '../../src/lib/snapshot/schema.ts';
import { SOURCES } from '../../src/lib/store/enums.ts';
import type { Author, Store, Work } from '../../src/lib/store/store.ts';

const PAGE = 500;
/** The thumbnail the site's grids show (ingest makes 320 and 960 by default). */
const GRID_THUMB_WIDTH = '320';

export interface SnapshotResult {
  dir: string;
  works: number;
  chunks: number;
  manifest: SnapshotManifest;
}

async function toSnapshotWork(store: Store, blobs: BlobStore, work: Work, authors: Map<number, Author | null>): Promise<SnapshotWork> {
  let author: Author | null = null;
  if (work.authorId !== null) {
    if (!authors.has(work.authorId)) authors.set(work.authorId, await store.authors.get(work.authorId));
    author = authors.get(work.authorId) ?? null;
  }
  // A community work's author is the user who uploaded it.
  const owner = author === null && work.ownerUserId !== null ? await store.users.get(work.ownerUserId) : null;
  const images = (await store.images.listByWork(work.id)).filter((image) => image.status === 'OK' && image.blobKey);
  const models = await store.works.listModels(work.id);
  const positive = (n: number | null) => (n !== null && n > 0 ? n : null);
  return snapshotWorkSchema.parse({
    id: String(work.id),
    source: work.source,
    externalId: work.externalId,
    slug: work.slug,
    title: work.title,
    titleEn: work.titleEn,
    publishedAt: work.publishedAt?.toISOString() ?? null,
    author: author
      ? { id: `${author.source}:${author.externalId}`, username: authorUsername(author), name: author.name, avatarUrl: author.avatarUrl || null }
      : owner
        ? { id: `user:${owner.id}`, username: owner.username, name: owner.name, avatarUrl: owner.profilePic || null }
        : null,
    prompt: work.prompt,
    negativePrompt: work.negativePrompt,
    params: {
      sampler: work.sampler,
      steps: work.steps,
      cfgScale: work.cfgScale,
      width: positive(work.width),
      height: positive(work.height),
      seed: work.seed,
    },
    images: images.map((image) => {
      const thumb = image.thumbnails?.[GRID_THUMB_WIDTH] ?? Object.values(image.thumbnails ?? {})[0];
      return {
        index: image.imageIndex,
        url: blobs.publicUrl(image.blobKey!),
        thumbUrl: thumb ? blobs.publicUrl(thumb) : null,
        width: positive(image.width),
        height: positive(image.height),
      };
    }),
    models: models.map((m) => ({ type: m.modelType, name: m.modelName, url: m.modelUrl })),
    likeCount: Math.max(0, work.likeCount ?? 0),
    favoriteCount: Math.max(0, work.favoriteCount ?? 0),
    sourceUrl: work.sourceUrl,
  });
}

/** `/user/<username>` for an upstream author: `<source>-<external id>` with path-unsafe characters replaced. */
export function authorUsername(author: Pick<Author, 'source' | 'externalId'>): string {
  return `${author.source}-${author.externalId}`.replace(/[/?#\s%]+/g, '_');
}

async function writeFileAtomic(file: string, text: string): Promise<void> {
  await fs.writeFile(`${file}.tmp`, text);
  await fs.rename(`${file}.tmp`, file);
}

/** Write a complete snapshot of published works to `snapshotDir`, replacing the previous one. */
export async function writeSnapshot(store: Store, blobs: BlobStore, snapshotDir: string, now = new Date()): Promise<SnapshotResult> {
  const staging = `${snapshotDir}.staging-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(path.join(staging, WORKS_DIR), { recursive: true });
  const authors = new Map<number, Author | null>();
  const counts: Partial<Record<WorkSource, { works: number; authors: Set<string> }>> = {};
  let chunk: SnapshotWork[] = [];
  let chunks = 0;
  let total = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    chunks++;
    await fs.writeFile(path.join(staging, WORKS_DIR, workChunkFileName(chunks)), `${JSON.stringify(chunk)}\n`);
    chunk = [];
  };
  try {
    let after: { publishedAt: Date | null; id: number } | undefined;
    for (;;) {
      const page = await store.works.list({ status: 'published', order: 'newest', limit: PAGE, after });
      if (page.length === 0) break;
      for (const work of page) {
        const snap = await toSnapshotWork(store, blobs, work, authors);
        const c = (counts[snap.source] ??= { works: 0, authors: new Set() });
        c.works++;
        if (snap.author) c.authors.add(snap.author.id);
        chunk.push(snap);
        total++;
        if (chunk.length >= WORKS_PER_CHUNK) await flush();
      }
      const last = page.at(-1)!;
      after = { publishedAt: last.publishedAt, id: last.id };
    }
    await flush();
    const runIds: string[] = [];
    for (const source of SOURCES) for (const run of await store.runs.latest(source, 5)) runIds.push(String(run.id));
    const manifest = snapshotManifestSchema.parse({
      version: SNAPSHOT_VERSION,
      generatedAt: now.toISOString(),
      counts: Object.fromEntries(Object.entries(counts).map(([source, c]) => [source, { works: c.works, authors: c.authors.size }])),
      runIds,
    });
    // The manifest goes last: it marks the snapshot complete.
    await writeFileAtomic(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    const previous = `${snapshotDir}.previous-${process.pid}`;
    await fs.rm(previous, { recursive: true, force: true });
    await fs.rename(snapshotDir, previous).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await fs.rename(staging, snapshotDir);
    await fs.rm(previous, { recursive: true, force: true });
    return { dir: snapshotDir, works: total, chunks, manifest };
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
}
