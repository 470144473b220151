// Runs the stages of a crawl off the crawl ledger, all at once: each stage pulls its due units with its
// own concurrency while earlier stages still feed it, so the politeness budget is never left idle.
// A unit's network work happens outside any transaction; its writes and its `done` status then commit
// together, so a crash at any moment loses nothing and duplicates nothing: the rerun redoes the units
// that were in flight, and idempotent upserts make that harmless.
import pLimit from 'p-limit';
import type { ErrorKind, Source } from '../../src/core/domain/enums.ts';
import type { LedgerEntry, LedgerUnit, Store } from '../../src/core/store/store.ts';
import type { Logger } from '../../src/core/log.ts';
import { DatabaseUnavailableError, errorMessage } from '../../src/core/errors.ts';
import { errorKindOf } from '../http/errors.ts';
import type { CrashPoints } from './crash-points.ts';
import { isPermanentFailure } from './failure-policy.ts';

/** A unit a handler enqueues: the runner adds the source and the run. */
export type FollowUpUnit = Omit<LedgerUnit, 'source' | 'runId'>;

/** What a unit's handler returns: the writes to commit together with the unit's `done` status. */
type Commit = (tx: Store) => Promise<void>;

export interface UnitContext {
  runId: number;
  /** Add to a run counter (pagesFetched, worksFetched…). */
  count(counter: CounterName, by?: number): void;
  /** Enqueue follow-up units inside the unit's commit. */
  enqueue(tx: Store, units: FollowUpUnit[]): Promise<number>;
}

type CounterName =
  | 'pagesFetched' | 'worksFetched' | 'detailsFetched' | 'authorsFetched' | 'imagesDownloaded' | 'bytesDownloaded';

export interface StageDefinition {
  name: string;
  concurrency: number;
  /** Stages that create this stage's units: it is finished only once they are. */
  dependsOn: string[];
  handle(unit: LedgerEntry, context: UnitContext): Promise<Commit>;
}

export interface StageRunnerOptions {
  store: Store;
  source: Source;
  runId: number;
  stages: StageDefinition[];
  log: Logger;
  /** Attempts per unit before it stays failed for `retry-failed` (default 3). */
  maxAttempts: number;
  /** Delay before a retryable failure is tried again in this run: base × 2^(attempts−1), jittered. */
  retryBaseMs?: number;
  /** Failures due later than this are left for the next run / `retry-failed`. */
  inRunRetryWindowMs?: number;
  /** How long an idle stage waits before looking at the ledger again. */
  pollMs?: number;
  signal?: AbortSignal;
  now?: () => Date;
  /** Test only (TEST_CRASH_AT): where the crash-resume test kills the process. */
  crashPoints?: CrashPoints | null;
}

interface StageResult {
  /** Units that ended done in this run. */
  done: number;
  /** Failed attempts in this run (a unit retried twice and then done counts 2 here). */
  failed: number;
  /** Units whose last attempt in this run failed: left for the next run or `retry-failed`. */
  unresolved: number;
  /** Of `unresolved`, the units gone upstream (404/410, e.g. dead image links): never retried blindly, never fatal. */
  permanent: number;
  failuresByKind: Partial<Record<ErrorKind, number>>;
}

export interface RunnerResult {
  stages: Record<string, StageResult>;
  counters: Record<CounterName, number>;
}

/** Errors say whether trying again can help (`retryable`); drift never heals by itself, anything else may. */
function isRetryable(error: unknown): boolean {
  const flag = (error as { retryable?: unknown } | null)?.retryable;
  if (typeof flag === 'boolean') return flag;
  return errorKindOf(error) !== 'contract';
}

