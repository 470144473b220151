// The published days the /trends page is built from. The daily job keeps each published snapshot's
// manifest, diff and analysis under snapshots/{date}/ in the bucket and downloads them into HISTORY_DIR
// before the build:
//
//   {HISTORY_DIR}/2025-03-01/manifest.json   the snapshot's manifest (a day without one is skipped)
//   {HISTORY_DIR}/2025-03-01/diff.json       its diff against the previously published snapshot
//   {HISTORY_DIR}/2025-03-01/analysis.json   the AnalyticsSummary `ingest analyze` wrote (analysis-<date>.json also read)
//
// The date is the Beijing day of the manifest's generatedAt (docs/operations.md).
// A day whose files are malformed is skipped and reported, not fatal: one bad day in the bucket must not
// stop every later build (the current snapshot, which is fatal when malformed, is read elsewhere).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { analyticsSummarySchema } from '../analytics/analysis-file.ts';
import type { AnalyticsSummary } from '../analytics/analytics-summary.ts';
import { DIFF_FILE, MANIFEST_FILE } from '../snapshot/paths.ts';
import { readValidatedJson } from '../snapshot/read-snapshot.ts';
import { snapshotDiffSchema, snapshotManifestSchema, type SnapshotDiff, type SnapshotManifest } from '../snapshot/schema.ts';

const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
const ANALYSIS_FILE = /^analysis(?:-\d{4}-\d{2}-\d{2})?\.json$/;

export interface HistoryDay {
  /** The folder's date, `YYYY-MM-DD`. */
  date: string;
  manifest: SnapshotManifest;
  /** null when the day kept no diff. */
  diff: SnapshotDiff | null;
  /** null when the day kept no analysis (its model and word trends are then unknown). */
  analysis: AnalyticsSummary | null;
}

export interface History {
  /** Oldest first. */
  days: HistoryDay[];
  /** Days that could not be read, with the reason (a missing manifest is not listed: that day was never published). */
  skipped: { date: string; reason: string }[];
}

/** Every readable day of `historyDir`, oldest first; an absent directory is an empty history. */
export async function readHistory(historyDir: string): Promise<History> {
  let names: string[];
  try {
    names = await readdir(historyDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { days: [], skipped: [] };
    throw error;
  }
  const history: History = { days: [], skipped: [] };
  for (const date of names.filter((name) => DAY_DIR.test(name)).sort()) {
    const dir = path.join(historyDir, date);
    try {
      const manifest = await readValidatedJson(path.join(dir, MANIFEST_FILE), snapshotManifestSchema);
      if (!manifest) continue;
      const diff = (await readValidatedJson(path.join(dir, DIFF_FILE), snapshotDiffSchema)) ?? null;
      // analysis.json sorts first: the daily run's name wins over a stray analysis-<date>.json.
      const analysisName = (await readdir(dir)).filter((name) => ANALYSIS_FILE.test(name)).sort()[0];
      const analysis = analysisName ? ((await readValidatedJson(path.join(dir, analysisName), analyticsSummarySchema)) ?? null) : null;
      history.days.push({ date, manifest, diff, analysis });
    } catch (error) {
      history.skipped.push({ date, reason: (error as Error).message });
    }
  }
  return history;
}
