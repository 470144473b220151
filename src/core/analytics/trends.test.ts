import { describe, expect, it } from 'vitest';
import type { HistoryDay } from '../history/read-history.ts';
import { SNAPSHOT_VERSION } from '../snapshot/schema.ts';
import { sampleWork } from '../snapshot/test-fixtures.ts';
import type { AnalyticsSummary } from './analytics-summary.ts';
import { computeTrends, newAuthors } from './trends.ts';

const empty: AnalyticsSummary = {
  totalWorks: 0, sources: [], daily: { days: [], series: [], undated: 0, earlier: 0 },
  topAuthors: [], topCheckpoints: [], topLoras: [], promptWords: [], promptsAnalysed: 0,
};
const side = (added: number, ids: string[] = []) => ({ added, removed: 0, changed: 0, addedIds: ids, removedIds: [], changedIds: [] });

function day(date: string, options: { liblib: number; authors: number; added?: [number, string[]] | null; summary?: Partial<AnalyticsSummary> | null }): HistoryDay {
  const generatedAt = `${date}T00:00:00.000Z`;
  return {
    date,
    manifest: { version: SNAPSHOT_VERSION, generatedAt, counts: { liblib: { works: options.liblib, authors: options.authors } }, runIds: [] },
    diff: options.added === undefined ? null : {
      generatedAt,
      previousGeneratedAt: options.added === null ? null : '2000-01-01T00:00:00.000Z',
      works: { liblib: options.added === null ? side(options.liblib) : side(...options.added) },
      loras: side(0),
    },
    analysis: options.summary === null ? null : { ...empty, ...options.summary },
  };
}

describe('computeTrends', () => {
  it('needs two days; with one it says so and ranks nothing', () => {
    const trends = computeTrends([day('2025-03-01', { liblib: 5, authors: 2, added: null })]);
    expect(trends).toMatchObject({ enough: false, days: ['2025-03-01'], base: null, risingLoras: [], newAuthorsPerDay: [null] });
  });

  it('compares the latest day with the last day a week before it, names new entries, and counts volume and authors', () => {
    const lora = (name: string, works: number) => ({ name, works, loraId: null });
    const trends = computeTrends([
      // Out of order on purpose; 03-01 is more than a week before 03-09, 03-03 is not.
      day('2025-03-03', { liblib: 12, authors: 5, added: [2, ['w11', 'w12']], summary: { topLoras: [lora('Ink', 9)] } }),
      day('2025-03-01', { liblib: 10, authors: 4, added: null, summary: { topLoras: [lora('ink', 2), lora('Film', 5)], promptWords: [{ word: '雨夜', works: 1 }] } }),
      day('2025-03-09', { liblib: 15, authors: 7, added: [3, ['w13', 'w14', 'w15']], summary: { topLoras: [lora('Ink', 10), lora('Film', 5), lora('Neon', 3)], promptWords: [{ word: '雨夜', works: 4 }] } }),
      day('2025-03-05', { liblib: 12, authors: 5, summary: null }),
    ]);
    expect(trends).toMatchObject({ enough: true, days: ['2025-03-01', '2025-03-03', '2025-03-05', '2025-03-09'], latest: '2025-03-09', base: '2025-03-01', spanDays: 8 });
    // Case-insensitive match (ink → Ink); Film did not grow; Neon was not on the older list.
    expect(trends.risingLoras).toEqual([
      { name: 'Ink', loraId: null, before: 2, now: 10, delta: 8, newOnList: false },
      { name: 'Neon', loraId: null, before: 0, now: 3, delta: 3, newOnList: true },
    ]);
    expect(trends.risingWords.map((w) => [w.name, w.delta])).toEqual([['雨夜', 3]]);
    expect(trends.volume).toEqual([{ source: 'liblib', added: [null, 2, null, 3], totals: [10, 12, 12, 15] }]);
    expect(trends.newAuthorsPerDay).toEqual([null, 1, 0, 2]);
    expect([...trends.addedSinceBase].sort()).toEqual(['w11', 'w12', 'w13', 'w14', 'w15']);
  });
});

describe('newAuthors', () => {
  it('names authors all of whose works were added since the base day, most works first', () => {
    const by = (id: string) => ({ id: `liblib:${id}`, username: `liblib-${id}`, name: id.toUpperCase(), avatarUrl: null });
    const works = [
      sampleWork(1, { id: 'a1', author: by('old') }),
      sampleWork(2, { id: 'a2', author: by('old') }),
      sampleWork(3, { id: 'b1', author: by('fresh') }),
      sampleWork(4, { id: 'b2', author: by('fresh') }),
      sampleWork(5, { id: 'c1', author: by('solo') }),
      sampleWork(6, { id: 'd1', author: null }),
    ];
    const authors = newAuthors(works, new Set(['a2', 'b1', 'b2', 'c1', 'd1']));
    expect(authors).toEqual([
      { username: 'liblib-fresh', name: 'FRESH', source: 'liblib', works: 2 },
      { username: 'liblib-solo', name: 'SOLO', source: 'liblib', works: 1 },
    ]);
  });
});
