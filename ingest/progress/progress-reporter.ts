// Drives the progress model during a run: counts the ledger's pending units and reads the HTTP totals,
// persists the snapshot to the store (what /admin/runs shows) and renders it, as bars redrawn on a
// terminal or as one line per interval otherwise. A failed persist is logged, never fatal to the crawl.
import type { Logger } from '../../src/core/log.ts';
import type { Source } from '../../src/core/domain/enums.ts';
import type { Store } from '../../src/core/store/store.ts';
import type { HttpStats } from '../http/http-client.ts';
import type { RunProgress } from './progress-model.ts';
import { renderProgressBars, renderProgressLine, TtyPainter } from './progress-render.ts';

/** Where progress is shown: a terminal gets bars redrawn in place, anything else one line per interval. */
export interface ProgressOutput {
  tty: boolean;
  write(text: string): void;
  /** Non-TTY: milliseconds between lines (0: none). */
  lineIntervalMs: number;
}

export interface ProgressReporterOptions {
  progress: RunProgress;
  runId: number;
  source: Source;
  stages: readonly string[];
  store: Pick<Store, 'ledger' | 'runProgress'>;
  httpStats: () => HttpStats;
  log: Logger;
  output?: ProgressOutput | null;
  /** Between store writes (default 5 s). */
  persistIntervalMs?: number;
  /** Between TTY redraws (default 500 ms). */
  ttyIntervalMs?: number;
}

export interface ProgressReporter {
  /** Mark the run finished, persist and draw the last figures, stop the timers. */
  stop(): Promise<void>;
}

export function startProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const { progress, store, source, stages, output, log } = options;
  const painter = output?.tty ? new TtyPainter((text) => output.write(text)) : null;
  const timers: NodeJS.Timeout[] = [];
  let persisting: Promise<void> = Promise.resolve();

  const refreshHttp = () => {
    const { requests, retries, rateLimited } = options.httpStats();
    progress.setHttp({ requests, retries, rateLimited });
  };
  const persist = async () => {
    try {
      for (const stage of stages) progress.setPending(stage, (await store.ledger.countByStatus(source, stage)).pending);
      refreshHttp();
      await store.runProgress.save(options.runId, progress.snapshot());
    } catch (error) {
      log.warn({ err: error }, 'could not save the run progress');
    }
  };
  const persistOnce = () => {
    // One write at a time: a slow database must not pile up writes.
    persisting = persisting.then(persist);
    return persisting;
  };
  const every = (ms: number, fn: () => void) => {
    if (ms <= 0) return;
    const timer = setInterval(fn, ms);
    timer.unref();
    timers.push(timer);
  };

  void persistOnce();
  every(options.persistIntervalMs ?? 5000, () => void persistOnce());
  if (painter) {
    every(options.ttyIntervalMs ?? 500, () => {
      refreshHttp();
      painter.paint(renderProgressBars(progress.snapshot()));
    });
  } else if (output) {
    every(output.lineIntervalMs, () => {
      refreshHttp();
      output.write(`${renderProgressLine(progress.snapshot())}\n`);
    });
  }

  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      progress.finish();
      await persistOnce();
      painter?.paint(renderProgressBars(progress.snapshot()));
    },
  };
}
