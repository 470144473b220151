// Fetch runs: one per crawl command, with counters several stages add to.
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { FetchRun, RunRepository } from '../store.ts';
import { first, now, type RepositoryContext } from './context.ts';

export function createRunRepository({ dialect, t, run, transaction }: RepositoryContext): RunRepository {
  const counterColumns = [
    'pagesFetched', 'worksFetched', 'detailsFetched', 'authorsFetched', 'imagesDownloaded', 'bytesDownloaded',
    'requests', 'retries', 'rateLimited',
  ] as const;

  const runs: RunRepository = {
    async start(source, command, startedAt = now()) {
      return run(async (db) => {
        const id = await dialect.insertReturningId(db, t.fetchRuns, { source, command, startedAt, heartbeatAt: startedAt, status: 'RUNNING' });
        return (await runs.get(id))!;
      });
    },
    async increment(id, counters) {
      await transaction(async () =>
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
    async heartbeat(id, at = now()) {
      await run((db) => db.update(t.fetchRuns).set({ heartbeatAt: at }).where(and(eq(t.fetchRuns.id, id), eq(t.fetchRuns.status, 'RUNNING'))));
    },
    async abortAbandoned(staleBefore, reason) {
      const stale = and(
        eq(t.fetchRuns.status, 'RUNNING'),
        or(lt(t.fetchRuns.heartbeatAt, staleBefore), and(isNull(t.fetchRuns.heartbeatAt), lt(t.fetchRuns.startedAt, staleBefore))),
      );
      const ids = (await run((db) => db.select({ id: t.fetchRuns.id }).from(t.fetchRuns).where(stale))).map((r) => r.id);
      const aborted: FetchRun[] = [];
      for (const id of ids) {
        // Re-checked per row: a run that beat between the select and here stays RUNNING.
        await run((db) => db.update(t.fetchRuns).set({ status: 'ABORTED', endedAt: now(), errorSummary: reason }).where(and(eq(t.fetchRuns.id, id), stale)));
        const row = await runs.get(id);
        if (row?.status === 'ABORTED') aborted.push(row);
      }
      return aborted;
    },
  };
  return runs;
}
