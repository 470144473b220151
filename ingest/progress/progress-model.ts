// The one progress model of a crawl: the stage runner reports each unit's outcome, the reporter adds the
// ledger's pending counts and the HTTP client's totals, and snapshot() gives the figures every renderer
// shows (TTY bars, one-line logs, /admin/runs through the store). Rates are over a recent window, so a
// slow start or a pause does not skew the ETA for the rest of the run. The clock is injected (tests).
import type { ErrorKind, Source } from '../../src/core/domain/enums.ts';
import type { RunProgressSnapshot } from '../../src/core/progress/run-progress.ts';

interface StageState {
  done: number;
  failed: number;
  pending: number | null;
  failuresByKind: Record<string, number>;
  finished: boolean;
}

interface Sample {
  at: number;
  done: Map<string, number>;
  requests: number;
}

export interface RunProgressOptions {
  runId: number;
  source: Source;
  command: string;
  stages: readonly string[];
  /** Milliseconds since the epoch (Date.now by default). */
  now?: () => number;
  /** The window rates are measured over (default 30 s). */
  windowMs?: number;
}

export class RunProgress {
  readonly #options: RunProgressOptions;
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #startedAt: number;
  readonly #stages = new Map<string, StageState>();
  #http = { requests: 0, retries: 0, rateLimited: 0 };
  #finished = false;
  #samples: Sample[];

  constructor(options: RunProgressOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#windowMs = options.windowMs ?? 30_000;
    this.#startedAt = this.#now();
    for (const name of options.stages) this.#stages.set(name, { done: 0, failed: 0, pending: null, failuresByKind: {}, finished: false });
    this.#samples = [{ at: this.#startedAt, done: new Map(), requests: 0 }];
  }

  #stage(name: string): StageState {
    let stage = this.#stages.get(name);
    if (!stage) {
      stage = { done: 0, failed: 0, pending: null, failuresByKind: {}, finished: false };
      this.#stages.set(name, stage);
    }
    return stage;
  }

  unitDone(stage: string): void {
    this.#stage(stage).done += 1;
  }

  unitFailed(stage: string, kind: ErrorKind): void {
    const state = this.#stage(stage);
    state.failed += 1;
    state.failuresByKind[kind] = (state.failuresByKind[kind] ?? 0) + 1;
  }

  /** The ledger's pending units of a stage (polled: the runner does not know what other stages enqueue). */
  setPending(stage: string, pending: number): void {
    this.#stage(stage).pending = pending;
  }

  stageFinished(stage: string): void {
    this.#stage(stage).finished = true;
  }

  /** The HTTP client's running totals. */
  setHttp(totals: { requests: number; retries: number; rateLimited: number }): void {
    this.#http = { ...totals };
  }

  finish(): void {
    this.#finished = true;
  }

  /** The figures now; also records a sample for the rates. */
  snapshot(): RunProgressSnapshot {
    const at = this.#now();
    const current: Sample = { at, done: new Map([...this.#stages].map(([name, s]) => [name, s.done])), requests: this.#http.requests };
    // The oldest sample still inside the window is the rates' baseline (the start, early in a run).
    this.#samples.push(current);
    while (this.#samples.length > 2 && this.#samples[1]!.at <= at - this.#windowMs) this.#samples.shift();
    const base = this.#samples[0]!;
    const seconds = (at - base.at) / 1000;
    const perSecond = (now: number, before: number) => (seconds > 0 ? Math.max(0, now - before) / seconds : 0);
    return {
      runId: this.#options.runId,
      source: this.#options.source,
      command: this.#options.command,
      startedAt: new Date(this.#startedAt).toISOString(),
      updatedAt: new Date(at).toISOString(),
      elapsedMs: Math.max(0, at - this.#startedAt),
      stages: [...this.#stages].map(([name, s]) => {
        const ratePerSec = perSecond(s.done, base.done.get(name) ?? 0);
        const etaMs = s.pending === null ? null : s.pending === 0 ? 0 : ratePerSec > 0 ? Math.round((s.pending / ratePerSec) * 1000) : null;
        return { name, done: s.done, failed: s.failed, pending: s.pending, ratePerSec, etaMs, failuresByKind: { ...s.failuresByKind }, finished: s.finished };
      }),
      requests: this.#http.requests,
      requestRate: perSecond(this.#http.requests, base.requests),
      retries: this.#http.retries,
      rateLimited: this.#http.rateLimited,
      finished: this.#finished,
    };
  }
}