/** Resolves after `ms`, or at once when `signal` aborts; never leaves a listener behind. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export async function runStages(options: StageRunnerOptions): Promise<RunnerResult> {
  const { store, source, runId, stages, log, maxAttempts, signal, crashPoints } = options;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const windowMs = options.inRunRetryWindowMs ?? 30_000;
  const pollMs = options.pollMs ?? 25;
  const now = options.now ?? (() => new Date());

  const counters: Record<CounterName, number> = {
    pagesFetched: 0, worksFetched: 0, detailsFetched: 0, authorsFetched: 0, imagesDownloaded: 0, bytesDownloaded: 0,
  };
  const results: Record<string, StageResult> = Object.fromEntries(stages.map((s) => [s.name, { done: 0, failed: 0, unresolved: 0, permanent: 0, failuresByKind: {} }]));
  const finished = new Set<string>();
  /** Last outcome of every unit this run touched, by ledger id. */
  const outcomes = new Map<number, { stage: string; ok: boolean; permanent?: boolean }>();
  /**
   * The attempts each unit this run finished now has in the ledger. A `due` read that started before a
   * unit's commit can return after the unit has left `inFlight` (MySQL runs them on different pooled
   * connections): its row then still shows the old attempts, and taking it would do the unit twice.
   */
  const recordedAttempts = new Map<number, number>();
  const context: UnitContext = {
    runId,
    count: (counter, by = 1) => { counters[counter] += by; },
    enqueue: (tx, units) => tx.ledger.enqueue(units.map((u) => ({ ...u, source, runId }))),
  };

  /** The error that stops the whole run (the database is unavailable); units not yet started are skipped. */
  let fatal: unknown;

  async function processUnit(stage: StageDefinition, unit: LedgerEntry): Promise<void> {
    const started = performance.now();
    try {
      const commit = await stage.handle(unit, context);
      crashPoints?.reached('unit-handled', stage.name);
      await store.transaction(async (tx) => {
        await commit(tx);
        await tx.ledger.markDone(unit.id);
      });
      crashPoints?.reached('unit-committed', stage.name);
      recordedAttempts.set(unit.id, unit.attempts + 1);
      results[stage.name]!.done++;
      outcomes.set(unit.id, { stage: stage.name, ok: true });
      log.debug({ stage: stage.name, key: unit.key, attempt: unit.attempts + 1, ms: Math.round(performance.now() - started) }, 'unit done');
    } catch (error) {
      // Nothing can be recorded while the database is away, and it is not this unit's fault: stop the run
      // (the unit stays due with its attempts unchanged; the next run resumes it).
      if (error instanceof DatabaseUnavailableError) throw error;
      const kind = errorKindOf(error);
      const message = errorMessage(error);
      const attempt = unit.attempts + 1;
      const retry = isRetryable(error) && attempt < maxAttempts;
      const delay = retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      await store.ledger.markFailed(unit.id, {
        kind,
        message,
        // Permanent failures (drift, 404) wait for `retry-failed` after a fix, never a blind retry.
        nextAttemptAt: retry ? new Date(now().getTime() + delay) : null,
      });
      recordedAttempts.set(unit.id, unit.attempts + 1);
      outcomes.set(unit.id, { stage: stage.name, ok: false, permanent: isPermanentFailure(kind, message) });
      const result = results[stage.name]!;
      result.failed++;
      result.failuresByKind[kind] = (result.failuresByKind[kind] ?? 0) + 1;
      log.warn({ stage: stage.name, key: unit.key, attempt, kind, retry, err: errorMessage(error) }, 'unit failed');
    }
  }

  async function runStage(stage: StageDefinition): Promise<void> {
    const limit = pLimit(stage.concurrency);
    const inFlight = new Map<number, Promise<void>>();
    /** Units of this stage finished in this run. */
    let settled = 0;
    for (;;) {
      if (signal?.aborted || fatal !== undefined) break;
      // A read may answer from a moment before it returns: only what happened before it started is surely
      // in it. So the stage is over only if upstream had finished, and none of its own units (which may
      // enqueue more, like the list walk) finished, before the read that found nothing.
      const upstreamDone = stage.dependsOn.every((name) => finished.has(name));
      const settledBefore = settled;
      const due = await store.ledger.due(source, stage.name, { now: now(), maxAttempts, limit: stage.concurrency * 2 + inFlight.size });
      const fresh = due.filter((unit) => !inFlight.has(unit.id) && unit.attempts >= (recordedAttempts.get(unit.id) ?? 0));
      for (const unit of fresh) {
        const task = limit(() => (fatal === undefined ? processUnit(stage, unit) : undefined)).catch((error: unknown) => {
          fatal ??= error;
        }).finally(() => {
          inFlight.delete(unit.id);
          settled++;
        });
        inFlight.set(unit.id, task);
      }
      if (fresh.length > 0 && limit.pendingCount < stage.concurrency) continue;
      if (fresh.length === 0 && inFlight.size === 0 && settled === settledBefore) {
        const retryAt = await store.ledger.nextRetryAt(source, stage.name, maxAttempts);
        const retrySoon = retryAt !== null && retryAt.getTime() - now().getTime() <= windowMs;
        if (upstreamDone && !retrySoon) break;
      }
      // Wait for a slot to free up, new units from upstream, or a retry to come due.
      await Promise.race([sleep(pollMs, signal), ...(inFlight.size >= stage.concurrency ? [Promise.race(inFlight.values())] : [])]);
    }
    await Promise.allSettled(inFlight.values());
    finished.add(stage.name);
  }

  await Promise.all(
    stages.map((stage) =>
      runStage(stage).catch((error: unknown) => {
        fatal ??= error;
      }),
    ),
  );
  // The database went away (or a stage's own read failed): every stage has stopped; say why.
  if (fatal !== undefined) throw fatal;
  for (const outcome of outcomes.values()) {
    if (outcome.ok) continue;
    results[outcome.stage]!.unresolved++;
    if (outcome.permanent) results[outcome.stage]!.permanent++;
  }
  return { stages: results, counters };
}
