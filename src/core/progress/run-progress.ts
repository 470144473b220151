// A crawl's live progress as the crawler persists it (run_progress.progress_json) and /admin/runs reads
// it: one zod schema for both sides, like the snapshot's.
import { z } from 'zod';
import { SOURCES } from '../domain/enums.ts';

const count = z.number().int().nonnegative();
const rate = z.number().nonnegative();

const stageProgressSchema = z.object({
  name: z.string(),
  /** Units done in this run. */
  done: count,
  /** Failed attempts in this run. */
  failed: count,
  /** Units still pending in the ledger (null until first counted): the known remainder. */
  pending: count.nullable(),
  /** Units done per second over the recent window. */
  ratePerSec: rate,
  /** Time left at the current rate; null when unknown (no rate yet, or nothing known pending). */
  etaMs: count.nullable(),
  failuresByKind: z.record(z.string(), count),
  /** Every upstream stage finished and nothing is left: this stage is over. */
  finished: z.boolean(),
});
export type StageProgress = z.infer<typeof stageProgressSchema>;

export const runProgressSchema = z.object({
  runId: z.number().int().positive(),
  source: z.enum(SOURCES),
  command: z.string(),
  startedAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  elapsedMs: count,
  stages: z.array(stageProgressSchema),
  requests: count,
  /** Requests per second over the recent window (retries included). */
  requestRate: rate,
  retries: count,
  rateLimited: count,
  /** The run ended (its last update). */
  finished: z.boolean(),
});
export type RunProgressSnapshot = z.infer<typeof runProgressSchema>;

/** `done / (done + pending)`, or null when nothing is known pending yet. */
export function stageFraction(stage: Pick<StageProgress, 'done' | 'pending'>): number | null {
  if (stage.pending === null) return null;
  const total = stage.done + stage.pending;
  return total === 0 ? 1 : stage.done / total;
}

/** `2h05m`, `3m07s`, `42s` (the terminal and /admin/runs show durations alike). */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}
