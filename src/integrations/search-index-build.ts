// The search index's own process: `node src/integrations/search-index-build.ts <snapshotDir> <outDir>`
// builds Huaku's static search index (src/site/search/) from the snapshot and writes it to <outDir> (the
// future <client dir>/search-index/), then prints one JSON line: { docCount, files, version }.
// The build (./search-index.ts) starts it beside Astro's renderer: the index then takes neither the
// renderer's thread nor its heap (at 100k works the index and its postings are a few hundred MB).
// Documents come straight from the snapshot (authors, LoRAs, then works streamed chunk by chunk), not from
// the built HTML; works without an image are not listed.
import '../core/runtime/esm-format-hint.ts';
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { iterateSnapshotWorkChunks, readSnapshotAuthors, readSnapshotLoras } from '../core/snapshot/read-snapshot.ts';
import { authorSearchDoc, loraSearchDoc, workSearchDoc } from '../site/search/search-docs.ts';
import { SearchIndexBuilder, type BuiltSearchIndex } from '../site/search/search-index.ts';
import { SEARCH_DIR, SEARCH_ENTRY, type SearchEntryFile } from '../site/search/search-files.ts';

export interface SearchIndexBuildResult {
  docCount: number;
  files: number;
  /** The version folder's name (a hash of the content). */
  version: string;
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

/** Write the index's files under `root`: entry.json and the version folder it names. */
async function writeIndex(root: string, index: BuiltSearchIndex): Promise<SearchIndexBuildResult> {
  const files = new Map<string, string>([['facets.json', JSON.stringify(index.facets)]]);
  for (const [key, terms] of index.shards) files.set(`terms/${key}.json`, JSON.stringify(terms));
  index.chunks.forEach((chunk, i) => files.set(`docs/${i}.json`, JSON.stringify(chunk)));
  const hash = createHash('sha256').update(JSON.stringify(index.entry));
  for (const [name, text] of files) hash.update(name).update(text);
  const version = hash.digest('hex').slice(0, 12);
  await rm(root, { recursive: true, force: true });
  await mkdir(path.join(root, version, 'terms'), { recursive: true });
  await mkdir(path.join(root, version, 'docs'), { recursive: true });
  for (const [name, text] of files) await writeFile(path.join(root, version, name), text);
  const entry: SearchEntryFile = { ...index.entry, path: `/${SEARCH_DIR}/${version}` };
  await writeFile(path.join(root, SEARCH_ENTRY), JSON.stringify(entry));
  return { docCount: index.entry.docCount, files: files.size, version };
}

const [snapshotDir, outDir] = process.argv.slice(2);
if (!snapshotDir || !outDir) {
  console.error('usage: node src/integrations/search-index-build.ts <snapshotDir> <outDir>');
  process.exit(2);
}
const result = await writeIndex(outDir, await buildIndex(snapshotDir));
console.log(JSON.stringify(result));
