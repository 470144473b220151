// One Liblib run: the ledger stages of liblib-crawl.ts on the shared run machinery (ingest/pipeline/run-source.ts).
// Used by `ingest liblib`, `ingest retry-failed --source liblib`, the demo in `start`, and tests.
import { LIBLIB_MEDIA_KEY_TEMPLATE } from '../../../src/core/media/media-key.ts';
import type { RunReport } from '../../pipeline/run-report.ts';
import { runSource, unfinishedWalk, type SourceRunDependencies, type SourceRunOptions } from '../../pipeline/run-source.ts';
import { LiblibClient } from './liblib-client.ts';
import { firstLiblibListUnit, liblibStages, liblibWalkPrefix, type LiblibCrawlOptions } from './liblib-crawl.ts';

export type LiblibRunDependencies = SourceRunDependencies;

/** `retry-failed` only works off the failure queue. */
export type LiblibRunOptions = SourceRunOptions<LiblibCrawlOptions>;

export function runLiblib(deps: LiblibRunDependencies, options: LiblibRunOptions): Promise<RunReport> {
  const { store, config } = deps;
  const { crawl } = options;
  return runSource(deps, {
    source: 'liblib',
    command: `${options.command}:${crawl.mode}`,
    rps: options.rps,
    stageConcurrency: { ...crawl.concurrency },
    maxAttempts: options.maxAttempts,
    retryBaseMs: options.retryBaseMs,
    httpOptions: options.httpOptions,
    keyTemplate: LIBLIB_MEDIA_KEY_TEMPLATE,
    stages: ({ http, media }) => liblibStages(new LiblibClient(http, { apiBase: config.ingest.liblibApiBase, bridgeBase: config.ingest.liblibBridgeBase }), media, store, crawl),
    async prepare(runId, out) {
      if (options.command !== 'crawl') return;
      const unfinished = await unfinishedWalk(store, 'liblib', liblibWalkPrefix(crawl), options.maxAttempts);
      if (unfinished) out(`resuming an unfinished list walk at ${unfinished}`);
      else await store.ledger.enqueue([{ source: 'liblib', runId, ...firstLiblibListUnit(crawl, runId) }]);
    },
  });
}
