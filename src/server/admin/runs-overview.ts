// What /admin/runs shows: the latest crawl runs with their live progress (as the crawler last saved it)
// and, per stage, the crawl ledger's pending and failed units now.
import type { LedgerStatus } from '../../core/domain/enums.ts';
import { runProgressSchema, type RunProgressSnapshot } from '../../core/progress/run-progress.ts';
import type { FetchRun, Store } from '../../core/store/store.ts';

/** A running run whose progress is older than this has probably died (killed, crashed). */
const STALE_AFTER_MS = 2 * 60_000;

export interface RunOverview {
  run: FetchRun;
  /** null when the run saved none (older runs) or it does not parse. */
  progress: RunProgressSnapshot | null;
  updatedAt: Date | null;
  /** RUNNING, but no progress saved for STALE_AFTER_MS. */
  stale: boolean;
  /** The ledger's units per stage of the run, now. */
  ledger: Record<string, Record<LedgerStatus, number>>;
}

export async function runsOverview(store: Pick<Store, 'runProgress' | 'ledger'>, options: { limit: number; now?: Date }): Promise<RunOverview[]> {
  const now = options.now ?? new Date();
  const rows = await store.runProgress.recent(options.limit);
  const ledgerCache = new Map<string, Promise<Record<LedgerStatus, number>>>();
  return Promise.all(
    rows.map(async ({ run, progress, updatedAt }) => {
      const parsed = runProgressSchema.safeParse(progress);
      const snapshot = parsed.success ? parsed.data : null;
      const ledger: RunOverview['ledger'] = {};
      for (const stage of snapshot?.stages ?? []) {
        const key = `${run.source}\u0000${stage.name}`;
        if (!ledgerCache.has(key)) ledgerCache.set(key, store.ledger.countByStatus(run.source, stage.name));
        ledger[stage.name] = await ledgerCache.get(key)!;
      }
      const lastSign = updatedAt ?? run.startedAt;
      const stale = run.status === 'RUNNING' && now.getTime() - lastSign.getTime() > STALE_AFTER_MS;
      return { run, progress: snapshot, updatedAt, stale, ledger };
    }),
  );
}
