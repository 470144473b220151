// One pass over the works of a snapshot, one work at a time, so 100k works are analysed without holding
// them: only counters (per day, per author, per model, per word) grow.
import { workSourceSchema, type SnapshotWork, type WorkSource } from '../snapshot/schema.ts';
import {
  DEFAULT_ANALYTICS_LIMITS,
  type AnalyticsLimits,
  type AnalyticsSummary,
  type DailyWorks,
  type RankedAuthor,
  type SourceTotals,
} from './analytics-summary.ts';
import { beijingDay, daysBetween, windowStart } from './beijing-day.ts';
import { ModelTally } from './model-tally.ts';
import { extractPromptWords } from './prompt-words.ts';
import { compareCodePoints, topByCount } from './rank.ts';

export class AnalyticsAccumulator {
  #totalWorks = 0;
  readonly #sources = new Map<WorkSource, { works: number; images: number; authorIds: Set<string>; completeness: { full: number; partial: number; none: number } }>();
  /** day → source → works */
  readonly #days = new Map<string, Map<WorkSource, number>>();
  #undated = 0;
  readonly #authors = new Map<string, RankedAuthor>();
  readonly #checkpoints = new ModelTally();
  readonly #loras = new ModelTally();
  readonly #words = new Map<string, number>();
  #promptsAnalysed = 0;

  add(work: SnapshotWork): void {
    this.#totalWorks += 1;

    let source = this.#sources.get(work.source);
    if (!source) {
      source = { works: 0, images: 0, authorIds: new Set(), completeness: { full: 0, partial: 0, none: 0 } };
      this.#sources.set(work.source, source);
    }
    source.works += 1;
    source.images += work.images.length;
    source.completeness[work.completeness ?? 'none'] += 1;

    if (work.publishedAt) {
      const day = beijingDay(work.publishedAt);
      let perSource = this.#days.get(day);
      if (!perSource) {
        perSource = new Map();
        this.#days.set(day, perSource);
      }
      perSource.set(work.source, (perSource.get(work.source) ?? 0) + 1);
    } else {
      this.#undated += 1;
    }

    if (work.author) {
      source.authorIds.add(work.author.id);
      const author = this.#authors.get(work.author.id);
      if (author) author.works += 1;
      else {
        const { id, username, name } = work.author;
        this.#authors.set(id, { id, username, name: name.trim() || username, source: work.source, works: 1 });
      }
    }

    this.#checkpoints.addWork(work.models.filter((model) => model.type === 'CHECKPOINT'));
    this.#loras.addWork(work.models.filter((model) => model.type === 'LORA'));

    if (work.prompt?.trim()) {
      this.#promptsAnalysed += 1;
      for (const word of extractPromptWords(work.prompt)) this.#words.set(word, (this.#words.get(word) ?? 0) + 1);
    }
  }

  summarize(limits: Partial<AnalyticsLimits> = {}): AnalyticsSummary {
    const limit = { ...DEFAULT_ANALYTICS_LIMITS, ...limits };
    return {
      totalWorks: this.#totalWorks,
      sources: this.#sourceTotals(),
      daily: this.#dailyWorks(limit.maxDays),
      topAuthors: topByCount(this.#authors.values(), (a) => a.works, (a) => a.id, limit.authors).map((a) => ({ ...a })),
      topCheckpoints: this.#checkpoints.top(limit.checkpoints),
      topLoras: this.#loras.top(limit.loras),
      promptWords: topByCount(this.#words.entries(), ([, n]) => n, ([word]) => word, limit.words).map(([word, works]) => ({ word, works })),
      promptsAnalysed: this.#promptsAnalysed,
    };
  }

  #sourceTotals(): SourceTotals[] {
    return workSourceSchema.options.flatMap((source) => {
      const totals = this.#sources.get(source);
      return totals ? [{ source, works: totals.works, authors: totals.authorIds.size, images: totals.images, completeness: { ...totals.completeness } }] : [];
    });
  }

  #dailyWorks(maxDays: number): DailyWorks {
    const dated = [...this.#days.keys()].sort(compareCodePoints);
    const last = dated.at(-1);
    if (!last) return { days: [], series: [], undated: this.#undated, earlier: 0 };
    // The axis starts at the first day with works inside the window, not at the window's edge: a year of
    // empty days before the data would squeeze the bars into a corner.
    const start = windowStart(last, maxDays);
    const first = dated.find((day) => day >= start)!;
    const days = daysBetween(first, last);
    let earlier = 0;
    for (const day of dated) {
      if (day >= first) break;
      for (const n of this.#days.get(day)!.values()) earlier += n;
    }
    const series = workSourceSchema.options.flatMap((source) => {
      const counts = days.map((day) => this.#days.get(day)?.get(source) ?? 0);
      return counts.some((n) => n > 0) ? [{ source, counts }] : [];
    });
    return { days, series, undated: this.#undated, earlier };
  }
}
