// HTTP errors, named by what happens next (crawlee's convention). Each carries the crawl ledger's error
// `kind`; `errorKindOf` classifies any error for the ledger.
import { ContractError } from '../../src/core/errors.ts';
import { ERROR_KINDS, type ErrorKind } from '../../src/core/domain/enums.ts';

export type { ErrorKind };

/** The crawl ledger's own list of kinds (its column's enum), so the two can never disagree. */
const KNOWN_KINDS: ReadonlySet<string> = new Set<string>(ERROR_KINDS);

/** Where a request went and how many times it was tried; goes into every message. */
export interface RequestInfo {
  method: string;
  /** Already redacted (see `redactUrl`). */
  url: string;
  /** 1-based number of the attempt that failed. */
  attempt: number;
}

/** Base of every error the HTTP client throws. `retryable` says whether trying again later can help. */
export abstract class HttpError extends Error {
  abstract readonly kind: ErrorKind;
  readonly method: string;
  readonly url: string;
  readonly attempt: number;
  readonly retryable: boolean;
  constructor(message: string, info: RequestInfo, retryable: boolean, cause?: unknown) {
    super(`${message} (${info.method} ${info.url}, attempt ${info.attempt})`, cause === undefined ? undefined : { cause });
    this.method = info.method;
    this.url = info.url;
    this.attempt = info.attempt;
    this.retryable = retryable;
  }
}

/** A non-2xx status. 5xx (except 501), 408 and 429 are retryable; other 4xx are permanent. */
export class HttpStatusError extends HttpError {
  readonly kind = 'http' as const;
  readonly status: number;
  /** The first few hundred characters of the response body (whitespace collapsed). */
  readonly bodyExcerpt: string;
  /** Milliseconds the server asked us to wait (Retry-After), if it said so. */
  readonly retryAfterMs: number | null;
  constructor(status: number, info: RequestInfo, options: { bodyExcerpt?: string; retryAfterMs?: number | null; retryable?: boolean } = {}) {
    const excerpt = options.bodyExcerpt ?? '';
    super(`HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`, info, options.retryable ?? isRetryableStatus(status));
    this.name = 'HttpStatusError';
    this.status = status;
    this.bodyExcerpt = excerpt;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** The connection failed: refused, reset, socket hang up, DNS, truncated body. Retryable. */
export class NetworkError extends HttpError {
  readonly kind = 'network' as const;
  /** The underlying code (ECONNRESET, ENOTFOUND, UND_ERR_SOCKET…), when known. */
  readonly code: string | undefined;
  constructor(info: RequestInfo, cause: unknown, code?: string) {
    super(`network error${code ? ` ${code}` : ''}: ${causeMessage(cause)}`, info, true, cause);
    this.name = 'NetworkError';
    this.code = code;
  }
}

export type TimeoutPhase = 'connect' | 'headers' | 'body';

/** The server did not connect, answer or finish the body in time. Retryable. */
export class TimeoutError extends HttpError {
  readonly kind = 'timeout' as const;
  readonly phase: TimeoutPhase;
  constructor(phase: TimeoutPhase, info: RequestInfo, cause?: unknown) {
    super(`${phase} timeout${cause === undefined ? '' : `: ${causeMessage(cause)}`}`, info, true, cause);
    this.name = 'TimeoutError';
    this.phase = phase;
  }
}

/** A 2xx whose body is not the JSON we asked for (an HTML error page, truncated JSON). Usually transient: retryable. */
export class ResponseFormatError extends HttpError {
  readonly kind = 'http' as const;
  readonly status: number;
  readonly contentType: string;
  readonly bodyExcerpt: string;
  constructor(status: number, info: RequestInfo, options: { contentType?: string; bodyExcerpt?: string; cause?: unknown }) {
    const contentType = options.contentType ?? '';
    const excerpt = options.bodyExcerpt ?? '';
    super(
      `HTTP ${status} body is not valid JSON (content-type ${contentType || 'none'}` +
        `${options.cause === undefined ? '' : `; ${causeMessage(options.cause)}`})${excerpt ? `: ${excerpt}` : ''}`,
      info,
      true,
      options.cause,
    );
    this.name = 'ResponseFormatError';
    this.status = status;
    this.contentType = contentType;
    this.bodyExcerpt = excerpt;
  }
}

/** 5xx except 501 (Not Implemented), plus 408 Request Timeout and 429 Too Many Requests. */
function isRetryableStatus(status: number): boolean {
  return (status >= 500 && status !== 501) || status === 408 || status === 429;
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EHOSTUNREACH',
  'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ENONET', 'EPROTO', 'UND_ERR_SOCKET',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'HPE_INVALID_CONSTANT', 'HPE_INVALID_CHUNK_SIZE', 'ERR_STREAM_PREMATURE_CLOSE',
]);
const TIMEOUT_CODES: Record<string, TimeoutPhase> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  ETIMEDOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

/** The first `code` found on the error, its `cause` chain, or (AggregateError, from happy eyeballs) its members. */
export function errorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (error instanceof AggregateError) {
    for (const member of error.errors) {
      const found = errorCode(member, depth + 1);
      if (found) return found;
    }
  }
  return errorCode((error as { cause?: unknown }).cause, depth + 1);
}

