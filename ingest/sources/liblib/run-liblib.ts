// One Liblib run, end to end: polite clients, media pipeline, the ledger stages, counters, report, alert.
// Used by `ingest liblib`, `ingest retry-failed --source liblib`, the demo in `start`, and tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BlobStore } from '../../../src/lib/blob/blob-store.ts';
import type { Config } from '../../../src/lib/env.ts';
import type { Logger } from '../../../src/lib/log.ts';
import type { Store } from '../../../src/lib/store/store.ts';
import { HostPool } from '../../http/host-pool.ts';
import { PoliteHttpClient, type PoliteHttpClientOptions } from '../../http/polite-http-client.ts';
import { LIBLIB_MEDIA_KEY_TEMPLATE } from '../../media/media-key.ts';
import { MediaPipeline } from '../../media/media-pipeline.ts';
import { finishRun, renderReport, sendAlert, writeReport, type RunReport } from '../../pipeline/run-report.ts';
import { runStages } from '../../pipeline/stage-runner.ts';
import { LiblibClient } from './liblib-client.ts';
import { firstListUnit, liblibStages, walkPrefix, type LiblibCrawlOptions } from './liblib-crawl.ts';

export interface LiblibRunDependencies {
  config: Config;
  store: Store;
  blobs: BlobStore;
  log: Logger;
  out?: (line: string) => void;
  signal?: AbortSignal;
}

export interface LiblibRunOptions {
  crawl: LiblibCrawlOptions;
  rps: number;
  maxAttempts: number;
  /** `crawl` seeds the first list page; `retry-failed` only works off the failure queue. */
  command: 'crawl' | 'retry-failed';
  /** In-run retry delay base (tests shorten it). */
  retryBaseMs?: number;
  /** Overrides for the polite clients' backoff and timeouts (tests shorten them). */
  httpOptions?: Partial<Pick<PoliteHttpClientOptions, 'maxRetries' | 'baseDelayMs' | 'maxDelayMs' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'connectTimeoutMs'>>;
}

export async function runLiblib(deps: LiblibRunDependencies, options: LiblibRunOptions): Promise<RunReport> {
  const { config, store, blobs, log } = deps;
  const out = deps.out ?? (() => undefined);
  const run = await store.runs.start('liblib', `${options.command}:${options.crawl.mode}`);
  const runLog = log.child({ runId: run.id, source: 'liblib' });
  const concurrency = options.crawl.concurrency;
  const http = new HostPool(
    () =>
      new PoliteHttpClient({
        rps: options.rps,
        stageConcurrency: { list: concurrency.list, detail: concurrency.detail, author: concurrency.author, comments: concurrency.comments, media: concurrency.media },
        logger: runLog,
        runId: String(run.id),
        ...options.httpOptions,
      }),
  );
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-media-'));
  const media = new MediaPipeline({
    http,
    blobs,
    store,
    tmpDir,
    keyTemplate: LIBLIB_MEDIA_KEY_TEMPLATE,
    thumbnailWidths: config.ingest.thumbnailWidths,
    logger: runLog,
  });
  const client = new LiblibClient(http, { apiBase: config.ingest.liblibApiBase });
  const stages = liblibStages(client, media, store, options.crawl);
  let error: unknown;
  let result = { stages: {}, counters: { pagesFetched: 0, worksFetched: 0, detailsFetched: 0, authorsFetched: 0, imagesDownloaded: 0, bytesDownloaded: 0 } } as Awaited<ReturnType<typeof runStages>>;
  try {
    if (options.command === 'crawl') {
      const prefix = walkPrefix(options.crawl);
      const unfinished = (await store.ledger.due('liblib', 'list', { now: new Date(), maxAttempts: options.maxAttempts, limit: 1000 }))
        .filter((unit) => unit.key.startsWith(prefix));
      if (unfinished.length > 0) out(`resuming an unfinished list walk at ${unfinished[0]!.key}`);
      else await store.ledger.enqueue([{ source: 'liblib', runId: run.id, ...firstListUnit(options.crawl, run.id) }]);
    }
    out(`run ${run.id}: liblib ${options.command} (${options.crawl.mode}, ${options.crawl.category.name}, ≤ ${options.rps} req/s per host)`);
    result = await runStages({
      store, source: 'liblib', runId: run.id, stages, log: runLog, maxAttempts: options.maxAttempts,
      retryBaseMs: options.retryBaseMs, signal: deps.signal,
    });
  } catch (caught) {
    error = caught;
    runLog.error({ err: caught }, 'run aborted');
  } finally {
    await http.close();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  const report = await finishRun({
    store, run, result, http: http.stats(), stageNames: stages.map((s) => s.name), alertThreshold: config.ingest.alertFailureRate, error,
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
