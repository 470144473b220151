// One exit policy for every crawl: permanent failures (the upstream says the thing is gone: 404, 410 —
// dead image links are normal upstream) are counted apart and never count against a run or a day; the
// rest (network, 5xx, timeouts, drift…) are the unresolved failures whose rate decides the alert.
import type { ErrorKind } from '../../src/core/domain/enums.ts';

/** Statuses that mean "gone for good": retrying never helps and nothing is wrong on our side. */
const GONE = /\bHTTP (404|410)\b/;

export function isPermanentFailure(kind: ErrorKind | string | null, message: string | null): boolean {
  return kind === 'http' && message !== null && GONE.test(message);
}

export interface FailureTally {
  /** Units the rate is computed over. */
  units: number;
  /** Failed units that may still heal (everything but permanent). */
  unresolved: number;
  /** Failed units that are gone upstream (404/410): reported, never fatal. */
  permanent: number;
  /** Unresolved failures per kind (network, http, timeout, contract, media, internal). */
  byKind: Record<string, number>;
  /** unresolved ÷ units (0 when there were none). */
  rate: number;
}

/** The tally of failed units (kind + message) over `units`. */
export function tallyFailures(units: number, failed: ReadonlyArray<{ errorKind: string | null; errorMessage: string | null }>): FailureTally {
  let permanent = 0;
  const byKind: Record<string, number> = {};
  for (const unit of failed) {
    if (isPermanentFailure(unit.errorKind, unit.errorMessage)) permanent++;
    else byKind[unit.errorKind ?? 'internal'] = (byKind[unit.errorKind ?? 'internal'] ?? 0) + 1;
  }
  const unresolved = failed.length - permanent;
  const denominator = Math.max(units, failed.length);
  return { units: denominator, unresolved, permanent, byKind, rate: denominator === 0 ? 0 : unresolved / denominator };
}
