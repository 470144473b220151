import { fileURLToPath } from 'node:url';
import type { DatabaseConfig } from '../env.ts';
import type { Store } from './store.ts';

export interface MigratableStore extends Store {
  migrate(migrationsDir: string): Promise<void>;
}

/**
 * Open the Store the configuration names: SQLite file (default) or MySQL/MariaDB. Only the chosen dialect's
 * driver, drizzle adapter and schema are loaded (each pulls in dozens of modules the other never needs).
 */
export async function createStore(database: DatabaseConfig): Promise<MigratableStore> {
  if (database.kind === 'sqlite') {
    const { openSqliteStore } = await import('./sqlite/sqlite-store.ts');
    return openSqliteStore(database.file);
  }
  const { openMysqlStore } = await import('./mysql/mysql-store.ts');
  return openMysqlStore(database);
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
  const store = await createStore(database);
  try {
    await store.migrate(migrationsDir(database.kind));
    return store;
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
