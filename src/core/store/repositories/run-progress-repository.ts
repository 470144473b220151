// Live progress of crawl runs: one row per run, rewritten by the crawler every few seconds and read by
// /admin/runs. The JSON is validated by its reader (src/core/progress/run-progress.ts).
import { desc, eq } from 'drizzle-orm';
import type { RunProgressRepository } from '../store.ts';
import { first, now, type RepositoryContext } from './context.ts';

export function createRunProgressRepository({ dialect, t, run }: RepositoryContext): RunProgressRepository {
  return {
    async save(runId, progress, at = now()) {
      await run((db) => dialect.upsert(db, t.runProgress, { runId, progress, updatedAt: at }, [t.runProgress.runId], { progress, updatedAt: at }));
    },
    get: (runId) =>
      run(async (db) =>
        first(await db.select({ progress: t.runProgress.progress, updatedAt: t.runProgress.updatedAt }).from(t.runProgress).where(eq(t.runProgress.runId, runId))),
      ),
    recent: (limit) =>
      run(async (db) => {
        const rows = await db
          .select({ run: t.fetchRuns, progress: t.runProgress.progress, updatedAt: t.runProgress.updatedAt })
          .from(t.fetchRuns)
          .leftJoin(t.runProgress, eq(t.runProgress.runId, t.fetchRuns.id))
          .orderBy(desc(t.fetchRuns.id))
          .limit(limit);
        return rows.map((row) => ({ run: row.run, progress: row.progress ?? null, updatedAt: row.updatedAt ?? null }));
      }),
  };
}
