import { fileURLToPath } from 'node:url';
import type { DatabaseConfig } from '../env.ts';
import type { Store } from './store.ts';

export interface MigratableStore extends Store {
  /** Apply pending migrations from `migrationsDir`. */
  migrate(migrationsDir: string): Promise<void>;
}

/** What `<dialect>/<dialect>-store.ts` exports for createStore. */
export type OpenStore<K extends DatabaseConfig['kind']> = (database: Extract<DatabaseConfig, { kind: K }>) => MigratableStore;

/**
 * Open the Store the configuration names: SQLite file (default) or MySQL/MariaDB. Only the chosen dialect's
 * driver, drizzle adapter and schema are loaded (each pulls in dozens of modules the other never needs).
 */
export async function createStore(database: DatabaseConfig): Promise<MigratableStore> {
  // One template rather than a literal import per dialect: bundlers still include both folders' modules
  // (as lazy chunks), while TypeScript does not follow it, so each dialect is type-checked in its own
  // program with the shared repositories typed against it (see dialect.ts).
  const dialect: { openStore: OpenStore<typeof database.kind> } = await import(`./${database.kind}/${database.kind}-store.ts`);
  return dialect.openStore(database);
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
