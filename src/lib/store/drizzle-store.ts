// One implementation of every repository, shared by both dialects. The two schemas mirror each other, so
// drizzle's select/update/delete builders are the same; what differs (upsert syntax, insert ids, affected
// rows, locking, transactions) lives behind the Dialect interface in sqlite/ and mysql/.
import { AsyncLocalStorage } from 'node:async_hooks';
import { and, asc, count, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type * as schema from './sqlite/schema.ts';
import {
  JOB_STATUSES, LEDGER_STATUSES, type JobStatus, type LedgerStatus, type Source, type WorkStatus,
} from './enums.ts';
import type {
  Author, AuthorInput, AuthorRepository, CommentRepository, FetchRun, ImageRepository, Job, JobRepository,
  LedgerEntry, LedgerRepository, Lora, LoraRepository, ReactionRepository, RunCounters, RunRepository,
  SessionRepository, Store, StoreHealth, User, UserRepository, Work, WorkListQuery, WorkRepository,
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

export function createDrizzleStore(dialect: Dialect): Store {
  const t = dialect.tables;
  // The connection (or transaction) the current async call chain already holds: repository methods that
  // call each other reuse it instead of queueing behind themselves on SQLite's single connection.
  const ambient = new AsyncLocalStorage<{ db: Db; inTransaction: boolean }>();
  const run = <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const held = ambient.getStore();
    if (held) return fn(held.db);
    return dialect.withConnection((db) => ambient.run({ db, inTransaction: false }, () => fn(db)));
  };
  const first = <T>(rows: T[]): T | null => rows[0] ?? null;

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
  };

  const workOrder = (order: WorkListQuery['order']) =>
    order === 'oldest' ? [asc(t.works.publishedAt), asc(t.works.id)] : [desc(t.works.publishedAt), desc(t.works.id)];

  /** Keyset condition "strictly after this work" for the chosen order; NULL published_at sorts last. */
  const afterCondition = (after: NonNullable<WorkListQuery['after']>, order: WorkListQuery['order']): SQL => {
    const beyond = order === 'oldest' ? gt : lt;
    if (after.publishedAt === null) return and(isNull(t.works.publishedAt), beyond(t.works.id, after.id))!;
    return or(
      beyond(t.works.publishedAt, after.publishedAt),
      and(eq(t.works.publishedAt, after.publishedAt), beyond(t.works.id, after.id)),
      ...(order === 'oldest' ? [] : [isNull(t.works.publishedAt)]),
    )!;
  };

  const works: WorkRepository = {
    async upsert(input) {
      return run(async (db) => {
        const { source, externalId, ...rest } = input;
        await dialect.upsert(db, t.works, { ...input }, [t.works.source, t.works.externalId], { ...rest, updatedAt: now() });
        return (await works.findByExternalId(source, externalId))!;
      });
    },
    get: (id) => run(async (db) => first(await db.select().from(t.works).where(eq(t.works.id, id)))),
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
    list(query) {
      const conditions = [
        query.source ? eq(t.works.source, query.source) : undefined,
        query.status ? eq(t.works.status, query.status) : undefined,
        query.authorId !== undefined ? eq(t.works.authorId, query.authorId) : undefined,
        query.ownerUserId !== undefined ? eq(t.works.ownerUserId, query.ownerUserId) : undefined,
        query.after ? afterCondition(query.after, query.order) : undefined,
      ];
      return run((db) =>
        db
          .select()
          .from(t.works)
          .where(and(...conditions))
          // Portable "NULLs last" for both orders: sort on IS NULL first.
          .orderBy(sql`${t.works.publishedAt} IS NULL`, ...workOrder(query.order))
          .limit(query.limit),
      );
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
      run(async (db) =>
        first(
          await db
            .select({ session: t.sessions, user: t.users })
            .from(t.sessions)
            .innerJoin(t.users, eq(t.users.id, t.sessions.userId))
            .where(eq(t.sessions.id, id)),
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
    return {
      add: (userId, workId) => run(async (db) => (await dialect.insertIgnore(db, table, [{ userId, workId, createdAt: now() }])) > 0),
      remove: (userId, workId) => run(async (db) => dialect.affectedRows(await db.delete(table).where(pair(userId, workId))) > 0),
      has: (userId, workId) => run(async (db) => (await db.select({ n: count() }).from(table).where(pair(userId, workId)))[0]!.n > 0),
      count: (workId) => run(async (db) => Number((await db.select({ n: count() }).from(table).where(eq(table.workId, workId)))[0]!.n)),
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
