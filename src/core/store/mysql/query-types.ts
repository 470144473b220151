// The MySQL side of the query types the shared repositories are written against (see ../dialect.ts).
import type { MySqlColumn, MySqlDatabase, MySqlTable } from 'drizzle-orm/mysql-core';
import type { MySql2PreparedQueryHKT, MySql2QueryResultHKT, MySqlRawQueryResult } from 'drizzle-orm/mysql2';
import type * as schema from './schema.ts';

export type Tables = typeof schema;
/** The pool's database or one transaction on it (both answer the same builder calls). */
export type Db = MySqlDatabase<MySql2QueryResultHKT, MySql2PreparedQueryHKT, Tables>;
export type AnyTable = MySqlTable;
export type AnyColumn = MySqlColumn;
/** What an INSERT/UPDATE/DELETE resolves to: [ResultSetHeader, fields]. */
export type WriteResult = MySqlRawQueryResult;
/** A SELECT builder that can take FOR UPDATE SKIP LOCKED. */
export interface LockableSelect {
  for(strength: 'update', config: { skipLocked: true }): unknown;
}
