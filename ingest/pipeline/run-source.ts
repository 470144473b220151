// One run of any source's crawl: a fetch_runs row, one polite client per upstream host, the media
// pipeline, the ledger stages, then counters, report files, the printed summary and the failure alert.
// Sources only describe their stages (and how to seed or resume them); everything else is shared.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BlobStore } from '../../src/core/blob/blob-store.ts';
import type { Config } from '../../src/core/env.ts';
import type { Logger } from '../../src/core/log.ts';
import type { Store } from '../../src/core/store/store.ts';
import type { Source } from '../../src/core/domain/enums.ts';
import type { HttpClient } from '../http/http-client.ts';
import { HostPool } from '../http/host-pool.ts';
import { PoliteHttpClient, type PoliteHttpClientOptions } from '../http/polite-http-client.ts';
import { MediaPipeline } from '../media/media-pipeline.ts';
import { RunProgress } from '../progress/progress-model.ts';
import { startProgressReporter, type ProgressOutput } from '../progress/progress-reporter.ts';
import type { CrashPoints } from './crash-points.ts';
import { finishRun, renderReport, sendAlert, writeReport, type RunReport } from './run-report.ts';
import { runStages, type RunnerResult, type StageDefinition } from './stage-runner.ts';

export interface SourceRunDependencies {
  config: Config;
  store: Store;
  blobs: BlobStore;
  log: Logger;
  out?: (line: string) => void;
  signal?: AbortSignal;
  /** Test only (TEST_CRASH_AT): where the crash-resume test kills the process; null or absent in real runs. */
  crashPoints?: CrashPoints | null;
  /** Where live progress is drawn (bars on a terminal, periodic lines otherwise); it is persisted for /admin/runs either way. */
  progressOutput?: ProgressOutput | null;
}

/** Backoff and timeout overrides for the polite clients (tests shorten them). */
type HttpTuning = Partial<
  Pick<PoliteHttpClientOptions, 'maxRetries' | 'baseDelayMs' | 'maxDelayMs' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'connectTimeoutMs'>
>;

/** What a source's run takes: its crawl options and the run's tuning. */
export interface SourceRunOptions<Crawl> {
  crawl: Crawl;
  rps: number;
  maxAttempts: number;
  /** `crawl` seeds the first list page (or resumes an unfinished walk); `retry-failed` works off the failure queue. */
  command: 'crawl' | 'retry-failed';
  /** In-run retry delay base (tests shorten it). */
  retryBaseMs?: number;
  httpOptions?: HttpTuning;
}

export interface SourceRunSpec {
  source: Source;
  /** fetch_runs.command, e.g. `crawl:full`. */
  command: string;
  /** Requests per second per upstream host. */
  rps: number;
  /** Concurrency per HTTP stage name (the polite client's slots). */
  stageConcurrency: Record<string, number>;
  maxAttempts: number;
  retryBaseMs?: number;
  httpOptions?: HttpTuning;
  /** Blob key template of the originals (see ingest/media/media-key.ts). */
  keyTemplate: string;
  stages(services: { http: HttpClient; media: MediaPipeline; runId: number; log: Logger }): StageDefinition[];
  /** Seed the first units, or say that an unfinished walk is being resumed. */
  prepare?(runId: number, out: (line: string) => void): Promise<void>;
  /** Errors after which every further request would fail alike (a refused API key): stop the run at once. */
  isFatal?(error: unknown): boolean;
}

/**
 * The first due list unit of an unfinished walk (keys starting with `prefix`), or null when the last walk
 * of this kind finished: a crashed walk resumes where it stopped instead of starting over.
 */
export async function unfinishedWalk(store: Store, source: Source, prefix: string, maxAttempts: number): Promise<string | null> {
  const due = await store.ledger.due(source, 'list', { now: new Date(), maxAttempts, limit: 1000 });
  return due.find((unit) => unit.key.startsWith(prefix))?.key ?? null;
}

const EMPTY_RESULT: RunnerResult = {
  stages: {},
  counters: { pagesFetched: 0, worksFetched: 0, detailsFetched: 0, authorsFetched: 0, imagesDownloaded: 0, bytesDownloaded: 0 },
};

