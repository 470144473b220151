// Trends over the published days (src/core/history/): what grew week over week (LoRAs, checkpoints and
// prompt words, by the works using them), new authors, and each source's daily volume. Pure: the page
// (src/pages/trends.astro) and its tests feed it days and get plain data back.
import type { HistoryDay } from '../history/read-history.ts';
import { workSourceSchema, type SnapshotWork, type WorkSource } from '../snapshot/schema.ts';
import type { AnalyticsSummary } from './analytics-summary.ts';
import { compareCodePoints } from './rank.ts';

/** Compare the latest day with the day a week before it (or the oldest day, when history is shorter). */
const WEEK_DAYS = 7;
const DAY_MS = 86_400_000;
/** Entries per rising list. */
const RISING_LIMIT = 15;

export interface RisingEntry {
  name: string;
  /** The catalogue LoRA (for `/lora/<id>`), when the name was matched to one. */
  loraId: string | null;
  /** Works using it on the base day (0 when it was not on that day's list). */
  before: number;
  now: number;
  delta: number;
  /** Not on the base day's list at all: new, or below its cut-off. */
  newOnList: boolean;
}

interface SourceVolume {
  source: WorkSource;
  /** Works added per day (aligned with `TrendsSummary.days`); null when that day's diff has no baseline. */
  added: (number | null)[];
  /** Works of this source in each day's snapshot. */
  totals: number[];
}

export interface TrendsSummary {
  /** The days used, oldest first. */
  days: string[];
  /** At least two days: trends can be computed. */
  enough: boolean;
  latest: string | null;
  /** The day the rising lists compare with; null when fewer than two days have an analysis. */
  base: string | null;
  /** Days between `base` and `latest`. */
  spanDays: number;
  risingLoras: RisingEntry[];
  risingCheckpoints: RisingEntry[];
  risingWords: RisingEntry[];
  volume: SourceVolume[];
  /** Net change in the number of authors from the day before (null for the first day). */
  newAuthorsPerDay: (number | null)[];
  /** Ids of works added since the base day (the diffs after it that have a baseline), for naming new authors. */
  addedSinceBase: Set<string>;
}

export function computeTrends(input: readonly HistoryDay[]): TrendsSummary {
  const days = [...input].sort((a, b) => compareCodePoints(a.date, b.date));
  const latest = days.at(-1) ?? null;
  const analysed = days.filter((day) => day.analysis !== null);
  const last = analysed.at(-1);
  const base = last ? pickBase(analysed.slice(0, -1), last.date) : undefined;
  const now = last?.analysis;
  const before = base?.analysis;
  const rising = (pick: (s: AnalyticsSummary) => { name: string; works: number; loraId: string | null }[]) =>
    now && before ? risingEntries(pick(before), pick(now)) : [];
  const words = (s: AnalyticsSummary) => s.promptWords.map((w) => ({ name: w.word, works: w.works, loraId: null }));

  const sources = workSourceSchema.options.filter((source) => days.some((day) => day.manifest.counts[source]));
  const volume = sources.map((source) => ({
    source,
    added: days.map((day) => (day.diff?.previousGeneratedAt ? (day.diff.works[source]?.added ?? 0) : null)),
    totals: days.map((day) => day.manifest.counts[source]?.works ?? 0),
  }));
  const authorTotals = days.map((day) => Object.values(day.manifest.counts).reduce((sum, c) => sum + (c?.authors ?? 0), 0));

  const baseDate = base?.date ?? days[0]?.date ?? '';
  const addedSinceBase = new Set<string>();
  for (const day of days) {
    if (day.date <= baseDate || !day.diff?.previousGeneratedAt) continue;
    for (const diff of Object.values(day.diff.works)) for (const id of diff?.addedIds ?? []) addedSinceBase.add(id);
  }

  return {
    days: days.map((day) => day.date),
    enough: days.length >= 2,
    latest: latest?.date ?? null,
    base: base?.date ?? null,
    spanDays: base && last ? Math.round((Date.parse(last.date) - Date.parse(base.date)) / DAY_MS) : 0,
    risingLoras: rising((s) => s.topLoras),
    risingCheckpoints: rising((s) => s.topCheckpoints),
    risingWords: rising(words),
    volume,
    newAuthorsPerDay: authorTotals.map((total, i) => (i === 0 ? null : total - authorTotals[i - 1]!)),
    addedSinceBase,
  };
}

/** The latest day at least a week before `latestDate`, else the oldest day (a history shorter than a week). */
function pickBase(earlier: readonly HistoryDay[], latestDate: string): HistoryDay | undefined {
  const weekBefore = new Date(Date.parse(latestDate) - WEEK_DAYS * DAY_MS).toISOString().slice(0, 10);
  return earlier.filter((day) => day.date <= weekBefore).at(-1) ?? earlier[0];
}

function risingEntries(
  before: readonly { name: string; works: number; loraId: string | null }[],
  now: readonly { name: string; works: number; loraId: string | null }[],
): RisingEntry[] {
  // Names are matched without case: the most common spelling can flip between days.
  const previous = new Map(before.map((entry) => [entry.name.toLowerCase(), entry.works]));
  return now
    .map((entry) => {
      const was = previous.get(entry.name.toLowerCase());
      return { name: entry.name, loraId: entry.loraId, before: was ?? 0, now: entry.works, delta: entry.works - (was ?? 0), newOnList: was === undefined };
    })
    .filter((entry) => entry.delta > 0)
    .sort((a, b) => b.delta - a.delta || b.now - a.now || compareCodePoints(a.name, b.name))
    .slice(0, RISING_LIMIT);
}

export interface NewAuthor {
  username: string;
  name: string;
  source: WorkSource;
  works: number;
}

/**
 * Authors all of whose works in the snapshot were added since the base day: they first appeared in that
 * window. Diffs list at most 100 added ids per source, so on a busy day this names fewer than there are.
 */
export function newAuthors(works: Iterable<SnapshotWork>, addedSinceBase: ReadonlySet<string>, limit = 30): NewAuthor[] {
  const byAuthor = new Map<string, NewAuthor & { allNew: boolean }>();
  for (const work of works) {
    if (!work.author) continue;
    let entry = byAuthor.get(work.author.id);
    if (!entry) {
      entry = { username: work.author.username, name: work.author.name.trim() || work.author.username, source: work.source, works: 0, allNew: true };
      byAuthor.set(work.author.id, entry);
    }
    entry.works += 1;
    if (!addedSinceBase.has(work.id)) entry.allNew = false;
  }
  return [...byAuthor.values()]
    .filter((entry) => entry.allNew)
    .sort((a, b) => b.works - a.works || compareCodePoints(a.username, b.username))
    .slice(0, limit)
    .map(({ allNew: _, ...author }) => author);
}
