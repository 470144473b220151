// Retry-After (RFC 9110 §10.2.3): delta-seconds or an HTTP-date.

export interface RetryAfterOptions {
  /** Wall-clock now in ms since the epoch (HTTP-dates are absolute). Default `Date.now()`. */
  now?: number;
  /** Longest wait we accept; larger values are capped. Default 120 000 ms. */
  maxMs?: number;
}

export const DEFAULT_MAX_RETRY_AFTER_MS = 120_000;

const DELTA_SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * Milliseconds to wait, capped at `maxMs`; a date in the past gives 0. Missing or unparseable → null.
 * (Fractional seconds are accepted though the RFC only allows integers; some servers send them.)
 */
export function parseRetryAfter(value: string | readonly string[] | null | undefined, options: RetryAfterOptions = {}): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (text === '') return null;
  const maxMs = options.maxMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  let ms: number;
  if (DELTA_SECONDS.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // Only date-like text: Date.parse also accepts things like "1" or "-5", which are excluded here.
    if (!/[a-z]/i.test(text)) return null;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return null;
    ms = at - (options.now ?? Date.now());
  }
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(0, Math.ceil(ms)), maxMs);
}
