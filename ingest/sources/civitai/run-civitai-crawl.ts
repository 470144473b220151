// One `--catalog` run (the Civitai crawl into the catalogue): the ledger stages of civitai-crawl.ts on the
// shared run machinery (ingest/pipeline/run-source.ts). A 401/403 stops the run at once (every further
// request would fail the same way) and is rethrown with its clear message after the report is written.
import type { RunReport } from '../../pipeline/run-report.ts';
import { runSource, unfinishedWalk, type SourceRunDependencies, type SourceRunOptions } from '../../pipeline/run-source.ts';
import { CivitaiAuthError, CivitaiClient } from './civitai-client.ts';
import { CIVITAI_MEDIA_KEY_TEMPLATE, civitaiStages, civitaiWalkPrefix, firstCivitaiListUnit, type CivitaiCrawlOptions } from './civitai-crawl.ts';

export type CivitaiCrawlRunDependencies = SourceRunDependencies;

/** `retry-failed` first requeues the failure queue, then resumes an unfinished listing. */
export type CivitaiCrawlRunOptions = SourceRunOptions<CivitaiCrawlOptions>;

export function runCivitaiCrawl(deps: CivitaiCrawlRunDependencies, options: CivitaiCrawlRunOptions): Promise<RunReport> {
  const { store, config } = deps;
  const { concurrency } = options.crawl;
  return runSource(deps, {
    source: 'civitai',
    command: `images:${options.command}`,
    rps: options.rps,
    stageConcurrency: { list: concurrency.list, detail: concurrency.models, media: concurrency.media },
    maxAttempts: options.maxAttempts,
    retryBaseMs: options.retryBaseMs,
    httpOptions: options.httpOptions,
    keyTemplate: CIVITAI_MEDIA_KEY_TEMPLATE,
    stages: ({ http, media }) => civitaiStages(new CivitaiClient(http, config.ingest.civitai), media, store, options.crawl),
    isFatal: (error) => error instanceof CivitaiAuthError,
    async prepare(runId, out) {
      if (options.command === 'retry-failed') {
        const requeued = await store.ledger.requeueFailed('civitai', { maxAttempts: options.maxAttempts * 2 });
        out(`requeued ${requeued} failed unit(s)`);
      }
      const unfinished = await unfinishedWalk(store, 'civitai', civitaiWalkPrefix(options.crawl), options.maxAttempts);
      if (unfinished) out(`resuming an unfinished listing at ${unfinished}`);
      else if (options.command === 'crawl') await store.ledger.enqueue([{ source: 'civitai', runId, ...firstCivitaiListUnit(options.crawl, runId) }]);
    },
  });
}
