import { fileURLToPath } from 'node:url';
import type { DatabaseConfig } from '../env.ts';
import { openMysqlStore } from './mysql/mysql-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface MigratableStore extends Store {
  migrate(migrationsDir: string): Promise<void>;
}

/** Open the Store the configuration names: SQLite file (default) or MySQL/MariaDB. */
export function createStore(database: DatabaseConfig): MigratableStore {
  return database.kind === 'sqlite' ? openSqliteStore(database.file) : openMysqlStore(database);
}

/**
 * Where the dialect's drizzle-kit migrations live in the source tree. Only the CLI and tests migrate;
 * the bundled server checks the journal it imports instead (assertMigrated).
 */
export function migrationsDir(dialect: DatabaseConfig['kind']): string {
  return fileURLToPath(new URL(`./${dialect}/migrations`, import.meta.url));
}

/** Open, migrate, and return the store. */
export async function openMigratedStore(database: DatabaseConfig): Promise<MigratableStore> {
  const store = createStore(database);
  try {
    await store.migrate(migrationsDir(database.kind));
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
