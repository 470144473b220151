import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeStoreContract } from '../store.contract.ts';
import { migrationsDir } from '../create-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

describeStoreContract('SQLite (better-sqlite3)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-store-'));
  const store = openSqliteStore(path.join(dir, 'nested', 'huaku.db'));
  await store.migrate(migrationsDir('sqlite'));
  await store.migrate(migrationsDir('sqlite')); // idempotent
  return {
    store,
    openUnmigrated: async () => openSqliteStore(path.join(dir, 'bare.db')),
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