/**
 * Turn a low-level failure (undici or a system socket error) into a NetworkError or TimeoutError; anything
 * else (an abort, a programming error, an already-classified HttpError) is returned unchanged.
 */
export function classifyTransportError(error: unknown, info: RequestInfo): unknown {
  if (error instanceof HttpError) return error;
  if (isAbortError(error)) return error;
  const code = errorCode(error);
  if (code === undefined) {
    // "socket hang up" style errors without a code.
    if (error instanceof Error && /socket hang up|other side closed|premature close/i.test(error.message)) {
      return new NetworkError(info, error);
    }
    return error;
  }
  const phase = TIMEOUT_CODES[code];
  if (phase) return new TimeoutError(phase, info, error);
  if (NETWORK_CODES.has(code) || code.startsWith('HPE_')) return new NetworkError(info, error, code);
  return error;
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'AbortError' || (error as { code?: unknown }).code === 'UND_ERR_ABORTED' || (error as { code?: unknown }).code === 'ABORT_ERR')
  );
}

/** The crawl ledger's kind for any error. */
export function errorKindOf(error: unknown): ErrorKind {
  if (error instanceof ContractError) return 'contract';
  if (typeof error === 'object' && error !== null) {
    const kind = (error as { kind?: unknown }).kind;
    if (typeof kind === 'string' && KNOWN_KINDS.has(kind)) return kind as ErrorKind;
    if ((error as { name?: unknown }).name === 'ZodError') return 'contract';
    // An AbortSignal.timeout() reason.
    if ((error as { name?: unknown }).name === 'TimeoutError') return 'timeout';
  }
  const classified = classifyTransportError(error, { method: '?', url: '?', attempt: 0 });
  if (classified instanceof HttpError) return classified.kind;
  return 'internal';
}

function causeMessage(cause: unknown): string {
  if (cause instanceof Error) return cause.message || cause.name;
  return String(cause);
}

/** Collapse whitespace and cut to `max` characters, for messages and logs. */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

const SECRET_PARAMS = /^(token|key|api_?key|access_?token|signature|sig|x-amz-signature|x-amz-credential|x-amz-security-token)$/i;

/** Hide credentials in query strings (Civitai's `?token=`, signed URLs) before a URL goes into a message or a log. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.test(name)) {
      parsed.searchParams.set(name, 'REDACTED');
      changed = true;
    }
  }
  if (parsed.password) {
    parsed.password = 'REDACTED';
    changed = true;
  }
  return changed ? parsed.toString() : url;
}
