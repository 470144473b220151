// Content collections built from the JSON snapshot (data/snapshot, or SNAPSHOT_DIR). The build never
// talks to the database: ingest writes the snapshot, these loaders read and validate it.
import { defineCollection } from 'astro:content';
import type { Loader } from 'astro/loaders';
import { loadConfig } from './core/env.ts';
import {
  iterateSnapshotWorkChunks, readSnapshotAuthors, readSnapshotLoras, readSnapshotManifest, readSnapshotModels,
} from './core/snapshot/read-snapshot.ts';
import {
  snapshotAuthorEntrySchema, snapshotLoraSchema, snapshotManifestSchema, snapshotModelSchema, snapshotWorkSchema,
} from './core/snapshot/schema.ts';

const { snapshotDir } = loadConfig();

/** Every work of the snapshot, keyed by its id. An absent snapshot gives an empty collection. */
function snapshotWorksLoader(dir: string): Loader {
  return {
    name: 'huaku-snapshot-works',
    load: async ({ store, parseData, generateDigest, logger }) => {
      store.clear();
      const manifest = await readSnapshotManifest(dir);
      if (!manifest) {
        logger.warn(`no snapshot in ${dir}: building without works (run \`npm run ingest\`, then build again)`);
        return;
      }
      let count = 0;
      for await (const chunk of iterateSnapshotWorkChunks(dir)) {
        for (const work of chunk.works) {
          const data = await parseData({ id: work.id, data: work });
          store.set({ id: work.id, data, digest: generateDigest(data) });
          count += 1;
        }
      }
      const expected = Object.values(manifest.counts).reduce((sum, c) => sum + (c?.works ?? 0), 0);
      if (expected !== count) logger.warn(`the manifest counts ${expected} works but the chunks hold ${count}`);
      logger.info(`${count} works from ${dir} (snapshot of ${manifest.generatedAt})`);
    },
  };
}

/** The snapshot's manifest as a single entry with id `current` (absent when there is no snapshot). */
function snapshotManifestLoader(dir: string): Loader {
  return {
    name: 'huaku-snapshot-manifest',
    load: async ({ store, parseData }) => {
      store.clear();
      const manifest = await readSnapshotManifest(dir);
      if (manifest) store.set({ id: 'current', data: await parseData({ id: 'current', data: manifest }) });
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
  works: defineCollection({ loader: snapshotWorksLoader(snapshotDir), schema: snapshotWorkSchema }),
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
