// Content collections built from the JSON snapshot (data/snapshot, or SNAPSHOT_DIR). The build never
// talks to the database: ingest writes the snapshot, these loaders read and validate it. The works are
// no collection: src/data/collections.ts streams them from the chunk files (a collection held every work
// several times over, GBs at 100k works).
import { defineCollection } from 'astro:content';
import type { Loader } from 'astro/loaders';
import { loadConfig } from './core/env.ts';
import { readSnapshotAuthors, readSnapshotLoras, readSnapshotManifest, readSnapshotModels } from './core/snapshot/read-snapshot.ts';
import { snapshotAuthorEntrySchema, snapshotLoraSchema, snapshotManifestSchema, snapshotModelSchema } from './core/snapshot/schema.ts';

const { snapshotDir } = loadConfig();

/** The snapshot's manifest as a single entry with id `current` (absent when there is no snapshot). */
function snapshotManifestLoader(dir: string): Loader {
  return {
    name: 'huaku-snapshot-manifest',
    load: async ({ store, parseData, logger }) => {
      store.clear();
      const manifest = await readSnapshotManifest(dir);
      if (manifest) store.set({ id: 'current', data: await parseData({ id: 'current', data: manifest }) });
      else logger.warn(`no snapshot in ${dir}: building without works (run \`npm run ingest\`, then build again)`);
    },
  };
}

/** One collection entry per item of a single-file list (authors.json, loras.json), keyed by `key`. */
function snapshotListLoader<T>(name: string, read: (dir: string) => Promise<T[]>, key: (item: T) => string, dir: string): Loader {
  return {
    name,
    load: async ({ store, parseData, generateDigest }) => {
      store.clear();
      for (const item of await read(dir)) {
        const id = key(item);
        const data = await parseData({ id, data: item as Record<string, unknown> });
        store.set({ id, data, digest: generateDigest(data) });
      }
    },
  };
}

export const collections = {
  authors: defineCollection({
    loader: snapshotListLoader('huaku-snapshot-authors', readSnapshotAuthors, (author) => author.username, snapshotDir),
    schema: snapshotAuthorEntrySchema,
  }),
  loras: defineCollection({
    loader: snapshotListLoader('huaku-snapshot-loras', readSnapshotLoras, (lora) => lora.id, snapshotDir),
    schema: snapshotLoraSchema,
  }),
  models: defineCollection({
    loader: snapshotListLoader('huaku-snapshot-models', readSnapshotModels, (model) => model.id, snapshotDir),
    schema: snapshotModelSchema,
  }),
  manifest: defineCollection({ loader: snapshotManifestLoader(snapshotDir), schema: snapshotManifestSchema }),
};
