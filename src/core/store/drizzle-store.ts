// One implementation of every repository, shared by both dialects. The two schemas mirror each other, so
// drizzle's select/update/delete builders are the same; what differs (upsert syntax, insert ids, affected
// rows, locking, transactions) lives behind the Dialect interface in sqlite/ and mysql/.
import { AsyncLocalStorage } from 'node:async_hooks';
import { and, asc, count, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type * as schema from './sqlite/schema.ts';
import {
  JOB_STATUSES, LEDGER_STATUSES, type JobStatus, type LedgerStatus, type Source, type WorkStatus,
} from '../domain/enums.ts';
import type {
  Author, AuthorInput, AuthorRepository, CommentRepository, FetchRun, ImageRepository, Job, JobRepository,
  LedgerEntry, LedgerRepository, Lora, LoraRepository, ReactionRepository, RunCounters, RunRepository,
  Session, SessionRepository, Store, StoreHealth, User, UserRepository, Work, WorkListQuery, WorkRepository,
} from './store.ts';

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

const now = () => new Date();
/** Ids per IN (…) list in batch reads (SQLite allows 32766 placeholders, MySQL 65535; smaller slices plan better). */
const IN_LIST_SLICE = 1000;

export function createDrizzleStore(dialect: Dialect): Store {
  const t = dialect.tables;
  // The connection (or transaction) the current async call chain already holds: repository methods that
  // call each other reuse it instead of queueing behind themselves on SQLite's single connection.
  const ambient = new AsyncLocalStorage<{ db: Db; inTransaction: boolean }>();
  const run = <T>(fn: (db: Db, inTransaction: boolean) => Promise<T>): Promise<T> => {
    const held = ambient.getStore();
    if (held) return fn(held.db, held.inTransaction);
    return dialect.withConnection((db) => ambient.run({ db, inTransaction: false }, () => fn(db, false)));
  };
  /**
   * A statement prepared once for the request hot paths (session lookup, a work by id, like/unlike):
   * building a query with drizzle costs far more than running it. Used outside transactions only, since a
   * MySQL transaction runs on a connection of its own; inside one the builder is used as usual.
   */
  const prepared = <Q extends { execute(values?: Record<string, unknown>): unknown }>(build: (db: Db) => Q) => {
    let statement: Q | undefined;
    return (db: Db, values: Record<string, unknown>) => (statement ??= build(db)).execute(values) as unknown;
  };
  const placeholder = (name: string) => sql.placeholder(name);
  const workById = prepared((db) => db.select().from(t.works).where(eq(t.works.id, placeholder('id'))).prepare());
  const countsById = prepared((db) =>
    db
      .select({
        likes: sql<number>`(select count(*) from ${t.likes} where ${t.likes.workId} = ${t.works.id})`,
        favorites: sql<number>`(select count(*) from ${t.favorites} where ${t.favorites.workId} = ${t.works.id})`,
      })
      .from(t.works)
      .where(eq(t.works.id, placeholder('id')))
      .prepare(),
  );
  const sessionById = prepared((db) =>
    db
      .select({ session: t.sessions, user: t.users })
      .from(t.sessions)
      .innerJoin(t.users, eq(t.users.id, t.sessions.userId))
      .where(eq(t.sessions.id, placeholder('id')))
      .prepare(),
  );
  const first = <T>(rows: T[]): T | null => rows[0] ?? null;
  /** Run an IN (…) query over `keys` in slices, so a long list never exceeds a dialect's placeholder limit. */
  const inSlices = async <K, R>(keys: K[], query: (slice: K[]) => Promise<R[]>): Promise<R[]> => {
    const unique = [...new Set(keys)];
    const out: R[] = [];
    for (let i = 0; i < unique.length; i += IN_LIST_SLICE) out.push(...(await query(unique.slice(i, i + IN_LIST_SLICE))));
    return out;
  };

  const authors: AuthorRepository = {
    async upsert(input: AuthorInput) {
      return run(async (db) => {
        const { source, externalId, ...rest } = input;
        await dialect.upsert(db, t.authors, { ...input }, [t.authors.source, t.authors.externalId], {
          ...rest,
          updatedAt: now(),
        });
        return (await authors.findByExternalId(source, externalId))!;
      });
    },
    get: (id) => run(async (db) => first(await db.select().from(t.authors).where(eq(t.authors.id, id)))),
    findByExternalId: (source, externalId) =>
      run(async (db) =>
        first(await db.select().from(t.authors).where(and(eq(t.authors.source, source), eq(t.authors.externalId, externalId)))),
      ),
    getMany: (ids) => inSlices(ids, (slice) => run((db) => db.select().from(t.authors).where(inArray(t.authors.id, slice)))),
  };

  const workOrder = (order: WorkListQuery['order']) =>
    order === 'oldest' ? [asc(t.works.publishedAt), asc(t.works.id)] : [desc(t.works.publishedAt), desc(t.works.id)];

  const works: WorkRepository = {
    async upsert(input) {
      return run(async (db) => {
        const { source, externalId, ...rest } = input;
        await dialect.upsert(db, t.works, { ...input }, [t.works.source, t.works.externalId], { ...rest, updatedAt: now() });
        return (await works.findByExternalId(source, externalId))!;
      });
    },
    get: (id) =>
      run(async (db, inTransaction) =>
        first(inTransaction ? await db.select().from(t.works).where(eq(t.works.id, id)) : ((await workById(db, { id })) as Work[])),
      ),
    findByExternalId: (source, externalId) =>
      run(async (db) =>
        first(await db.select().from(t.works).where(and(eq(t.works.source, source), eq(t.works.externalId, externalId)))),
      ),
    async existingExternalIds(source, externalIds) {
      if (externalIds.length === 0) return new Set();
      const rows = await run((db) =>
        db
          .select({ externalId: t.works.externalId })
          .from(t.works)
          .where(and(eq(t.works.source, source), inArray(t.works.externalId, externalIds))),
      );
      return new Set(rows.map((r) => r.externalId));
    },
    /**
     * Dated works first, then undated ones (NULL published_at last in both orders), as two plain index
     * ranges: one query ordering on `published_at IS NULL` made the database sort every remaining row for
     * each page, so walking 100k works page by page grew quadratically.
     */
    async list(query) {
      const beyond = query.order === 'oldest' ? gt : lt;
      const filters = [
        query.source ? eq(t.works.source, query.source) : undefined,
        query.status ? eq(t.works.status, query.status) : undefined,
        query.authorId !== undefined ? eq(t.works.authorId, query.authorId) : undefined,
        query.ownerUserId !== undefined ? eq(t.works.ownerUserId, query.ownerUserId) : undefined,
      ];
      const after = query.after;
      const page: Work[] = [];
      if (!after || after.publishedAt !== null) {
        // "Strictly after (publishedAt, id)" as a range on published_at first, so the index drives it.
        const cursor = after?.publishedAt
          ? and(
              query.order === 'oldest' ? gte(t.works.publishedAt, after.publishedAt) : lte(t.works.publishedAt, after.publishedAt),
              or(beyond(t.works.publishedAt, after.publishedAt), beyond(t.works.id, after.id)),
            )
          : undefined;
        page.push(
          ...(await run((db) =>
            db
              .select()
              .from(t.works)
              .where(and(...filters, isNotNull(t.works.publishedAt), cursor))
              .orderBy(...workOrder(query.order))
              .limit(query.limit),
          )),
        );
      }
      if (page.length < query.limit) {
        page.push(
          ...(await run((db) =>
            db
              .select()
              .from(t.works)
              .where(and(...filters, isNull(t.works.publishedAt), after?.publishedAt === null ? beyond(t.works.id, after.id) : undefined))
              .orderBy(query.order === 'oldest' ? asc(t.works.id) : desc(t.works.id))
              .limit(query.limit - page.length),
          )),
        );
      }
      return page;
    },
    async count(filter = {}) {
      const rows = await run((db) =>
        db
          .select({ n: count() })
          .from(t.works)
          .where(
            and(
              filter.source ? eq(t.works.source, filter.source) : undefined,
              filter.status ? eq(t.works.status, filter.status) : undefined,
            ),
          ),
      );
      return Number(rows[0]?.n ?? 0);
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      return run((db) => db.select().from(t.works).where(inArray(t.works.id, [...new Set(ids)])));
    },
    async reactionCounts(id) {
      const row = first(
        (await run(async (db, inTransaction) =>
          inTransaction
            ? db
                .select({
                  likes: sql<number>`(select count(*) from ${t.likes} where ${t.likes.workId} = ${t.works.id})`,
                  favorites: sql<number>`(select count(*) from ${t.favorites} where ${t.favorites.workId} = ${t.works.id})`,
                })
                .from(t.works)
                .where(eq(t.works.id, id))
            : countsById(db, { id }),
        )) as Array<{ likes: number; favorites: number }>,
      );
      return row ? { likes: Number(row.likes), favorites: Number(row.favorites) } : null;
    },
    publish(id, at = now()) {
      // Two guarded UPDATEs (no dialect-specific COALESCE of a date parameter): whichever matches the
      // draft flips it; a published work matches neither, so only one caller ever sees `changed`.
      return store.transaction(() =>
        run(async (db) => {
          const draft = and(eq(t.works.id, id), eq(t.works.status, 'draft'));
          const undated = await db
            .update(t.works)
            .set({ status: 'published', publishedAt: at, updatedAt: now() })
            .where(and(draft, isNull(t.works.publishedAt)));
          const dated = await db.update(t.works).set({ status: 'published', updatedAt: now() }).where(draft);
          const work = await works.get(id);
          return work ? { work, changed: dialect.affectedRows(undated) + dialect.affectedRows(dated) > 0 } : null;
        }),
      );
    },
    async setStatus(id: number, status: WorkStatus) {
      return run(async (db) => {
        await db.update(t.works).set({ status, updatedAt: now() }).where(eq(t.works.id, id));
        return works.get(id);
      });
    },
    async replaceModels(workId, models) {
      await store.transaction(async () =>
        run(async (db) => {
          await db.delete(t.workModels).where(eq(t.workModels.workId, workId));
          for (const model of models) await db.insert(t.workModels).values({ ...model, workId });
        }),
      );
    },
    listModels: (workId) =>
      run((db) => db.select().from(t.workModels).where(eq(t.workModels.workId, workId)).orderBy(asc(t.workModels.id))),
    async listModelsByWorks(workIds) {
      const rows = await inSlices(workIds, (slice) =>
        run((db) =>
          db
            .select({ model: t.workModels, loraId: t.loraLinks.loraId })
            .from(t.workModels)
            .leftJoin(t.loraLinks, eq(t.loraLinks.workModelId, t.workModels.id))
            .where(inArray(t.workModels.workId, slice))
            .orderBy(asc(t.workModels.workId), asc(t.workModels.id)),
        ),
      );
      // Slices are each ordered; sort once more so the whole answer is (slices may split differently).
      return rows
        .map((row) => ({ ...row.model, loraId: row.loraId ?? null }))
        .sort((a, b) => a.workId - b.workId || a.id - b.id);
    },
    listModelRefs: ({ modelType, afterId = 0, limit }) =>
      run((db) =>
        db
          .select({ ...getTableColumns(t.workModels), workSource: t.works.source })
          .from(t.workModels)
          .innerJoin(t.works, eq(t.works.id, t.workModels.workId))
          .where(and(eq(t.workModels.modelType, modelType), gt(t.workModels.id, afterId)))
          .orderBy(asc(t.workModels.id))
          .limit(limit),
      ),
  };

  const images: ImageRepository = {
    async ensure(workId, imageIndex, srcUrl) {
      return run(async (db) => {
        await dialect.insertIgnore(db, t.workImages, [{ workId, imageIndex, srcUrl }]);
        return first(
          await db
            .select()
            .from(t.workImages)
            .where(and(eq(t.workImages.workId, workId), eq(t.workImages.imageIndex, imageIndex))),
        )!;
      });
    },
    async markOk(id, result, downloadedAt = now()) {
      await run((db) => db.update(t.workImages).set({ ...result, downloadedAt, status: 'OK' }).where(eq(t.workImages.id, id)));
    },
    async markFailed(id) {
      await run((db) => db.update(t.workImages).set({ status: 'FAILED' }).where(eq(t.workImages.id, id)));
    },
    listByWork: (workId) =>
      run((db) => db.select().from(t.workImages).where(eq(t.workImages.workId, workId)).orderBy(asc(t.workImages.imageIndex))),
    async listByWorks(workIds) {
      if (workIds.length === 0) return [];
      return run((db) =>
        db
          .select()
          .from(t.workImages)
          .where(inArray(t.workImages.workId, [...new Set(workIds)]))
          .orderBy(asc(t.workImages.workId), asc(t.workImages.imageIndex)),
      );
    },
    listByStatus: (status, limit) =>
      run((db) =>
        db.select().from(t.workImages).where(eq(t.workImages.status, status)).orderBy(asc(t.workImages.id)).limit(limit),
      ),
    findOkByHash: (contentHash) =>
      run(async (db) =>
        first(
          await db
            .select()
            .from(t.workImages)
            .where(and(eq(t.workImages.contentHash, contentHash), eq(t.workImages.status, 'OK')))
            .limit(1),
        ),
      ),
  };

  const comments: CommentRepository = {
    async upsert(workId, input) {
      const { externalId, ...rest } = input;
      await run((db) =>
        dialect.upsert(db, t.comments, { ...input, workId }, [t.comments.workId, t.comments.externalId], {
          ...rest,
          externalId,
        }),
      );
    },
    listByWork: (workId) =>
      run((db) => db.select().from(t.comments).where(eq(t.comments.workId, workId)).orderBy(asc(t.comments.id))),
  };

  const counterColumns = [
    'pagesFetched', 'worksFetched', 'detailsFetched', 'authorsFetched', 'imagesDownloaded', 'bytesDownloaded',
    'requests', 'retries', 'rateLimited',
  ] as const;

  const runs: RunRepository = {
    async start(source, command, startedAt = now()) {
      return run(async (db) => {
        const id = await dialect.insertReturningId(db, t.fetchRuns, { source, command, startedAt, status: 'RUNNING' });
        return (await runs.get(id))!;
      });
    },
    async increment(id, counters) {
      await store.transaction(async () =>
        run(async (db) => {
          // The UPDATE comes first so it holds the row lock while `failures` is read and merged below.
          const set: Record<string, unknown> = { status: sql`${t.fetchRuns.status}` };
          for (const column of counterColumns) {
            const by = counters[column];
            if (by) set[column] = sql`${t.fetchRuns[column]} + ${by}`;
          }
          if (counters.errorSummary !== undefined) set.errorSummary = counters.errorSummary;
          await db.update(t.fetchRuns).set(set).where(eq(t.fetchRuns.id, id));
          if (counters.failures) {
            const merged = { ...((await runs.get(id))?.failures ?? {}) };
            for (const [kind, n] of Object.entries(counters.failures)) merged[kind] = (merged[kind] ?? 0) + n;
            await db.update(t.fetchRuns).set({ failures: merged }).where(eq(t.fetchRuns.id, id));
          }
        }),
      );
    },
    async finish(id, status, extra = {}) {
      if (Object.keys(extra).length > 0) await runs.increment(id, extra);
      await run((db) => db.update(t.fetchRuns).set({ status, endedAt: now() }).where(eq(t.fetchRuns.id, id)));
      return (await runs.get(id)) as FetchRun;
    },
    get: (id) => run(async (db) => first(await db.select().from(t.fetchRuns).where(eq(t.fetchRuns.id, id)))),
    latest: (source, limit) =>
      run((db) =>
        db.select().from(t.fetchRuns).where(eq(t.fetchRuns.source, source)).orderBy(desc(t.fetchRuns.id)).limit(limit),
      ),
  };

  const users: UserRepository = {
    async create(input) {
      return run(async (db) => {
        const id = await dialect.insertReturningId(db, t.users, { ...input });
        return (await users.get(id)) as User;
      });
    },
    get: (id) => run(async (db) => first(await db.select().from(t.users).where(eq(t.users.id, id)))),
    findByUsername: (username) =>
      run(async (db) => first(await db.select().from(t.users).where(eq(t.users.username, username)))),
    getMany: (ids) => inSlices(ids, (slice) => run((db) => db.select().from(t.users).where(inArray(t.users.id, slice)))),
    listByUsernames: (usernames) =>
      inSlices(usernames, (slice) => run((db) => db.select().from(t.users).where(inArray(t.users.username, slice)))),
    findByGoogleSub: (googleSub) =>
      run(async (db) => first(await db.select().from(t.users).where(eq(t.users.googleSub, googleSub)))),
    async update(id, changes) {
      return run(async (db) => {
        await db.update(t.users).set({ ...changes, updatedAt: now() }).where(eq(t.users.id, id));
        return users.get(id);
      });
    },
  };

  const sessions: SessionRepository = {
    async create(session) {
      return run(async (db) => {
        await db.insert(t.sessions).values(session);
        return first(await db.select().from(t.sessions).where(eq(t.sessions.id, session.id)))!;
      });
    },
    getWithUser: (id) =>
      run(async (db, inTransaction) =>
        first(
          (inTransaction
            ? await db.select({ session: t.sessions, user: t.users }).from(t.sessions).innerJoin(t.users, eq(t.users.id, t.sessions.userId)).where(eq(t.sessions.id, id))
            : await sessionById(db, { id })) as Array<{ session: Session; user: User }>,
        ),
      ),
    async setExpiry(id, expiresAt) {
      await run((db) => db.update(t.sessions).set({ expiresAt }).where(eq(t.sessions.id, id)));
    },
    async delete(id) {
      await run((db) => db.delete(t.sessions).where(eq(t.sessions.id, id)));
    },
    async deleteAllForUser(userId) {
      await run((db) => db.delete(t.sessions).where(eq(t.sessions.userId, userId)));
    },
    deleteExpired: (at) =>
      run(async (db) => dialect.affectedRows(await db.delete(t.sessions).where(lte(t.sessions.expiresAt, at)))),
  };

  const reactions = (table: typeof t.likes | typeof t.favorites): ReactionRepository => {
    const pair = (userId: number, workId: number) => and(eq(table.userId, userId), eq(table.workId, workId));
    const insertPrepared = prepared((db) =>
      dialect.insertIgnoreQuery(db, table, { userId: placeholder('userId'), workId: placeholder('workId'), createdAt: placeholder('createdAt') }).prepare(),
    );
    const deletePrepared = prepared((db) =>
      db.delete(table).where(and(eq(table.userId, placeholder('userId')), eq(table.workId, placeholder('workId')))).prepare(),
    );
    return {
      add: (userId, workId) =>
        run(async (db, inTransaction) =>
          inTransaction
            ? (await dialect.insertIgnore(db, table, [{ userId, workId, createdAt: now() }])) > 0
            : dialect.affectedRows(await insertPrepared(db, { userId, workId, createdAt: now() })) > 0,
        ),
      remove: (userId, workId) =>
        run(async (db, inTransaction) =>
          dialect.affectedRows(inTransaction ? await db.delete(table).where(pair(userId, workId)) : await deletePrepared(db, { userId, workId })) > 0,
        ),
      has: (userId, workId) => run(async (db) => (await db.select({ n: count() }).from(table).where(pair(userId, workId)))[0]!.n > 0),
      count: (workId) => run(async (db) => Number((await db.select({ n: count() }).from(table).where(eq(table.workId, workId)))[0]!.n)),
      pageByUser: (userId, limit, after) =>
        run((db) =>
          db
            .select({ workId: table.workId, createdAt: table.createdAt })
            .from(table)
            .where(
              and(
                eq(table.userId, userId),
                after
                  ? or(lt(table.createdAt, after.createdAt), and(eq(table.createdAt, after.createdAt), lt(table.workId, after.workId)))
                  : undefined,
              ),
            )
            .orderBy(desc(table.createdAt), desc(table.workId))
            .limit(limit),
        ),
      async countByWorks(workIds) {
        if (workIds.length === 0) return new Map();
        const rows = await run((db) =>
          db
            .select({ workId: table.workId, n: count() })
            .from(table)
            .where(inArray(table.workId, [...new Set(workIds)]))
            .groupBy(table.workId),
        );
        return new Map(rows.map((r) => [r.workId, Number(r.n)]));
      },
      async filterWorkIds(userId, workIds) {
        if (workIds.length === 0) return new Set();
        const rows = await run((db) =>
          db
            .select({ workId: table.workId })
            .from(table)
            .where(and(eq(table.userId, userId), inArray(table.workId, [...new Set(workIds)]))),
        );
        return new Set(rows.map((r) => r.workId));
      },
      async topWorks(limit) {
        const rows = await run((db) =>
          db
            .select({ workId: table.workId, n: count() })
            .from(table)
            .groupBy(table.workId)
            .orderBy(desc(count()), desc(table.workId))
            .limit(limit),
        );
        return rows.map((r) => ({ workId: r.workId, count: Number(r.n) }));
      },
      listWorkIdsByUser: (userId, limit) =>
        run(async (db) =>
          (
            await db
              .select({ workId: table.workId })
              .from(table)
              .where(eq(table.userId, userId))
              .orderBy(desc(table.createdAt), desc(table.workId))
              .limit(limit)
          ).map((r) => r.workId),
        ),
    };
  };

  const loras: LoraRepository = {
    async upsert(input) {
      return run(async (db) => {
        const { source, externalId, ...rest } = input;
        await dialect.upsert(db, t.loras, { ...input }, [t.loras.source, t.loras.externalId], { ...rest, updatedAt: now() });
        return (await loras.findByExternalId(source, externalId)) as Lora;
      });
    },
    findByExternalId: (source, externalId) =>
      run(async (db) =>
        first(await db.select().from(t.loras).where(and(eq(t.loras.source, source), eq(t.loras.externalId, externalId)))),
      ),
    list: ({ task, limit }) =>
      run((db) =>
        db
          .select()
          .from(t.loras)
          .where(task ? eq(t.loras.task, task) : undefined)
          .orderBy(desc(t.loras.downloads), asc(t.loras.id))
          .limit(limit),
      ),
    count: () => run(async (db) => Number((await db.select({ n: count() }).from(t.loras))[0]!.n)),
    replaceLinks: (loraIds, links) =>
      store.transaction(() =>
        run(async (db) => {
          for (let i = 0; i < loraIds.length; i += 500) await db.delete(t.loraLinks).where(inArray(t.loraLinks.loraId, loraIds.slice(i, i + 500)));
          const refs = links.map((l) => l.workModelId);
          for (let i = 0; i < refs.length; i += 500) await db.delete(t.loraLinks).where(inArray(t.loraLinks.workModelId, refs.slice(i, i + 500)));
          for (let i = 0; i < links.length; i += 500) await db.insert(t.loraLinks).values(links.slice(i, i + 500));
        }),
      ),
    listLinks: (loraId) =>
      run(async (db) =>
        (
          await db
            .select({ link: t.loraLinks, workId: t.workModels.workId })
            .from(t.loraLinks)
            .innerJoin(t.workModels, eq(t.workModels.id, t.loraLinks.workModelId))
            .where(eq(t.loraLinks.loraId, loraId))
            .orderBy(asc(t.loraLinks.id))
        ).map((row) => ({ ...row.link, workId: row.workId })),
      ),
  };

  const statusCounts = <S extends string>(statuses: readonly S[], rows: { status: S; n: number }[]) => {
    const out = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<S, number>;
    for (const row of rows) out[row.status] = Number(row.n);
    return out;
  };

  const jobs: JobRepository = {
    async enqueue(input) {
      return run(async (db) => {
        await db.insert(t.jobs).values({
          id: input.id,
          name: input.name,
          payload: input.payload,
          userId: input.userId ?? null,
          maxAttempts: input.maxAttempts ?? 3,
          runAt: input.runAt ?? now(),
        });
        return (await jobs.get(input.id)) as Job;
      });
    },
    get: (id) => run(async (db) => first(await db.select().from(t.jobs).where(eq(t.jobs.id, id)))),
    claimNext(workerId, names, at = now()) {
      if (names.length === 0) return Promise.resolve(null);
      return store.transaction(() =>
        run(async (db) => {
          const candidate = first(
            await dialect.forUpdateSkipLocked(
              db
                .select()
                .from(t.jobs)
                .where(and(eq(t.jobs.status, 'queued'), inArray(t.jobs.name, names), lte(t.jobs.runAt, at)))
                .orderBy(asc(t.jobs.runAt), asc(t.jobs.createdAt))
                .limit(1),
            ),
          );
          if (!candidate) return null;
          await db
            .update(t.jobs)
            .set({ status: 'running', lockedBy: workerId, lockedAt: at, attempts: candidate.attempts + 1, updatedAt: at })
            .where(and(eq(t.jobs.id, candidate.id), eq(t.jobs.status, 'queued')));
          return jobs.get(candidate.id);
        }),
      );
    },
    async setProgress(id, progress) {
      await run((db) => db.update(t.jobs).set({ progress: Math.min(1, Math.max(0, progress)), updatedAt: now() }).where(eq(t.jobs.id, id)));
    },
    async complete(id, result) {
      await run((db) =>
        db.update(t.jobs).set({ status: 'succeeded', progress: 1, result, error: null, lockedBy: null, updatedAt: now() }).where(eq(t.jobs.id, id)),
      );
    },
    fail(id, error, retryAt) {
      return store.transaction(() =>
        run(async (db) => {
          const job = await jobs.get(id);
          if (!job) return null;
          const retry = job.attempts < job.maxAttempts;
          await db
            .update(t.jobs)
            .set({ status: retry ? 'queued' : 'failed', error, runAt: retry ? retryAt : job.runAt, lockedBy: null, updatedAt: now() })
            .where(eq(t.jobs.id, id));
          return jobs.get(id);
        }),
      );
    },
    cancel: (id) =>
      run(async (db) =>
        dialect.affectedRows(
          await db
            .update(t.jobs)
            .set({ status: 'cancelled', lockedBy: null, updatedAt: now() })
            .where(and(eq(t.jobs.id, id), inArray(t.jobs.status, ['queued', 'running']))),
        ) > 0,
      ),
    requeueStale: (lockedBefore) =>
      run(async (db) =>
        dialect.affectedRows(
          await db
            .update(t.jobs)
            .set({ status: 'queued', lockedBy: null, updatedAt: now() })
            .where(and(eq(t.jobs.status, 'running'), lt(t.jobs.lockedAt, lockedBefore))),
        ),
      ),
    async countByStatus(name) {
      const rows = await run((db) =>
        db
          .select({ status: t.jobs.status, n: count() })
          .from(t.jobs)
          .where(name ? eq(t.jobs.name, name) : undefined)
          .groupBy(t.jobs.status),
      );
      return statusCounts<JobStatus>(JOB_STATUSES, rows);
    },
  };

  const ledgerUnit = (source: Source, stage: string, key: string) =>
    and(eq(t.crawlLedger.source, source), eq(t.crawlLedger.stage, stage), eq(t.crawlLedger.key, key));

  const ledger: LedgerRepository = {
    async enqueue(units) {
      if (units.length === 0) return 0;
      return run((db) =>
        dialect.insertIgnore(
          db,
          t.crawlLedger,
          units.map((u) => ({ source: u.source, stage: u.stage, key: u.key, payload: u.payload ?? null, runId: u.runId ?? null })),
        ),
      );
    },
    get: (source, stage, key) =>
      run(async (db) => first(await db.select().from(t.crawlLedger).where(ledgerUnit(source, stage, key)))),
    due: (source, stage, { now: at, maxAttempts, limit }) =>
      run((db) =>
        db
          .select()
          .from(t.crawlLedger)
          .where(
            and(
              eq(t.crawlLedger.source, source),
              eq(t.crawlLedger.stage, stage),
              or(
                eq(t.crawlLedger.status, 'pending'),
                and(
                  eq(t.crawlLedger.status, 'failed'),
                  lt(t.crawlLedger.attempts, maxAttempts),
                  lte(t.crawlLedger.nextAttemptAt, at),
                ),
              ),
            ),
          )
          .orderBy(asc(t.crawlLedger.id))
          .limit(limit),
      ),
    async markDone(id) {
      await run((db) =>
        db
          .update(t.crawlLedger)
          .set({ status: 'done', attempts: sql`${t.crawlLedger.attempts} + 1`, errorKind: null, errorMessage: null, nextAttemptAt: null, updatedAt: now() })
          .where(eq(t.crawlLedger.id, id)),
      );
    },
    async markFailed(id, failure) {
      return run(async (db) => {
        await db
          .update(t.crawlLedger)
          .set({
            status: 'failed',
            attempts: sql`${t.crawlLedger.attempts} + 1`,
            errorKind: failure.kind,
            errorMessage: failure.message.slice(0, 4000),
            nextAttemptAt: failure.nextAttemptAt,
            updatedAt: now(),
          })
          .where(eq(t.crawlLedger.id, id));
        return first(await db.select().from(t.crawlLedger).where(eq(t.crawlLedger.id, id))) as LedgerEntry;
      });
    },
    requeueFailed: (source, options = {}) =>
      run(async (db) =>
        dialect.affectedRows(
          await db
            .update(t.crawlLedger)
            .set({ status: 'pending', nextAttemptAt: null, updatedAt: now() })
            .where(
              and(
                eq(t.crawlLedger.source, source),
                eq(t.crawlLedger.status, 'failed'),
                options.stage ? eq(t.crawlLedger.stage, options.stage) : undefined,
                options.maxAttempts !== undefined ? lt(t.crawlLedger.attempts, options.maxAttempts) : undefined,
              ),
            ),
        ),
      ),
    async countByStatus(source, stage) {
      const rows = await run((db) =>
        db
          .select({ status: t.crawlLedger.status, n: count() })
          .from(t.crawlLedger)
          .where(and(eq(t.crawlLedger.source, source), stage ? eq(t.crawlLedger.stage, stage) : undefined))
          .groupBy(t.crawlLedger.status),
      );
      return statusCounts<LedgerStatus>(LEDGER_STATUSES, rows);
    },
    async nextRetryAt(source, stage, maxAttempts) {
      const rows = await run((db) =>
        db
          .select({ at: t.crawlLedger.nextAttemptAt })
          .from(t.crawlLedger)
          .where(
            and(
              eq(t.crawlLedger.source, source),
              eq(t.crawlLedger.stage, stage),
              eq(t.crawlLedger.status, 'failed'),
              lt(t.crawlLedger.attempts, maxAttempts),
              isNotNull(t.crawlLedger.nextAttemptAt),
            ),
          )
          .orderBy(asc(t.crawlLedger.nextAttemptAt))
          .limit(1),
      );
      return rows[0]?.at ?? null;
    },
  };

  const store: Store = {
    dialect: dialect.name,
    authors,
    works,
    images,
    comments,
    runs,
    users,
    sessions,
    likes: reactions(t.likes),
    favorites: reactions(t.favorites),
    loras,
    jobs,
    ledger,
    transaction<T>(fn: (s: Store) => Promise<T>): Promise<T> {
      const held = ambient.getStore();
      if (held?.inTransaction) return fn(store);
      if (held) {
        // A transaction started inside a plain connection scope: on SQLite that scope already holds the
        // one connection, so the transaction must not queue behind it.
        return dialect.transaction((tx) => ambient.run({ db: tx, inTransaction: true }, () => fn(store)), held.db);
      }
      return dialect.transaction((tx) => ambient.run({ db: tx, inTransaction: true }, () => fn(store)));
    },
    async ping(): Promise<StoreHealth> {
      const started = performance.now();
      await dialect.withConnection((db) => dialect.ping(db));
      return { dialect: dialect.name, ms: Math.round((performance.now() - started) * 10) / 10 };
    },
    assertMigrated: () => dialect.assertMigrated(),
    close: () => dialect.close(),
  };
  return store;
}

export type { Author, Work };
