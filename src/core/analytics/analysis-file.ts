// The analysis as JSON: the AnalyticsSummary itself, written by `ingest analyze` as `analysis-<date>.json`
// beside its Markdown report and kept per published day as `analysis.json` in the history the /trends page
// reads (docs/operations.md). One zod schema for the writer and the reader, like the snapshot's: objects
// strip unknown keys, so the writer may add a field first.
import { z } from 'zod';
import { workSourceSchema } from '../snapshot/schema.ts';
import type { AnalyticsLimits, AnalyticsSummary } from './analytics-summary.ts';

const count = z.number().int().nonnegative();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a day as YYYY-MM-DD');

const rankedModelSchema = z.object({ name: z.string(), works: count, loraId: z.string().nullable() });

export const analyticsSummarySchema = z.object({
  totalWorks: count,
  sources: z.array(z.object({ source: workSourceSchema, works: count, authors: count, images: count })),
  daily: z.object({
    days: z.array(day),
    series: z.array(z.object({ source: workSourceSchema, counts: z.array(count) })),
    undated: count,
    earlier: count,
  }),
  topAuthors: z.array(z.object({ id: z.string(), username: z.string(), name: z.string(), source: workSourceSchema, works: count })),
  topCheckpoints: z.array(rankedModelSchema),
  topLoras: z.array(rankedModelSchema),
  promptWords: z.array(z.object({ word: z.string(), works: count })),
  promptsAnalysed: count,
}) satisfies z.ZodType<AnalyticsSummary>;

/**
 * The JSON keeps longer rankings than the page's Top 15: week-over-week trends compare two days' lists,
 * and a model or word has to be on the older list to show how much it grew.
 */
export const ANALYSIS_FILE_LIMITS: Partial<AnalyticsLimits> = { authors: 100, checkpoints: 200, loras: 200, words: 300 };

/** `analysis-2025-03-01.json` */
export function analysisFileName(date: string): string {
  return `analysis-${date}.json`;
}
