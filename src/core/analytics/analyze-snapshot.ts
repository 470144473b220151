// The analysis of a snapshot directory, streamed chunk by chunk (the site build and `ingest analyze` both
// call this, so the page and the report show the same figures).
import { iterateSnapshotWorkChunks } from '../snapshot/read-snapshot.ts';
import { AnalyticsAccumulator } from './analytics-accumulator.ts';
import type { AnalyticsLimits, AnalyticsSummary } from './analytics-summary.ts';

export async function analyzeSnapshot(snapshotDir: string, limits: Partial<AnalyticsLimits> = {}): Promise<AnalyticsSummary> {
  const accumulator = new AnalyticsAccumulator();
  for await (const chunk of iterateSnapshotWorkChunks(snapshotDir)) {
    for (const work of chunk.works) accumulator.add(work);
  }
  return accumulator.summarize(limits);
}
