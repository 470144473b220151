// The one place command-line flag values are read and bounded: every numeric flag of every command goes
// through these, so an absurd value (`--rps 0.0001`, a page range of 20 digits) is a UsageError (exit 2,
// with the command's usage) before anything runs. No imports beyond command.ts: the table stays light.
import { UsageError } from './command.ts';

/** Requests per second per host: above 0.01 (one request per 100 s; slower is a mistake) and at most 50. */
const RPS_RANGE = { min: 0.01, max: 50 } as const;
/** The highest list page a range may name (10,000 pages of 30 works is far past any upstream list). */
export const MAX_PAGE = 10_000;
/** The most bytes `inspect --file` reads: a saved upstream response is a few MB at most. */
export const INSPECT_MAX_BYTES = 32 * 1024 * 1024;

/** A whole number from 1 to `max` (default 1,000,000), or `fallback` when the flag is absent. */
export function positiveInt(flag: string, value: string | boolean | undefined, fallback: number, max = 1_000_000): number {
  if (value === undefined || typeof value === 'boolean') return fallback;
  if (!/^\d{1,16}$/.test(value) || Number(value) < 1 || Number(value) > max) throw new UsageError(`--${flag} "${value}": expected a whole number from 1 to ${max}`);
  return Number(value);
}

/** Requests per second (RPS_RANGE), or `fallback` when the flag is absent. */
export function requestRate(flag: string, value: string | boolean | undefined, fallback: number): number {
  if (value === undefined || typeof value === 'boolean') return fallback;
  const n = /^\d{1,3}(\.\d{1,3})?$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= RPS_RANGE.min && n <= RPS_RANGE.max)) {
    throw new UsageError(`--${flag} "${value}": expected requests per second from ${RPS_RANGE.min} to ${RPS_RANGE.max} (e.g. 4 or 0.5)`);
  }
  return n;
}

/** "1-50", "3" (just page 3), "2-" (from page 2 to the end of the list); pages 1 to MAX_PAGE, ascending. */
export function parsePageRange(value: string): { from: number; to: number | null } {
  const match = /^(\d{1,6})(?:-(\d{0,6}))?$/.exec(value.trim());
  if (!match) throw new UsageError(`--pages "${value}": expected N, N-M or N- with pages from 1 to ${MAX_PAGE} (e.g. 1-50)`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : match[2] === '' ? null : Number(match[2]);
  if (from < 1 || from > MAX_PAGE || (to !== null && to > MAX_PAGE)) throw new UsageError(`--pages "${value}": pages run from 1 to ${MAX_PAGE}`);
  if (to !== null && to < from) throw new UsageError(`--pages "${value}": the range must be ascending (e.g. ${to}-${from})`);
  return { from, to };
}
