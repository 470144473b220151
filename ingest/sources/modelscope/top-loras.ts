// One Top-LoRAs run for one task, end to end: reuse a fresh cache or fetch the top LoRAs by downloads
// (paging until enough valid items or the end), download their covers, write the cache file atomically,
// and (with a Store) upsert them into the catalogue with cover blobs, thumbnails and reference links.
// Used by `ingest toploras` and tests. Fatal failures become UserFacingErrors in the seed's words (table
// §11); the old cache file is never touched by a failed run.
import type { BlobStore } from '../../../src/core/blob/blob-store.ts';
import type { Config } from '../../../src/core/env.ts';
import { ContractError, UserFacingError } from '../../../src/core/errors.ts';
import type { Logger } from '../../../src/core/log.ts';
import type { Store } from '../../../src/core/store/store.ts';
import { HostPool } from '../../http/host-pool.ts';
import type { HttpStats } from '../../http/http-client.ts';
import { HttpStatusError, NetworkError, ResponseFormatError, TimeoutError } from '../../http/errors.ts';
import { PoliteHttpClient, type PoliteHttpClientOptions } from '../../http/polite-http-client.ts';
import { CACHE_MAX_AGE_MS, CacheFileError, isFresh, readCache, writeCache, type TopLorasCache } from './cache-file.ts';
import { upsertTopLoras, type UpsertTopLorasResult } from './upsert-top-loras.ts';
import { NO_COVER_URL, downloadCovers, storedPath, type CoverOutcome } from './covers.ts';
import { ModelScopeClient } from './modelscope-client.ts';
import type { SkippedItem, TopLora } from './normalize.ts';

/** Seed §10/§11: up to 3 retries, exponential from 1 s; a request taking over 10 s is a timeout. */
const TOP_LORAS_HTTP: Pick<PoliteHttpClientOptions, 'maxRetries' | 'baseDelayMs' | 'maxDelayMs' | 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs'> = {
  maxRetries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
};
/** Pages asked for at most in one run, whatever the limit (a safety net against a paging loop). */
const MAX_PAGES = 50;

export interface TopLorasOptions {
  task: string;
  limit: number;
  forceRefresh: boolean;
  cacheFile: string;
  imagesDir: string;
  /** Download covers (default in the CLI); false leaves every `cover_local` null. */
  covers: boolean;
  /** The directory `cover_local` paths are relative to (the working directory). */
  baseDir: string;
  /** Items per request; default: the limit, between 10 and 100. */
  pageSize?: number;
  maxAgeMs?: number;
  /** Overrides of TOP_LORAS_HTTP (tests shorten them). */
  httpOptions?: Partial<typeof TOP_LORAS_HTTP>;
  now?: () => Date;
}

