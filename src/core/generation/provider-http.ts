// The HTTP every generation provider shares: one call with a per-call timeout and the caller's abort signal,
// statuses turned into GenerationErrors named by what happens next, JSON read defensively, and retries with
// exponential backoff for retryable failures only. Tokens are sent in headers and never appear in a message.
import { parseRetryAfter } from '../http/retry-after.ts';
import { GenerationError } from './generation-provider.ts';

/** How a provider talks HTTP; the composition root fills it from configuration, tests shrink it. */
export interface ProviderHttpOptions {
  /** Per-call timeout in ms (GENERATION_TIMEOUT_MS, 60 s by default). */
  timeoutMs: number;
  /** Retries of a retryable failure (5xx, network, timeout) per call: 3 by default (seed 001 §10). */
  retries: number;
  /** First backoff in ms (doubles each retry): 1 s by default. */
  retryBaseMs: number;
  /** Waits between retries and polls; injectable so tests need no real time. Resolves early on abort. */
  delay: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The fetch to use (the global one by default). */
  fetch: typeof fetch;
}

export const DEFAULT_PROVIDER_HTTP: ProviderHttpOptions = {
  timeoutMs: 60_000,
  retries: 3,
  retryBaseMs: 1000,
  delay: abortableDelay,
  fetch: (input, init) => fetch(input, init),
};

/** Longest Retry-After we wait inside one call before giving up on it (the chain then falls back). */
const MAX_RETRY_AFTER_MS = 30_000;

export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface ProviderCall {
  provider: string;
  signal: AbortSignal;
  http: ProviderHttpOptions;
  /** What to say on a 401 (the UI shows it): e.g. 请配置 API Key. */
  authMessage: string;
  /** Overrides the per-call timeout (a blocking A1111 txt2img call runs as long as the image takes). */
  timeoutMs?: number;
  /** A protocol's own reading of an error answer (e.g. A1111's 500 with an exception body is the task failing, not the server); null = the default mapping. */
  refine?: (status: number, body: string) => GenerationError | null;
}

/** Throws `cancelled` when the caller aborted. */
export function throwIfCancelled(call: Pick<ProviderCall, 'provider' | 'signal'>): void {
  if (call.signal.aborted) throw new GenerationError('cancelled', '生成已取消', call.provider);
}

/** A human-readable target for messages: the path only (a query may carry ids; a token never goes in a URL). */
function target(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return 'request';
  }
}

/**
 * One HTTP call; returns the response when its status is 2xx. Statuses map to kinds: 401 → auth,
 * 403/429 → quota (with Retry-After), 408/5xx, network errors and timeouts → unavailable, other 4xx → failed.
 */
export async function providerFetch(url: string, init: RequestInit, call: ProviderCall): Promise<Response> {
  throwIfCancelled(call);
  const timeout = AbortSignal.timeout(call.timeoutMs ?? call.http.timeoutMs);
  let response: Response;
  try {
    response = await call.http.fetch(url, { ...init, signal: AbortSignal.any([call.signal, timeout]) });
  } catch (error) {
    throwIfCancelled(call);
    if (timeout.aborted) {
      throw new GenerationError('unavailable', `请求超时：${target(url)} 在 ${Math.round((call.timeoutMs ?? call.http.timeoutMs) / 1000)} 秒内没有应答`, call.provider, undefined, { cause: error });
    }
    throw new GenerationError('unavailable', `无法连接生成服务（${target(url)}）：${(error as Error).message}`, call.provider, undefined, { cause: error });
  }
  if (response.ok) return response;
  const body = await bodyText(response);
  const refined = call.refine?.(response.status, body);
  if (refined) throw refined;
  const detail = body.replace(/\s+/g, ' ').trim().slice(0, 200);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  const retryAfter = retryAfterMs === null ? undefined : Math.ceil(retryAfterMs / 1000);
  const where = `${target(url)} → HTTP ${response.status}${detail ? `：${detail}` : ''}`;
  if (response.status === 401) throw new GenerationError('auth', `${call.authMessage}（${where}）`, call.provider);
  if (response.status === 403 || response.status === 429) {
    throw new GenerationError('quota', `生成服务拒绝了请求（额度或频率限制）${retryAfter !== undefined ? `，请 ${retryAfter} 秒后再试` : ''}（${where}）`, call.provider, retryAfter);
  }
  if (response.status === 408 || response.status >= 500) {
    throw new GenerationError('unavailable', `生成服务暂时不可用（${where}）`, call.provider, retryAfter);
  }
  throw new GenerationError('failed', `生成服务拒绝了这个请求（${where}）`, call.provider);
}

/** An error answer's body ('' when it cannot be read); only a snippet ever reaches a message. */
async function bodyText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}

/** The body as JSON; a body that is not JSON is `malformed` (contract drift), a cut-off body `unavailable`. */
export async function readJson(response: Response, call: Pick<ProviderCall, 'provider' | 'signal'>, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throwIfCancelled(call);
    throw new GenerationError('unavailable', `读取${what}时连接中断`, call.provider, undefined, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GenerationError('malformed', `${what}不是 JSON：${text.replace(/\s+/g, ' ').slice(0, 120)}`, call.provider, undefined, { cause: error });
  }
}

/** The body's bytes; a cut-off download is `unavailable` (worth retrying). */
export async function readBytes(response: Response, call: Pick<ProviderCall, 'provider' | 'signal'>, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throwIfCancelled(call);
    throw new GenerationError('unavailable', `下载${what}时连接中断`, call.provider, undefined, { cause: error });
  }
}

/**
 * Runs `attempt` and retries it while it fails with a retryable GenerationError: `http.retries` times,
 * waiting retryBaseMs × 2^n (or the upstream's Retry-After when longer, up to 30 s).
 */
export async function withRetry<T>(attempt: () => Promise<T>, call: Pick<ProviderCall, 'provider' | 'signal' | 'http'>, onRetry?: (error: GenerationError, waitMs: number) => void): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof GenerationError) || !error.retryable || n >= call.http.retries) throw error;
      const backoff = call.http.retryBaseMs * 2 ** n;
      const wait = Math.max(backoff, Math.min((error.retryAfterSeconds ?? 0) * 1000, MAX_RETRY_AFTER_MS));
      onRetry?.(error, wait);
      await call.http.delay(wait, call.signal);
      throwIfCancelled(call);
    }
  }
}

/** A GenerationError for an answer whose shape we cannot read. */
export function malformed(provider: string, message: string): GenerationError {
  return new GenerationError('malformed', message, provider);
}
