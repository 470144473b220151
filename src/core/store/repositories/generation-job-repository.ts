// Generation jobs (the row is the truth of a job; the JobQueue only carries "run it") and users' presets.
// Every transition is one conditional UPDATE, so a cancel and a worker's claim, or two workers, never both win.
import { and, asc, count, desc, eq, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { GENERATION_STATUSES, type GenerationStatus } from '../../domain/enums.ts';
import type { GenerationJobRepository, GenerationPresetRepository } from '../store.ts';
import { first, now, statusCounts, type RepositoryContext } from './context.ts';

export function createGenerationJobRepository({ dialect, t, run }: RepositoryContext): GenerationJobRepository {
  const g = t.generationJobs;
  const held = (id: string, workerId: string) => and(eq(g.id, id), eq(g.status, 'running'), eq(g.workerId, workerId));
  const changed = async (query: Promise<Parameters<typeof dialect.affectedRows>[0]>) => dialect.affectedRows(await query) > 0;

  const jobs: GenerationJobRepository = {
    async create(input) {
      return run(async (db) => {
        await db.insert(g).values({
          id: input.id,
          userId: input.userId,
          task: input.task,
          request: input.request,
          requestedProvider: input.requestedProvider ?? null,
          log: input.log ?? [],
          outputs: [],
        });
        return (await jobs.get(input.id))!;
      });
    },
    get: (id) => run(async (db) => first(await db.select().from(g).where(eq(g.id, id)))),
    listByUser: (userId, limit, after) =>
      run((db) =>
        db
          .select()
          .from(g)
          .where(
            and(
              eq(g.userId, userId),
              after ? or(lt(g.createdAt, after.createdAt), and(eq(g.createdAt, after.createdAt), lt(g.id, after.id))) : undefined,
            ),
          )
          .orderBy(desc(g.createdAt), desc(g.id))
          .limit(limit),
      ),
    async countCreatedSince(userId, since) {
      const recent = and(eq(g.userId, userId), gte(g.createdAt, since));
      return run(async (db) => {
        const [row] = await db.select({ n: count() }).from(g).where(recent);
        const oldest = first(await db.select({ at: g.createdAt }).from(g).where(recent).orderBy(asc(g.createdAt)).limit(1));
        return { count: Number(row?.n ?? 0), oldest: oldest?.at ?? null };
      });
    },
    async claim(id, workerId, at = now()) {
      const ok = await run((db) =>
        changed(
          db
            .update(g)
            .set({ status: 'running', workerId, heartbeatAt: at, startedAt: at, progress: 0, attempts: sql`${g.attempts} + 1`, updatedAt: at })
            .where(and(eq(g.id, id), eq(g.status, 'queued'))),
        ),
      );
      return ok ? jobs.get(id) : null;
    },
    heartbeat: (id, workerId, changes, at = now()) =>
      run((db) =>
        changed(
          db
            .update(g)
            .set({
              heartbeatAt: at,
              updatedAt: at,
              ...(changes.progress !== undefined ? { progress: Math.min(1, Math.max(0, changes.progress)) } : {}),
              ...(changes.log ? { log: changes.log } : {}),
              ...(changes.provider !== undefined ? { provider: changes.provider } : {}),
            })
            .where(held(id, workerId)),
        ),
      ),
    finish: (id, workerId, outcome, at = now()) =>
      run((db) =>
        changed(
          db
            .update(g)
            .set({
              status: outcome.status,
              ...(outcome.status === 'complete' ? { progress: 1 } : {}),
              outputs: outcome.outputs ?? [],
              errorKind: outcome.errorKind ?? null,
              errorMessage: outcome.errorMessage ?? null,
              log: outcome.log,
              finishedAt: at,
              updatedAt: at,
            })
            .where(held(id, workerId)),
        ),
      ),
    requeue: (id, workerId, log) =>
      run((db) =>
        changed(
          db
            .update(g)
            .set({ status: 'queued', workerId: null, progress: 0, log, updatedAt: now() })
            .where(workerId === null ? and(eq(g.id, id), eq(g.status, 'running')) : held(id, workerId)),
        ),
      ),
    listStale: (before, limit) =>
      run((db) =>
        db
          .select()
          .from(g)
          .where(and(eq(g.status, 'running'), or(lt(g.heartbeatAt, before), isNull(g.heartbeatAt))))
          .limit(limit),
      ),
    listQueued: (limit) => run((db) => db.select().from(g).where(eq(g.status, 'queued')).orderBy(asc(g.createdAt)).limit(limit)),
    async cancel(id, log, at = now()) {
      await run((db) =>
        db
          .update(g)
          .set({ status: 'cancelled', log, finishedAt: at, updatedAt: at })
          .where(and(eq(g.id, id), inArray(g.status, ['queued', 'running']))),
      );
      return jobs.get(id);
    },
    failStale: (id, staleBefore, reason, at = now()) =>
      run((db) =>
        changed(
          db
            .update(g)
            .set({ status: 'failed', errorKind: reason.errorKind, errorMessage: reason.errorMessage, log: reason.log, finishedAt: at, updatedAt: at })
            .where(and(eq(g.id, id), eq(g.status, 'running'), or(lt(g.heartbeatAt, staleBefore), isNull(g.heartbeatAt)))),
        ),
      ),
    async countByStatus() {
      const rows = await run((db) => db.select({ status: g.status, n: count() }).from(g).groupBy(g.status));
      return statusCounts<GenerationStatus>(GENERATION_STATUSES, rows);
    },
  };
  return jobs;
}

export function createGenerationPresetRepository({ dialect, t, run }: RepositoryContext): GenerationPresetRepository {
  const p = t.generationPresets;
  const presets: GenerationPresetRepository = {
    listByUser: (userId) => run((db) => db.select().from(p).where(eq(p.userId, userId)).orderBy(p.name)),
    get: (userId, id) => run(async (db) => first(await db.select().from(p).where(and(eq(p.id, id), eq(p.userId, userId))))),
    async create(input) {
      return run(async (db) => {
        const id = await dialect.insertReturningId(db, p, input);
        return (await presets.get(input.userId, id))!;
      });
    },
    async update(userId, id, changes) {
      await run((db) =>
        db
          .update(p)
          .set({ ...changes, updatedAt: now() })
          .where(and(eq(p.id, id), eq(p.userId, userId))),
      );
      return presets.get(userId, id);
    },
    delete: (userId, id) =>
      run(async (db) => dialect.affectedRows(await db.delete(p).where(and(eq(p.id, id), eq(p.userId, userId)))) > 0),
  };
  return presets;
}
