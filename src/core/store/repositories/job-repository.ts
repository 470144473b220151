// The database-backed job queue (claimed with FOR UPDATE SKIP LOCKED on MySQL).
import { and, asc, count, eq, inArray, lt, lte } from 'drizzle-orm';
import { JOB_STATUSES, type JobStatus } from '../../domain/enums.ts';
import type { Job, JobRepository } from '../store.ts';
import { first, now, statusCounts, type RepositoryContext } from './context.ts';

export function createJobRepository({ dialect, t, run, transaction }: RepositoryContext): JobRepository {
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
      return transaction(() =>
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
      return transaction(() =>
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
  return jobs;
}
