// Astro integration: every `astro build` writes the static search index with pagefind's Node API to
// <client dir>/pagefind/ (served beside the pages; /search loads /pagefind/pagefind.js).
// `dir` from astro:build:done is the client output dir, so a custom outDir (tests, benches) just works.
// Only artworks are searchable. Their records come straight from the snapshot (one custom record per
// work, streamed chunk by chunk), not from the built HTML: parsing every artwork page cost more than
// rendering it and grew faster than the page count. Nothing else is indexed, so the header, footer and
// list pages never pollute results.
import { chmod, cp, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import * as pagefind from 'pagefind';
import { artworkSearchRecord } from '../site/search-record.ts';
import { iterateSnapshotWorkChunks } from '../core/snapshot/read-snapshot.ts';

/** The folder under the client dir that holds the index and pagefind's own JS. */
const PAGEFIND_DIR = 'pagefind';

export interface PagefindIndexOptions {
  /** The snapshot the pages are built from (the content loaders' `snapshotDir`, from loadConfig()). */
  snapshotDir: string;
}

interface WrittenIndex {
  /** A scratch folder holding the finished index, to be moved under the client dir. */
  scratchDir: string;
  recordCount: number;
}

/** Every work of the snapshot as a record of a pagefind index, written to a scratch folder. */
async function indexArtworks(snapshotDir: string): Promise<WrittenIndex> {
  const { index, errors } = await pagefind.createIndex();
  if (!index) throw new Error(`pagefind could not start: ${errors.join('; ')}`);
  let recordCount = 0;
  for await (const chunk of iterateSnapshotWorkChunks(snapshotDir)) {
    // A chunk's records in flight at once: the service answers each over a pipe, one by one would wait on every round trip.
    const added = await Promise.all(chunk.works.map((work) => index.addCustomRecord(artworkSearchRecord(work))));
    const failed = added.flatMap((response) => response.errors);
    if (failed.length > 0) throw new Error(`pagefind could not index ${chunk.file}: ${failed.join('; ')}`);
    recordCount += added.length;
  }
  // Not into the client dir: Astro empties the output dir after build:start.
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), 'huaku-pagefind-'));
  // mkdtemp makes it private (0700); once moved it is a public folder of the site, readable by a web server.
  await chmod(scratchDir, 0o755);
  const written = await index.writeFiles({ outputPath: scratchDir });
  if (written.errors.length > 0) throw new Error(`pagefind could not write its index: ${written.errors.join('; ')}`);
  return { scratchDir, recordCount };
}

/** Rename when both are on one filesystem, else copy. */
async function moveDir(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await cp(from, to, { recursive: true });
    await rm(from, { recursive: true, force: true });
  }
}

export function pagefindIndex({ snapshotDir }: PagefindIndexOptions): AstroIntegration {
  // The records need only the snapshot, not the built pages: indexing starts with the build, so the
  // pagefind binary segments, indexes and writes on another core while Astro bundles and renders, and
  // build:done only waits for it and moves the files into place.
  let indexing: Promise<WrittenIndex> | undefined;
  let started = 0;
  const startIndexing = () => {
    started = performance.now();
    indexing = indexArtworks(snapshotDir);
    // Reported when build:done awaits it; a build that fails first never gets there (and the idle
    // pagefind service does not keep the process alive).
    indexing.catch(() => {});
    return indexing;
  };
  return {
    name: 'huaku-pagefind-index',
    hooks: {
      'astro:build:start': () => {
        startIndexing();
      },
      'astro:build:done': async ({ dir, logger }) => {
        const siteDir = fileURLToPath(dir);
        try {
          const { scratchDir, recordCount } = await (indexing ?? startIndexing());
          const outputPath = path.join(siteDir, PAGEFIND_DIR);
          await moveDir(scratchDir, outputPath);
          logger.info(`search index: ${recordCount} artworks, ready ${Math.round(performance.now() - started)} ms after the build started → ${outputPath}`);
        } finally {
          indexing = undefined;
          // The Node API runs the pagefind binary as a service; stop it or the build process never exits.
          await pagefind.close();
        }
      },
    },
  };
}
