// The polite HTTP client: one per upstream host, shared by every stage of a run.
//
// Per attempt: wait for a slot of the stage's concurrency limit (p-limit), then a token from the host's
// token bucket (so the rate holds at the server, retries included), then send with undici. Failures are
// retried with exponential backoff and full jitter; Retry-After on 429/503 pauses the whole host without
// consuming a retry; other 4xx are permanent.
import { Transform, finished, type Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { Agent, type Dispatcher } from 'undici';
import type { Logger } from '../../src/core/log.ts';
import {
  HttpError,
  HttpStatusError,
  ResponseFormatError,
  classifyTransportError,
  errorKindOf,
  excerpt,
  redactUrl,
  type RequestInfo,
} from './errors.ts';
import type { HttpClient, HttpRequest, HttpStats, JsonResponse, StreamResponse } from './http-client.ts';
import { parseJsonLossless } from './lossless-json.ts';
import { DEFAULT_MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/core/http/retry-after.ts';
import { TokenBucket } from './token-bucket.ts';

export interface PoliteHttpClientOptions {
  /** Requests per second to this host, all stages together, retries included. */
  rps: number;
  /** Token bucket size; 1 (default) spaces requests evenly. */
  burst?: number;
  /** Concurrency per stage name, e.g. `{ list: 2, detail: 5, media: 8 }`. */
  stageConcurrency?: Record<string, number>;
  /** Concurrency of a stage missing from `stageConcurrency`. Default 4. */
  defaultStageConcurrency?: number;
  /** Retries after the first attempt for network errors, timeouts, 5xx, 429 without Retry-After, bad JSON. Default 4. */
  maxRetries?: number;
  /** Backoff before retry n is uniform in [0, min(maxDelayMs, baseDelayMs·2^(n−1))) (full jitter). Default 500. */
  baseDelayMs?: number;
  /** Default 30 000. */
  maxDelayMs?: number;
  /** Default 10 000. */
  connectTimeoutMs?: number;
  /** Time to receive the response headers. Default 15 000. */
  headersTimeoutMs?: number;
  /** Longest silence between two body chunks. Default 30 000. */
  bodyTimeoutMs?: number;
  /** Retry-After waits (429/503) allowed per request without consuming a retry. Default 10. */
  maxRateLimitWaits?: number;
  /** Longest Retry-After honoured; larger values are capped. Default 120 000. */
  maxRetryAfterMs?: number;
  /** Redirects followed per request (each hop takes a token; none consumes a retry). Default 5. */
  maxRedirects?: number;
  userAgent?: string;
  /** Sent with every request (request headers override them). */
  defaultHeaders?: Record<string, string>;
  logger: Logger;
  runId?: string;
  /** Backoff sleep; injectable for tests. Must reject with the signal's reason when it aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1); injectable for tests. Default Math.random. */
  random?: () => number;
  /** An undici dispatcher to use instead of the client's own Agent (not closed by close()). */
  dispatcher?: Dispatcher;
}

const DEFAULT_USER_AGENT = 'Huaku/0.1 (polite crawler)';
const ERROR_BODY_LIMIT = 8 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers not forwarded when a redirect leaves the original origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'token', 'proxy-authorization'];

type Mode = 'json' | 'stream';

interface Attempt {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer | string | undefined;
}

type AttemptResult =
  | { type: 'json'; value: JsonResponse }
  | { type: 'stream'; value: StreamResponse }
  | { type: 'redirect'; status: number; location: string };

export class PoliteHttpClient implements HttpClient {
  readonly #options: PoliteHttpClientOptions;
  readonly #bucket: TokenBucket;
  readonly #limits = new Map<string, LimitFunction>();
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #logger: Logger;
  readonly #stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0, bytes: 0 };
  readonly #maxRetries: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxRateLimitWaits: number;
  readonly #maxRetryAfterMs: number;
  readonly #maxRedirects: number;
  #closed = false;

  constructor(options: PoliteHttpClientOptions) {
    this.#options = options;
    this.#bucket = new TokenBucket({ rps: options.rps, ...(options.burst === undefined ? {} : { burst: options.burst }) });
    this.#maxRetries = nonNegativeInt('maxRetries', options.maxRetries ?? 4);
    this.#baseDelayMs = nonNegative('baseDelayMs', options.baseDelayMs ?? 500);
    this.#maxDelayMs = nonNegative('maxDelayMs', options.maxDelayMs ?? 30_000);
    this.#maxRateLimitWaits = nonNegativeInt('maxRateLimitWaits', options.maxRateLimitWaits ?? 10);
    this.#maxRetryAfterMs = nonNegative('maxRetryAfterMs', options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS);
    this.#maxRedirects = nonNegativeInt('maxRedirects', options.maxRedirects ?? 5);
    for (const [stage, limit] of Object.entries(options.stageConcurrency ?? {})) positiveInt(`stageConcurrency.${stage}`, limit);
    positiveInt('defaultStageConcurrency', options.defaultStageConcurrency ?? 4);
    this.#sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {}));
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger;
    if (options.dispatcher) {
      this.#dispatcher = options.dispatcher;
      this.#ownsDispatcher = false;
    } else {
      // One keep-alive Agent per client. Connections per origin are not capped here: the stage limits
      // already bound how many requests are in flight, so undici never queues behind them.
      this.#dispatcher = new Agent({
        connectTimeout: options.connectTimeoutMs ?? 10_000,
        headersTimeout: options.headersTimeoutMs ?? 15_000,
        bodyTimeout: options.bodyTimeoutMs ?? 30_000,
      });
      this.#ownsDispatcher = true;
    }
  }

  json(request: HttpRequest): Promise<JsonResponse> {
    return this.#run(request, 'json') as Promise<JsonResponse>;
  }

  stream(request: HttpRequest): Promise<StreamResponse> {
    return this.#run(request, 'stream') as Promise<StreamResponse>;
  }

  stats(): HttpStats {
    return { ...this.#stats };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  /** The delay before retry number `retry` (1-based): full jitter under an exponential cap. */
  backoffDelay(retry: number): number {
    const cap = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** Math.max(0, retry - 1));
    return Math.floor(this.#random() * cap);
  }

  async #run(request: HttpRequest, mode: Mode): Promise<JsonResponse | StreamResponse> {
    if (this.#closed) throw new Error('PoliteHttpClient is closed');
    const { stage, key, signal } = request;
    signal?.throwIfAborted();
    const next: Attempt = this.#firstAttempt(request, mode);
    let attemptNo = 0;
    let retries = 0;
    let rateLimitWaits = 0;
    let redirects = 0;

    for (;;) {
      attemptNo += 1;
      const info: RequestInfo = { method: next.method, url: redactUrl(next.url.href), attempt: attemptNo };
      let result: AttemptResult;
      let startedAt = 0;
      try {
        const release = await this.#acquireSlot(stage, signal);
        let handedOff = false;
        try {
          await this.#bucket.take(signal);
          startedAt = performance.now();
          const attemptResult = await this.#attempt(next, mode, info, signal, release);
          handedOff = attemptResult.type === 'stream';
          result = attemptResult;
        } finally {
          if (!handedOff) release();
        }
      } catch (caught) {
        if (signal?.aborted) throw signal.reason;
        const error = classifyTransportError(caught, info);
        const ms = startedAt ? Math.round(performance.now() - startedAt) : 0;
        const status = error instanceof HttpStatusError || error instanceof ResponseFormatError ? error.status : null;
        const logFields = { runId: this.#options.runId, stage, key, attempt: attemptNo, status, ms, url: info.url, method: info.method };
        if (!(error instanceof HttpError) || !error.retryable) {
          this.#logger.info({ ...logFields, err: errorSummary(error), kind: errorKindOf(error) }, 'http request failed (not retryable)');
          throw error;
        }
        if (error instanceof HttpStatusError && error.status === 429) this.#stats.rateLimited += 1;
        const retryAfterMs = error instanceof HttpStatusError ? error.retryAfterMs : null;
        const honoursRetryAfter =
          error instanceof HttpStatusError && (error.status === 429 || error.status === 503) && retryAfterMs !== null;
        if (honoursRetryAfter && rateLimitWaits < this.#maxRateLimitWaits) {
          // The server told us when to come back: pause the whole host (every stage), retry for free.
          rateLimitWaits += 1;
          if (error.status === 503) this.#stats.rateLimited += 1;
          this.#bucket.pauseUntil(performance.now() + retryAfterMs);
          this.#logger.info(
            { ...logFields, kind: error.kind, retryAfterMs, rateLimitWaits, err: errorSummary(error) },
            'http rate limited: waiting for Retry-After',
          );
          continue;
        }
        if (retries >= this.#maxRetries) {
          this.#logger.info(
            { ...logFields, kind: error.kind, retries, err: errorSummary(error) },
            `http request failed after ${attemptNo} attempts`,
          );
          throw error;
        }
        retries += 1;
        this.#stats.retries += 1;
        const wait = Math.max(this.backoffDelay(retries), retryAfterMs ?? 0);
        this.#logger.info(
          { ...logFields, kind: error.kind, retry: retries, retryInMs: wait, err: errorSummary(error) },
          'http attempt failed: retrying',
        );
        await this.#sleep(wait, signal).catch((sleepError: unknown) => {
          throw signal?.aborted ? signal.reason : sleepError;
        });
        continue;
      }

      const ms = Math.round(performance.now() - startedAt);
      const fields = { runId: this.#options.runId, stage, key, attempt: attemptNo, ms, url: info.url, method: info.method };
      if (result.type === 'redirect') {
        this.#logger.debug({ ...fields, status: result.status, location: redactUrl(result.location) }, 'http redirect');
        if (redirects >= this.#maxRedirects) {
          throw new HttpStatusError(result.status, info, { bodyExcerpt: `too many redirects (${redirects})`, retryable: false });
        }
        redirects += 1;
        this.#followRedirect(next, result.status, result.location);
        continue;
      }
      this.#logger.debug({ ...fields, status: result.value.status }, 'http attempt');
      return result.value;
    }
  }

  #firstAttempt(request: HttpRequest, mode: Mode): Attempt {
    const hasBody = request.json !== undefined || request.body !== undefined;
    const method = request.method ?? (hasBody ? 'POST' : 'GET');
    const headers: Record<string, string> = {
      'user-agent': this.#options.userAgent ?? DEFAULT_USER_AGENT,
      accept: mode === 'json' ? 'application/json, text/plain, */*' : '*/*',
    };
    for (const [name, value] of Object.entries(this.#options.defaultHeaders ?? {})) headers[name.toLowerCase()] = value;
    let body: Buffer | string | undefined;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
    } else if (request.body !== undefined) {
      body = request.body;
    }
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    return { method, url: new URL(request.url), headers, body };
  }

  #followRedirect(attempt: Attempt, status: number, location: string): void {
    const target = new URL(location, attempt.url);
    if (target.origin !== attempt.url.origin) for (const name of CREDENTIAL_HEADERS) delete attempt.headers[name];
    if (status === 303 || ((status === 301 || status === 302) && attempt.method === 'POST')) {
      if (attempt.method !== 'HEAD') attempt.method = 'GET';
      attempt.body = undefined;
      delete attempt.headers['content-type'];
    }
    attempt.url = target;
  }

  /** One request on the wire. Throws HttpStatusError / ResponseFormatError / transport errors. */
  async #attempt(attempt: Attempt, mode: Mode, info: RequestInfo, signal: AbortSignal | undefined, release: () => void): Promise<AttemptResult> {
    this.#stats.requests += 1;
    const response = await this.#dispatcher.request({
      origin: attempt.url.origin,
      path: attempt.url.pathname + attempt.url.search,
      method: attempt.method as Dispatcher.HttpMethod,
      headers: attempt.headers,
      body: attempt.body ?? null,
      signal: signal ?? null,
    });
    const { statusCode: status, body } = response;
    const headers = flattenHeaders(response.headers);

    if (REDIRECT_STATUSES.has(status) && headers.location) {
      await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      return { type: 'redirect', status, location: headers.location };
    }
    if (status < 200 || status >= 300) {
      const text = await this.#readExcerpt(body);
      const retryAfterMs = parseRetryAfter(headers['retry-after'], { maxMs: this.#maxRetryAfterMs });
      throw new HttpStatusError(status, info, { bodyExcerpt: excerpt(text), retryAfterMs });
    }

    if (mode === 'stream') {
      return { type: 'stream', value: { status, headers, body: this.#countingBody(body, info, release) } };
    }

    const buffer = Buffer.from(await body.arrayBuffer());
    this.#stats.bytes += buffer.length;
    if (attempt.method === 'HEAD' || status === 204 || status === 205) return { type: 'json', value: { status, headers, data: null } };
    const text = buffer.toString('utf8').replace(/^\uFEFF/, '');
    let data: unknown;
    try {
      data = parseJsonLossless(text);
    } catch (cause) {
      throw new ResponseFormatError(status, info, { contentType: headers['content-type'] ?? '', bodyExcerpt: excerpt(text, 200), cause });
    }
    return { type: 'json', value: { status, headers, data } };
  }

  /** Read at most ERROR_BODY_LIMIT bytes of an error body, then drop the rest. */
  async #readExcerpt(body: Readable): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        const buffer = chunk as Buffer;
        chunks.push(buffer);
        size += buffer.length;
        this.#stats.bytes += buffer.length;
        if (size >= ERROR_BODY_LIMIT) break; // leaving the loop destroys the body (and that connection)
      }
    } catch {
      // An error page that fails halfway is still an error page: report what we have.
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * The body handed to stream() callers: counts bytes, turns transport errors into NetworkError /
   * TimeoutError, and holds the stage slot until it ends, errors or is destroyed.
   */
  #countingBody(body: Readable, info: RequestInfo, release: () => void): Readable {
    const stats = this.#stats;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        stats.bytes += chunk.length;
        callback(null, chunk);
      },
    });
    body.on('error', (error) => counter.destroy(classifyTransportError(error, info) as Error));
    body.pipe(counter);
    finished(counter, () => {
      if (!body.destroyed && !body.readableEnded) body.destroy();
      release();
    });
    return counter;
  }

  /** A slot of the stage's concurrency limit, as a release function (p-limit used as a semaphore). */
  #acquireSlot(stage: string, signal: AbortSignal | undefined): Promise<() => void> {
    const limit = this.#limitFor(stage);
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      void limit(
        () =>
          new Promise<void>((done) => {
            signal?.removeEventListener('abort', onAbort);
            if (settled) {
              done(); // aborted while queued: hand the slot straight back
              return;
            }
            settled = true;
            let released = false;
            resolve(() => {
              if (released) return;
              released = true;
              done();
            });
          }),
      );
    });
  }

  #limitFor(stage: string): LimitFunction {
    let limit = this.#limits.get(stage);
    if (!limit) {
      limit = pLimit(this.#options.stageConcurrency?.[stage] ?? this.#options.defaultStageConcurrency ?? 4);
      this.#limits.set(stage, limit);
    }
    return limit;
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function errorSummary(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: typeof error, message: String(error) };
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a finite number ≥ 0, got ${value}`);
  return value;
}

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be an integer ≥ 0, got ${value}`);
  return value;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
  return value;
}
