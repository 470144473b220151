// What every repository is built from: the dialect, its tables, and the connection scope of the current
// call chain (drizzle-store.ts makes one per Store and hands it to each repository).
import { sql } from 'drizzle-orm';
import type { Db, Dialect, Tables } from '../dialect.ts';

export interface RepositoryContext {
  readonly dialect: Dialect;
  readonly t: Tables;
  /**
   * Run `fn` on the connection (or transaction) the current async call chain already holds, else on a
   * fresh connection scope: repository methods that call each other reuse it instead of queueing behind
   * themselves on SQLite's single connection.
   */
  run<T>(fn: (db: Db, inTransaction: boolean) => Promise<T>): Promise<T>;
  /** Run `fn` in one transaction; nested calls join the outer one. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

export const now = () => new Date();

export const first = <T>(rows: T[]): T | null => rows[0] ?? null;

export const placeholder = (name: string) => sql.placeholder(name);

/** Ids per IN (…) list in batch reads (SQLite allows 32766 placeholders, MySQL 65535; smaller slices plan better). */
const IN_LIST_SLICE = 1000;

/** Run an IN (…) query over `keys` in slices, so a long list never exceeds a dialect's placeholder limit. */
export async function inSlices<K, R>(keys: K[], query: (slice: K[]) => Promise<R[]>): Promise<R[]> {
  const unique = [...new Set(keys)];
  const out: R[] = [];
  for (let i = 0; i < unique.length; i += IN_LIST_SLICE) out.push(...(await query(unique.slice(i, i + IN_LIST_SLICE))));
  return out;
}

/**
 * A statement prepared once for the request hot paths (session lookup, a work by id, like/unlike):
 * building a query with drizzle costs far more than running it. Used outside transactions only, since a
 * MySQL transaction runs on a connection of its own; inside one the builder is used as usual.
 */
export function prepared<R>(build: (db: Db) => { execute(values?: Record<string, unknown>): R }) {
  let statement: { execute(values?: Record<string, unknown>): R } | undefined;
  return (db: Db, values: Record<string, unknown>): R => (statement ??= build(db)).execute(values);
}

/** Every status of `statuses` with its count (0 when `rows` has none). */
export function statusCounts<S extends string>(statuses: readonly S[], rows: { status: S; n: number }[]): Record<S, number> {
  const out = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;
  for (const row of rows) out[row.status] = Number(row.n);
  return out;
}