/** How often a live run refreshes fetch_runs.heartbeat_at (`ingest daily` aborts runs silent for RUN_STALE_MINUTES). */
const HEARTBEAT_MS = 60_000;
/** What `retry-failed`'s failure rate is computed over: the units of the source touched in the last day. */
const DAY_MS = 86_400_000;

export async function runSource(deps: SourceRunDependencies, spec: SourceRunSpec): Promise<RunReport> {
  const { config, store, log, crashPoints } = deps;
  const blobs = crashPoints?.wrapBlobs(deps.blobs) ?? deps.blobs;
  const out = deps.out ?? (() => undefined);
  const run = await store.runs.start(spec.source, spec.command);
  const runLog = log.child({ runId: run.id, source: spec.source });
  // A missed beat is harmless (the next one comes a minute later); a dead process stops beating.
  const heartbeat = setInterval(() => {
    store.runs.heartbeat(run.id).catch((error: unknown) => runLog.warn({ err: (error as Error).message }, 'heartbeat failed'));
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const http = new HostPool(
    () => new PoliteHttpClient({
      rps: spec.rps, stageConcurrency: spec.stageConcurrency, logger: runLog, runId: String(run.id), baseDelayMs: config.ingest.retryBaseMs, ...spec.httpOptions,
    }),
  );
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-media-'));
  const media = new MediaPipeline({
    http, blobs, store, tmpDir, keyTemplate: spec.keyTemplate, thumbnailWidths: config.ingest.thumbnailWidths, video: config.video, logger: runLog,
  });
  const stop = new AbortController();
  let fatal: unknown;
  const stages = spec.stages({ http, media, runId: run.id, log: runLog }).map((stage) => ({
    ...stage,
    handle: (...args: Parameters<StageDefinition['handle']>) =>
      stage.handle(...args).catch((error: unknown) => {
        if (fatal === undefined && spec.isFatal?.(error)) {
          fatal = error;
          stop.abort(error);
        }
        throw error;
      }),
  }));
  let error: unknown;
  let result = EMPTY_RESULT;
  const stageNames = stages.map((s) => s.name);
  const progress = new RunProgress({ runId: run.id, source: spec.source, command: spec.command, stages: stageNames });
  const reporter = startProgressReporter({
    progress, runId: run.id, source: spec.source, stages: stageNames, store, httpStats: () => http.stats(), log: runLog, output: deps.progressOutput,
  });
  try {
    await spec.prepare?.(run.id, out);
    out(`run ${run.id}: ${spec.source} ${spec.command} (≤ ${spec.rps} req/s per host)`);
    result = await runStages({
      store, source: spec.source, runId: run.id, stages, log: runLog, maxAttempts: spec.maxAttempts, retryBaseMs: spec.retryBaseMs ?? config.ingest.retryBaseMs * 2,
      signal: deps.signal ? AbortSignal.any([deps.signal, stop.signal]) : stop.signal, crashPoints, progress,
    });
  } catch (caught) {
    error = caught;
    runLog.error({ err: caught }, 'run aborted');
  } finally {
    clearInterval(heartbeat);
    await reporter.stop();
    await http.close();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  error ??= fatal;
  // retry-failed only sees the failure queue: its rate is over the day's units, not over the retried ones.
  const dayUnits = spec.command.includes('retry-failed')
    ? (await store.ledger.touchedSince(spec.source, new Date(Date.now() - DAY_MS))).touched
    : undefined;
  const report = await finishRun({
    store, run, result, http: http.stats(), stageNames: stages.map((s) => s.name), alertThreshold: config.ingest.alertFailureRate, dayUnits, error,
  });
  if (report.failureRate > report.alertThreshold && config.ingest.alertWebhookUrl) {
    const problem = await sendAlert(config.ingest.alertWebhookUrl, report);
    report.alerted = problem === null;
    if (problem) runLog.error({ webhook: config.ingest.alertWebhookUrl, problem }, 'alert webhook failed');
  }
  const files = await writeReport(report, config.ingest.reportsDir);
  out(renderReport(report));
  out(`report: ${files.md}`);
  if (error !== undefined) throw error;
  return report;
}
