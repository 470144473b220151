// SQLite dialect: one better-sqlite3 connection in WAL mode. better-sqlite3 is synchronous and drizzle's
// transaction helper cannot await, so transactions are BEGIN IMMEDIATE … COMMIT under an async mutex:
// while one is open, every other caller waits instead of slipping statements into it.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { DatabaseUnavailableError, ServiceUnavailableError, errorMessage } from '../../errors.ts';
import type { Db, Dialect } from '../dialect.ts';
import { createDrizzleStore } from '../drizzle-store.ts';
import { isDatabaseUnavailable } from '../driver-errors.ts';
import { assertJournalApplied, isMissingTableError } from '../migration-state.ts';
import type { MigratableStore, OpenStore } from '../create-store.ts';
import * as schema from './schema.ts';
import { withStatementCache } from './statement-cache.ts';
import journal from './migrations/meta/_journal.json' with { type: 'json' };

class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** @public create-store.ts imports it by a path built from the dialect's name. */
export const openStore: OpenStore<'sqlite'> = (database) => openSqliteStore(database.file);

export function openSqliteStore(file: string): MigratableStore {
  let connection: Database.Database;
  try {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    connection = new Database(file);
    connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    connection.pragma('busy_timeout = 5000');
    connection.pragma('synchronous = NORMAL');
  } catch (error) {
    throw new DatabaseUnavailableError('SQLite', `cannot open ${file}: ${errorMessage(error)}`, {
      hint: 'check that the directory in DATABASE_URL exists and is writable, and that the disk is not full',
      cause: error,
    });
  }
  const db: Db = drizzle({ client: withStatementCache(connection), schema });
  const mutex = new Mutex();
  // A read-only file or directory, a full disk, a lock held past busy_timeout: the database is unavailable
  // (503 with Retry-After for the API, a clear stop for the crawler), not a bug in the query.
  const unavailable = (error: unknown): unknown =>
    !(error instanceof ServiceUnavailableError) && isDatabaseUnavailable('sqlite', error)
      ? new DatabaseUnavailableError('SQLite', `cannot use ${file}: ${errorMessage((error as { cause?: unknown }).cause ?? error)}`, {
          hint: 'check that the database file and its directory are writable and that the disk is not full; nothing was written',
          cause: error,
        })
      : error;
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw unavailable(error);
    }
  };

  const dialect: Dialect = {
    name: 'sqlite',
    tables: schema,
    withConnection: (fn) => wrap(() => mutex.run(() => fn(db))),
    transaction: (fn, heldConnection) => {
      const inTransaction = async () => {
        db.run(sql`BEGIN IMMEDIATE`);
        try {
          const result = await fn(db);
          db.run(sql`COMMIT`);
          return result;
        } catch (error) {
          // SQLite may already have rolled back (SQLITE_FULL, some I/O errors): a second ROLLBACK would
          // throw and hide the error that matters.
          if (connection.inTransaction) db.run(sql`ROLLBACK`);
          throw error;
        }
      };
      return wrap(() => (heldConnection ? inTransaction() : mutex.run(inTransaction)));
    },
    async upsert(tx, table, values, target, set) {
      await tx.insert(table).values(values).onConflictDoUpdate({ target, set });
    },
    insertIgnoreQuery: (tx, table, row) => tx.insert(table).values(row).onConflictDoNothing(),
    async insertIgnore(tx, table, rows) {
      return tx.insert(table).values(rows).onConflictDoNothing().run().changes;
    },
    async insertReturningId(tx, table, values) {
      return Number(tx.insert(table).values(values).run().lastInsertRowid);
    },
    affectedRows: (result) => result.changes,
    forUpdateSkipLocked: (query) => query,
    async ping(tx) {
      // Reachable is not enough: a read-only file or directory answers reads and refuses every write.
      // Rewriting user_version with its own value is the smallest write SQLite has.
      const version = Number(connection.pragma('user_version', { simple: true }));
      tx.get(sql`select 1`);
      connection.pragma(`user_version = ${version}`);
    },
    async assertMigrated() {
      let latest: number | null = null;
      try {
        const row = db.get<{ created_at: number } | undefined>(sql`select max(created_at) as created_at from __drizzle_migrations`);
        latest = row?.created_at == null ? null : Number(row.created_at);
      } catch (error) {
        if (!isMissingTableError(error)) throw error;
      }
      assertJournalApplied(latest, journal, `SQLite database ${file}`);
    },
    async close() {
      connection.close();
    },
  };
  const store = createDrizzleStore(dialect);
  return {
    ...store,
    migrate: (migrationsDir) => mutex.run(async () => migrate(db, { migrationsFolder: migrationsDir })),
  };
}
