// What the analysis of a snapshot produces: plain JSON-safe data, computed once (at build time for
// /analytics, by `ingest analyze` for the report) and turned into charts and tables by chart-specs.ts.
import type { WorkSource } from '../snapshot/schema.ts';

export interface SourceTotals {
  source: WorkSource;
  works: number;
  /** Distinct authors with at least one work from this source. */
  authors: number;
  images: number;
  /** Works by recipe completeness (src/core/recipe/completeness.ts): 可复现 / 部分参数 / 无参数. */
  completeness?: { full: number; partial: number; none: number };
}

export interface DailyWorks {
  /** `YYYY-MM-DD` in Beijing time, every day from the first to the last shown (days without works included). */
  days: string[];
  /** One series per source that has dated works, counts aligned with `days`. */
  series: { source: WorkSource; counts: number[] }[];
  /** Works without a publication date (not in any day). */
  undated: number;
  /** Dated works older than the first shown day (the chart shows at most `maxDays` days). */
  earlier: number;
}

export interface RankedAuthor {
  id: string;
  /** `/user/<username>` */
  username: string;
  name: string;
  source: WorkSource;
  works: number;
}

export interface RankedModel {
  /** The most common spelling of the name (after trimming and dropping a file extension). */
  name: string;
  /** Works that reference the model (a work listing it twice counts once). */
  works: number;
  /** The catalogue LoRA a reference was matched to, for a link to `/lora/<loraId>`. */
  loraId: string | null;
}

interface WordFrequency {
  word: string;
  /** Works whose prompt contains the word (once per work, so one repetitive prompt cannot dominate). */
  works: number;
}

export interface AnalyticsSummary {
  totalWorks: number;
  /** Sources with at least one work, in the schema's order. */
  sources: SourceTotals[];
  daily: DailyWorks;
  topAuthors: RankedAuthor[];
  topCheckpoints: RankedModel[];
  topLoras: RankedModel[];
  promptWords: WordFrequency[];
  /** Works that had a non-empty prompt. */
  promptsAnalysed: number;
}

/** How many entries each ranking keeps. */
export interface AnalyticsLimits {
  authors: number;
  checkpoints: number;
  loras: number;
  words: number;
  maxDays: number;
}

export const DEFAULT_ANALYTICS_LIMITS: AnalyticsLimits = { authors: 15, checkpoints: 15, loras: 15, words: 100, maxDays: 366 };
