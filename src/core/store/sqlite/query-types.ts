// The SQLite side of the query types the shared repositories are written against (see ../dialect.ts).
import type { BaseSQLiteDatabase, SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { RunResult } from 'better-sqlite3';
import type * as schema from './schema.ts';

export type Tables = typeof schema;
/** The database, or the transaction open on it (SQLite runs one at a time on the same connection). */
export type Db = BaseSQLiteDatabase<'sync', RunResult, Tables>;
export type AnyTable = SQLiteTable;
export type AnyColumn = SQLiteColumn;
/** What an INSERT/UPDATE/DELETE resolves to. */
export type WriteResult = RunResult;
/** A SELECT builder the dialect can lock rows with (SQLite needs no lock clause: its write transaction is exclusive). */
export type LockableSelect = object;
