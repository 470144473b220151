// What one day's phases leave for the later ones: kept in REPORTS_DIR/daily-state.json so each phase can also
// run alone (`daily --only <phase>`, one workflow step each) and still see the day it belongs to.
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../src/core/fs/atomic-write.ts';
import type { SnapshotDiff, SnapshotManifest } from '../../src/core/snapshot/schema.ts';
import type { DeployResult } from '../deploy/deploy-site.ts';
import type { FailureTally } from '../pipeline/failure-policy.ts';

export const DAILY_PHASES = [
  'migrate', 'abort-stale', 'liblib', 'civitai', 'retry-failed', 'toploras', 'snapshot', 'analyze', 'history', 'cache', 'build', 'deploy', 'summary',
] as const;
export type DailyPhase = (typeof DAILY_PHASES)[number];

export interface PhaseResult {
  /** ok; warn: done, with failures that are reported but not fatal; failed; skipped: not run (why in detail). */
  status: 'ok' | 'warn' | 'failed' | 'skipped';
  ms: number;
  detail: string;
}

export interface DailyState {
  /** When the day's run began (real time): the crawl ledger's units touched since then are the day's units. */
  startedAt: string;
  /** The day's clock (real time, or --now in a rehearsal): snapshot time, history date, deploy retention. */
  now: string;
  /** yyyy-mm-dd, the Beijing day of `now`. */
  date: string;
  phases: Partial<Record<DailyPhase, PhaseResult>>;
  snapshot?: { manifest: SnapshotManifest; diff: SnapshotDiff; works: number; previousPublished: boolean };
  failures?: { total: FailureTally; bySource: Record<string, FailureTally> };
  deploy?: DeployResult & { bucket: string };
  alert?: { sent: boolean; problem: string | null };
}

function statePath(reportsDir: string): string {
  return path.join(reportsDir, 'daily-state.json');
}

export async function loadState(reportsDir: string): Promise<DailyState | null> {
  try {
    return JSON.parse(await fs.readFile(statePath(reportsDir), 'utf8')) as DailyState;
  } catch {
    return null;
  }
}

export async function saveState(reportsDir: string, state: DailyState): Promise<void> {
  await fs.mkdir(reportsDir, { recursive: true });
  await writeFileAtomic(statePath(reportsDir), `${JSON.stringify(state, null, 2)}\n`);
}
