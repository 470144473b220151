// The analysis of a snapshot directory, streamed chunk by chunk (the site build and `ingest analyze` both
// call this, so the page and the report show the same figures).
import { iterateSnapshotWorkChunks } from '../snapshot/read-snapshot.ts';
import type { SnapshotWork } from '../snapshot/schema.ts';
import { AnalyticsAccumulator } from './analytics-accumulator.ts';
import type { AnalyticsLimits, AnalyticsSummary } from './analytics-summary.ts';

/** One pass over the works; summarize it as often as needed (each summary with its own limits). */
export async function accumulateSnapshot(snapshotDir: string): Promise<AnalyticsAccumulator> {
  const accumulator = new AnalyticsAccumulator();
  for await (const chunk of iterateSnapshotWorkChunks(snapshotDir)) accumulateWorks(chunk.works, accumulator);
  return accumulator;
}

/** The same pass over works already read (the site build holds them: no second read of the snapshot). */
export function accumulateWorks(works: Iterable<SnapshotWork>, accumulator = new AnalyticsAccumulator()): AnalyticsAccumulator {
  for (const work of works) accumulator.add(work);
  return accumulator;
}

export async function analyzeSnapshot(snapshotDir: string, limits: Partial<AnalyticsLimits> = {}): Promise<AnalyticsSummary> {
  return (await accumulateSnapshot(snapshotDir)).summarize(limits);
}
