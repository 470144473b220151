// Astro integration: every `astro build` writes Huaku's static search index (src/site/search/) under
// <client dir>/search-index/: entry.json names the current version's folder, whose files never change once
// written (a deploy keeps the previous folder for pages still open, so a query never mixes two builds).
// Documents come straight from the snapshot (authors, LoRAs, then works streamed chunk by chunk), not from
// the built HTML; works without an image are not listed. The index is built while Astro renders (it needs
// only the snapshot) and written when the build is done (Astro empties the output dir at the start).
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { iterateSnapshotWorkChunks, readSnapshotAuthors, readSnapshotLoras } from '../core/snapshot/read-snapshot.ts';
import { authorSearchDoc, loraSearchDoc, workSearchDoc } from '../site/search/search-docs.ts';
import { SearchIndexBuilder, type BuiltSearchIndex } from '../site/search/search-index.ts';
import { SEARCH_DIR, SEARCH_ENTRY, type SearchEntryFile } from '../site/search/search-files.ts';

export interface SearchIndexOptions {
  /** The snapshot the pages are built from (the content loaders' `snapshotDir`, from loadConfig()). */
  snapshotDir: string;
}

async function buildIndex(snapshotDir: string): Promise<BuiltSearchIndex> {
  const builder = new SearchIndexBuilder();
  for (const author of await readSnapshotAuthors(snapshotDir)) builder.add(authorSearchDoc(author));
  for (const lora of await readSnapshotLoras(snapshotDir)) builder.add(loraSearchDoc(lora));
  for await (const chunk of iterateSnapshotWorkChunks(snapshotDir)) {
    for (const work of chunk.works) {
      const doc = workSearchDoc(work);
      if (doc) builder.add(doc);
    }
  }
  return builder.finish();
}

/** Write the index's files; returns the version folder's name (a hash of the content). */
async function writeIndex(siteDir: string, index: BuiltSearchIndex): Promise<{ version: string; files: number }> {
  const files = new Map<string, string>([['facets.json', JSON.stringify(index.facets)]]);
  for (const [key, terms] of index.shards) files.set(`terms/${key}.json`, JSON.stringify(terms));
  index.chunks.forEach((chunk, i) => files.set(`docs/${i}.json`, JSON.stringify(chunk)));
  const hash = createHash('sha256').update(JSON.stringify(index.entry));
  for (const [name, text] of files) hash.update(name).update(text);
  const version = hash.digest('hex').slice(0, 12);
  const root = path.join(siteDir, SEARCH_DIR);
  await rm(root, { recursive: true, force: true });
  await mkdir(path.join(root, version, 'terms'), { recursive: true });
  await mkdir(path.join(root, version, 'docs'), { recursive: true });
  for (const [name, text] of files) await writeFile(path.join(root, version, name), text);
  const entry: SearchEntryFile = { ...index.entry, path: `/${SEARCH_DIR}/${version}` };
  await writeFile(path.join(root, SEARCH_ENTRY), JSON.stringify(entry));
  return { version, files: files.size };
}

export function searchIndex({ snapshotDir }: SearchIndexOptions): AstroIntegration {
  let building: Promise<BuiltSearchIndex> | undefined;
  let started = 0;
  const start = () => {
    started = performance.now();
    building = buildIndex(snapshotDir);
    // Reported when build:done awaits it; a build that fails first never gets there.
    building.catch(() => {});
    return building;
  };
  return {
    name: 'huaku-search-index',
    hooks: {
      'astro:build:start': () => {
        start();
      },
      'astro:build:done': async ({ dir, logger }) => {
        try {
          const index = await (building ?? start());
          const { version, files } = await writeIndex(fileURLToPath(dir), index);
          logger.info(`search index: ${index.entry.docCount} documents in ${files} files (${version}), ready ${Math.round(performance.now() - started)} ms after the build started`);
        } finally {
          building = undefined;
        }
      },
    },
  };
}
