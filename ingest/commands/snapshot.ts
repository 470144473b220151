import { createBlobStore } from '../../src/lib/blob/create-blob-store.ts';
import { createStore } from '../../src/lib/store/create-store.ts';
import { writeSnapshot } from '../snapshot/write-snapshot.ts';
import type { Command } from './command.ts';

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'write the JSON snapshot the site is built from (SNAPSHOT_DIR) from the database',
  usage: 'npm run ingest -- snapshot',
  options: {},
  async run({ config, out }) {
    const store = createStore(config.database);
    const blobs = createBlobStore(config.blob);
    try {
      await store.assertMigrated();
      const started = performance.now();
      const result = await writeSnapshot(store, blobs, config.snapshotDir);
      out(`snapshot: ${result.works} works in ${result.chunks} chunk(s) → ${result.dir} (${Math.round(performance.now() - started)} ms)`);
      return 0;
    } finally {
      await store.close();
      await blobs.close();
    }
  },
};
