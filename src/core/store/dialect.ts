// What differs between the SQLite and MySQL dialects (upsert syntax, insert ids, affected rows, locking,
// transactions), behind one interface; sqlite/ and mysql/ implement it, the repositories use it.
//
// The repositories are written once against `#store/query-types`: the drizzle database, tables and columns
// of one dialect. drizzle types each dialect's builders apart and TypeScript cannot abstract over both,
// so the shared code is type-checked twice instead: tsconfig.json resolves the name to sqlite/query-types.ts,
// tsconfig.mysql.json to mysql/query-types.ts (the import is type-only, so nothing resolves it at run time).
import type { AnyColumn, AnyTable, Db, LockableSelect, Tables, WriteResult } from '#store/query-types';

export type { AnyTable, Db, Tables };

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
  upsert(db: Db, table: AnyTable, values: Record<string, unknown>, target: AnyColumn[], set: Record<string, unknown>): Promise<void>;
  /** INSERT that skips rows violating a unique key; returns how many were inserted. */
  insertIgnore(db: Db, table: AnyTable, rows: Record<string, unknown>[]): Promise<number>;
  /** The same INSERT of one row, unexecuted, to prepare with placeholders; its result reads with affectedRows. */
  insertIgnoreQuery(db: Db, table: AnyTable, row: Record<string, unknown>): { prepare(): { execute(values?: Record<string, unknown>): WriteResult | Promise<WriteResult> } };
  /** INSERT one row and return its auto-increment id. */
  insertReturningId(db: Db, table: AnyTable, values: Record<string, unknown>): Promise<number>;
  /** Rows changed by an UPDATE/DELETE result. */
  affectedRows(result: WriteResult): number;
  /** SELECT … FOR UPDATE SKIP LOCKED where the dialect has it (SQLite's write transaction is exclusive). */
  forUpdateSkipLocked<Q extends LockableSelect>(query: Q): Q;
  ping(db: Db): Promise<void>;
  assertMigrated(): Promise<void>;
  close(): Promise<void>;
}
