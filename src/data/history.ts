// The site's view of the published history (HISTORY_DIR) and of what the current snapshot added: the
// /trends figures and the ids the 新增 badges mark. Computed once per build and shared by every page.
import { ANALYSIS_FILE_LIMITS } from '../core/analytics/analysis-file.ts';
import { accumulateWorks } from '../core/analytics/analyze-snapshot.ts';
import type { AnalyticsAccumulator } from '../core/analytics/analytics-accumulator.ts';
import { beijingDay } from '../core/analytics/beijing-day.ts';
import { computeTrends, newAuthors, type NewAuthor, type TrendsSummary } from '../core/analytics/trends.ts';
import { loadConfig } from '../core/env.ts';
import { readHistory, type HistoryDay } from '../core/history/read-history.ts';
import { readSnapshotDiff, readSnapshotManifest } from '../core/snapshot/read-snapshot.ts';
import { newestWorks, once, snapshotWorks } from './collections.ts';

/** One pass over the snapshot's works (as the pages read them), shared by /analytics and /trends (each summarizes with its own limits). */
export const snapshotAnalysis = once(async (): Promise<AnalyticsAccumulator> => accumulateWorks(await snapshotWorks()));

/** The current snapshot's diff (null when it has none). */
const currentDiff = once(() => readSnapshotDiff(loadConfig().snapshotDir));

/**
 * Ids of the works the current snapshot added since the previously published one: the 新增 badges. Empty
 * when the diff had no previous snapshot to compare with (then everything would count as new).
 */
export const newWorkIds = once(async (): Promise<ReadonlySet<string>> => {
  const diff = await currentDiff();
  if (!diff?.previousGeneratedAt) return new Set();
  return new Set(Object.values(diff.works).flatMap((source) => source?.addedIds ?? []));
});

export interface SiteTrends {
  trends: TrendsSummary;
  newAuthors: NewAuthor[];
  /** Published days that could not be read (skipped, with the reason). */
  skipped: { date: string; reason: string }[];
}

/** The history's days plus the current snapshot as the latest day (it is published by the build being made). */
export const siteTrends = once(async (): Promise<SiteTrends> => {
  const { snapshotDir, daily: { historyDir } } = loadConfig();
  const history = await readHistory(historyDir);
  const days = new Map<string, HistoryDay>(history.days.map((day) => [day.date, day]));
  const manifest = await readSnapshotManifest(snapshotDir);
  // The history may already hold this snapshot (kept under the day it was published, whatever the clock).
  if (manifest && !history.days.some((day) => day.manifest.generatedAt === manifest.generatedAt)) {
    const date = beijingDay(manifest.generatedAt);
    const kept = days.get(date);
    if (!kept || kept.manifest.generatedAt < manifest.generatedAt) {
      const analysis = (await snapshotAnalysis()).summarize(ANALYSIS_FILE_LIMITS);
      days.set(date, { date, manifest, diff: await currentDiff(), analysis });
    }
  }
  const trends = computeTrends([...days.values()]);
  return { trends, newAuthors: newAuthors(await newestWorks(), trends.addedSinceBase), skipped: history.skipped };
});
