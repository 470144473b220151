// MySQL 8 / MariaDB 10.11 dialect over a mysql2 pool. Sessions run in UTC so CURRENT_TIMESTAMP defaults
// and drizzle's UTC datetime mapping agree; FOUND_ROWS is off so affectedRows counts real changes.
import { getTableColumns, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import mysql from 'mysql2/promise';
import { DatabaseUnavailableError, ServiceUnavailableError, errorMessage } from '../../errors.ts';
import type { AnyTable, Db, Dialect } from '../dialect.ts';
import { createDrizzleStore } from '../drizzle-store.ts';
import { driverCode, isDatabaseUnavailable } from '../driver-errors.ts';
import { assertJournalApplied, isMissingTableError } from '../migration-state.ts';
import type { MigratableStore, OpenStore } from '../create-store.ts';
import * as schema from './schema.ts';
import journal from './migrations/meta/_journal.json' with { type: 'json' };


export interface MysqlTarget {
  url: string;
  host: string;
  port: number;
  database: string;
}

const DEADLOCK = /^(ER_LOCK_DEADLOCK|ER_LOCK_WAIT_TIMEOUT)$/;
const DEADLOCK_RETRIES = 4;

/** Turn a mysql2 error into a message that names the server and says what to do. */
function describeMysqlError(target: MysqlTarget, error: unknown): DatabaseUnavailableError {
  const code = driverCode(error);
  const where = `${target.host}:${target.port}`;
  const hints: Record<string, string> = {
    ECONNREFUSED: `start MySQL/MariaDB on ${where} or fix the host and port in DATABASE_URL`,
    ENOTFOUND: `the host ${target.host} does not resolve: fix DATABASE_URL`,
    ETIMEDOUT: `nothing answered at ${where}: check DATABASE_URL and the network`,
    ER_ACCESS_DENIED_ERROR: 'check the user and password in DATABASE_URL',
    ER_DBACCESS_DENIED_ERROR: `grant the user access to database ${target.database}`,
    ER_BAD_DB_ERROR: `create it: CREATE DATABASE \`${target.database}\` CHARACTER SET utf8mb4`,
    ER_OPTION_PREVENTS_STATEMENT: 'the server is read-only (read_only): writes resume when it is writable again',
    ER_CON_COUNT_ERROR: 'the server has too many connections: raise max_connections or lower the load',
  };
  const cause = (error as { cause?: unknown }).cause ?? error;
  return new DatabaseUnavailableError('MySQL', `cannot use database ${target.database} at ${where}: ${errorMessage(cause) || code}`, {
    hint: hints[code] ?? 'check DATABASE_URL and that the server is running',
    cause: error,
  });
}

/** @public create-store.ts imports it by a path built from the dialect's name. */
export const openStore: OpenStore<'mysql'> = (database) => openMysqlStore(database);

export function openMysqlStore(target: MysqlTarget): MigratableStore {
  const pool = mysql.createPool({
    uri: target.url,
    connectionLimit: 10,
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    flags: ['-FOUND_ROWS'],
    connectTimeout: 5000,
  });
  pool.pool.on('connection', (connection) => {
    connection.query("SET time_zone = '+00:00'");
  });
  const mysqlDb = drizzle({ client: pool, schema, mode: 'default' });
  const db: Db = mysqlDb;
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw error;
      if (isDatabaseUnavailable('mysql', error)) throw describeMysqlError(target, error);
      throw error;
    }
  };
  // Not INSERT IGNORE: that would also swallow foreign-key and truncation errors. A no-op update of the
  // first column on a duplicate key leaves the row as it is and reports 0 affected rows.
  const insertIgnoreQuery = (tx: Db, table: AnyTable, rows: Record<string, unknown> | Record<string, unknown>[]) => {
    const [key, column] = Object.entries(getTableColumns(table))[0]!;
    return tx
      .insert(table)
      .values(rows)
      .onDuplicateKeyUpdate({ set: { [key]: sql.raw(`\`${column.name}\``) } });
  };

  const dialect: Dialect = {
    name: 'mysql',
    tables: schema,
    withConnection: (fn) => wrap(() => fn(db)),
    transaction: (fn) =>
      wrap(async () => {
        // InnoDB may pick this transaction as a deadlock victim (concurrent upserts on one unique key):
        // it was rolled back whole, so running it again is the documented remedy.
        for (let attempt = 1; ; attempt++) {
          try {
            return await db.transaction((tx) => fn(tx), { isolationLevel: 'read committed' });
          } catch (error) {
            if (attempt >= DEADLOCK_RETRIES || !DEADLOCK.test(driverCode(error))) throw error;
            await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
          }
        }
      }),
    async upsert(tx, table, values, _target, set) {
      await tx.insert(table).values(values).onDuplicateKeyUpdate({ set });
    },
    async insertIgnore(tx, table, rows) {
      const [header] = await insertIgnoreQuery(tx, table, rows);
      return header.affectedRows;
    },
    insertIgnoreQuery: (tx, table, row) => insertIgnoreQuery(tx, table, row),
    async insertReturningId(tx, table, values) {
      const [header] = await tx.insert(table).values(values);
      return Number(header.insertId);
    },
    affectedRows: ([header]) => header.affectedRows,
    forUpdateSkipLocked(query) {
      // drizzle's .for() sets the locking clause on the builder itself (and returns it, typed without .for).
      query.for('update', { skipLocked: true });
      return query;
    },
    async ping(tx) {
      // Reachable is not enough: a read-only server (read_only, a replica) answers reads and refuses writes.
      const [rows] = (await tx.execute(sql`select @@global.read_only as ro`)) as unknown as [Array<{ ro: number | string }>];
      if (Number(rows[0]?.ro) === 1) {
        throw new DatabaseUnavailableError('MySQL', `database ${target.database} at ${target.host}:${target.port} is read-only (read_only = 1)`, {
          hint: 'writes resume when the server is writable again (SET GLOBAL read_only = 0, or point DATABASE_URL at the primary)',
        });
      }
    },
    async assertMigrated() {
      let latest: number | null = null;
      try {
        const [row] = await db.select({ createdAt: sql<string | number | null>`max(created_at)` }).from(sql`__drizzle_migrations`);
        latest = row?.createdAt == null ? null : Number(row.createdAt);
      } catch (error) {
        if (!isMissingTableError(error)) throw describeMysqlError(target, error);
      }
      assertJournalApplied(latest, journal, `MySQL database ${target.database} at ${target.host}:${target.port}`);
    },
    async close() {
      await pool.end();
    },
  };
  const store = createDrizzleStore(dialect);
  return { ...store, migrate: (migrationsDir) => wrap(() => migrate(mysqlDb, { migrationsFolder: migrationsDir })) };
}