export interface TopLorasDependencies {
  config: Config;
  log: Logger;
  /** With a store and blobs, the LoRAs also go into the catalogue. */
  store?: Store;
  blobs?: BlobStore;
  onCoverProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface TopLorasResult {
  task: string;
  cacheFile: string;
  imagesDir: string;
  /** The fresh cache was used: nothing was fetched. */
  reused: boolean;
  /** The cache that was there before, when it could not be read (it was replaced). */
  unreadableCache: string | null;
  cachedAt: Date;
  results: TopLora[];
  /** Fewer results than the limit: everything there is ("没有更多内容"). */
  exhausted: boolean;
  pages: number;
  skipped: SkippedItem[];
  /** Whether the model search needed the token (after an anonymous refusal). */
  authenticated: boolean;
  covers: CoverOutcome[];
  catalogue: UpsertTopLorasResult | null;
  runId: number | null;
  http: HttpStats;
}

/** The seed's error table (§11) for a failure to reach or read ModelScope's model search. */
function describeFetchError(error: unknown, cacheFile: string, hasOldCache: boolean): unknown {
  const kept = hasOldCache ? `the old cache ${cacheFile} is kept unchanged` : `no cache was written to ${cacheFile}`;
  if (error instanceof TimeoutError) {
    return new UserFacingError(`请求超时：ModelScope 超过 10 秒没有响应，已重试 ${error.attempt - 1} 次（${error.phase} timeout）`, {
      hint: `try again later (允许重试); ${kept}`, cause: error,
    });
  }
  if (error instanceof NetworkError) {
    return new UserFacingError(`网络连接失败：无法连接 ModelScope（${error.code ?? error.message}）`, {
      hint: `check the network, a proxy, or MODELSCOPE_API_BASE, then run again (重试); ${kept}`, cause: error,
    });
  }
  if (error instanceof HttpStatusError || error instanceof ResponseFormatError) {
    const what = error instanceof ResponseFormatError ? `返回的不是 JSON（${error.contentType || 'no content type'}，可能是验证页面）` : `HTTP ${error.status}`;
    return new UserFacingError(`ModelScope 暂时不可用：${what}，已尝试 ${error.attempt} 次`, { hint: `try again later; ${kept}`, cause: error });
  }
  if (error instanceof ContractError) {
    return new UserFacingError(`ModelScope 返回的数据格式变了（契约错误）：${error.message}`, {
      hint: `save the response and run \`ingest inspect --source modelscope --endpoint models --file F\` to see every drifted path; ${kept}`,
      cause: error,
    });
  }
  if (error instanceof UserFacingError) return new UserFacingError(error.message, { hint: `${error.hint ? `${error.hint}; ` : ''}${kept}`, cause: error });
  return error;
}

async function fetchTopLoras(client: ModelScopeClient, options: TopLorasOptions, signal?: AbortSignal) {
  const pageSize = options.pageSize ?? Math.min(100, Math.max(10, options.limit));
  const byId = new Map<string, TopLora>();
  const skipped: SkippedItem[] = [];
  let pages = 0;
  let end = false;
  while (!end && byId.size < options.limit && pages < MAX_PAGES) {
    pages += 1;
    const page = await client.loraPage(options.task, pages, pageSize, signal);
    skipped.push(...page.skipped.map((s) => ({ ...s, index: (pages - 1) * pageSize + s.index })));
    for (const record of page.records) {
      // Ranked lists can repeat an item across pages: keep its best (highest downloads) copy.
      const seen = byId.get(record.id);
      if (!seen || record.downloads > seen.downloads) byId.set(record.id, record);
    }
    end = page.itemCount < pageSize || (page.totalCount !== null && pages * pageSize >= page.totalCount);
  }
  // Stable sort: equal downloads keep the upstream order.
  const results = [...byId.values()].sort((a, b) => b.downloads - a.downloads).slice(0, options.limit);
  return { results, skipped, pages, exhausted: results.length < options.limit };
}

/** Run one task. Throws UserFacingError (exit 1) when the list cannot be fetched; the old cache stays. */
export async function runTopLoras(deps: TopLorasDependencies, options: TopLorasOptions): Promise<TopLorasResult> {
  const { config, log, store, blobs } = deps;
  const now = options.now ?? (() => new Date());
  const token = config.ingest.modelscope.apiToken?.trim() || undefined;
  let old: TopLorasCache | null = null;
  let unreadableCache: string | null = null;
  try {
    old = await readCache(options.cacheFile, options.task);
  } catch (error) {
    if (!(error instanceof CacheFileError)) throw error;
    unreadableCache = error.message;
  }

  const run = store ? await store.runs.start('modelscope', `toploras:${options.task}`) : null;
  const runLog = log.child({ source: 'modelscope', task: options.task, ...(run ? { runId: run.id } : {}) });
  const http = new HostPool(
    () =>
      new PoliteHttpClient({
        rps: config.ingest.rps,
        stageConcurrency: { list: 1, media: config.ingest.concurrency.media },
        logger: runLog,
        ...(run ? { runId: String(run.id) } : {}),
        ...TOP_LORAS_HTTP,
        ...options.httpOptions,
      }),
  );
  const result: TopLorasResult = {
    task: options.task, cacheFile: options.cacheFile, imagesDir: options.imagesDir, reused: false, unreadableCache,
    cachedAt: now(), results: [], exhausted: false, pages: 0, skipped: [], authenticated: false, covers: [], catalogue: null,
    runId: run?.id ?? null, http: { requests: 0, retries: 0, rateLimited: 0, bytes: 0 },
  };
  let failure: unknown;
  try {
    // A fresh cache is reused only when it holds as many results as asked for (an earlier run may have used a smaller --limit).
    if (old && !options.forceRefresh && isFresh(old, now(), options.maxAgeMs ?? CACHE_MAX_AGE_MS) && old.results.length >= options.limit) {
      Object.assign(result, { reused: true, cachedAt: old.cachedAt, results: old.results.slice(0, options.limit) });
    } else {
      const client = new ModelScopeClient(http, { apiBase: config.ingest.modelscope.apiBase, token });
      try {
        const fetched = await fetchTopLoras(client, options, deps.signal);
        Object.assign(result, fetched);
      } catch (error) {
        throw describeFetchError(error, options.cacheFile, old !== null);
      } finally {
        result.authenticated = client.authenticated;
      }
      if (options.covers) {
        result.covers = await downloadCovers({
          http, results: result.results, imagesDir: options.imagesDir, ...(token ? { token } : {}), onProgress: deps.onCoverProgress, signal: deps.signal,
          video: config.video,
        });
        const saved = new Map(result.covers.map((c) => [c.id, c.file]));
        for (const record of result.results) {
          const file = saved.get(record.id);
          record.cover_local = file ? storedPath(file, options.baseDir) : null;
        }
      }
      result.cachedAt = now();
      await writeCache(options.cacheFile, result.results, result.cachedAt);
      runLog.info({ cacheFile: options.cacheFile, results: result.results.length, skipped: result.skipped.length }, 'top-loras cache written');
    }
    if (store && blobs) {
      result.catalogue = await upsertTopLoras({
        store, blobs, results: result.results, baseDir: options.baseDir, thumbnailWidths: config.ingest.thumbnailWidths, video: config.video,
      });
    }
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    await http.close();
    result.http = http.stats();
    if (store && run) {
      const coversSaved = result.covers.filter((c) => c.file).length;
      const failures: Record<string, number> = {};
      const malformed = result.skipped.filter((s) => s.reason === 'malformed').length;
      if (malformed) failures.contract = malformed;
      const coversFailed = result.covers.filter((c) => c.file === null && c.error !== NO_COVER_URL).length;
      if (coversFailed) failures.media = coversFailed;
      await store.runs.finish(run.id, failure === undefined ? 'SUCCESS' : 'FAILED', {
        pagesFetched: result.pages,
        imagesDownloaded: coversSaved,
        bytesDownloaded: result.covers.reduce((sum, c) => sum + c.bytes, 0),
        requests: result.http.requests,
        retries: result.http.retries,
        rateLimited: result.http.rateLimited,
        failures,
        errorSummary: failure === undefined
          ? `${result.results.length} LoRAs (${options.task})${result.reused ? ' from the fresh cache' : ''}, ${result.catalogue?.links.links.length ?? 0} work references linked`
          : `aborted: ${(failure as Error)?.message ?? String(failure)}`,
      }).catch((error: unknown) => runLog.error({ err: error }, 'could not record the run'));
    }
  }
  return result;
}
