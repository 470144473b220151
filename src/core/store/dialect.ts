// What differs between the SQLite and MySQL dialects (upsert syntax, insert ids, affected rows, locking,
// transactions), behind one interface; sqlite/ and mysql/ implement it, the repositories use it.
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type * as schema from './sqlite/schema.ts';

export type Tables = typeof schema;
/**
 * The query-builder surface both dialects share, typed through the SQLite schema. The MySQL dialect
 * hands in its own database and tables, which answer the same builder calls at run time.
 */
export type Db = BetterSQLite3Database<Tables>;

export interface Dialect {
  readonly name: 'sqlite' | 'mysql';
  readonly tables: Tables;
  /** Run outside any transaction (SQLite waits until an open transaction on its one connection ends). */
  withConnection<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /**
   * Run `fn` inside a transaction; commit when it resolves, roll back when it throws. `heldConnection` is
   * passed when the caller already holds a plain connection scope (SQLite must then not wait for its lock).
   */
  transaction<T>(fn: (db: Db) => Promise<T>, heldConnection?: Db): Promise<T>;
  /** INSERT … ON CONFLICT (target) DO UPDATE / ON DUPLICATE KEY UPDATE. */
  upsert(db: Db, table: SQLiteTable, values: Record<string, unknown>, target: SQLiteColumn[], set: Record<string, unknown>): Promise<void>;
  /** INSERT that skips rows violating a unique key; returns how many were inserted. */
  insertIgnore(db: Db, table: SQLiteTable, rows: Record<string, unknown>[]): Promise<number>;
  /** The same INSERT of one row, unexecuted, to prepare with placeholders; its result reads with affectedRows. */
  insertIgnoreQuery(db: Db, table: SQLiteTable, row: Record<string, unknown>): { prepare(): { execute(values?: Record<string, unknown>): unknown } };
  /** INSERT one row and return its auto-increment id. */
  insertReturningId(db: Db, table: SQLiteTable, values: Record<string, unknown>): Promise<number>;
  /** Rows changed by an UPDATE/DELETE result. */
  affectedRows(result: unknown): number;
  /** SELECT … FOR UPDATE SKIP LOCKED where the dialect has it (SQLite's write transaction is exclusive). */
  forUpdateSkipLocked<Q>(query: Q): Q;
  ping(db: Db): Promise<void>;
  assertMigrated(): Promise<void>;
  close(): Promise<void>;
}
