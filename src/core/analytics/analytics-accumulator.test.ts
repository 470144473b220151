import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SnapshotModelRef, SnapshotWork } from '../snapshot/schema.ts';
import { sampleWork, writeTestSnapshot } from '../snapshot/test-fixtures.ts';
import { AnalyticsAccumulator } from './analytics-accumulator.ts';
import { analyzeSnapshot } from './analyze-snapshot.ts';

function author(n: number): SnapshotWork['author'] {
  return { id: `liblib:a${n}`, username: `liblib-a${n}`, name: `作者${n}`, avatarUrl: null };
}

function model(type: SnapshotModelRef['type'], name: string, loraId: string | null = null): SnapshotModelRef {
  return { type, name, url: null, loraId };
}

function summarize(works: SnapshotWork[], limits = {}) {
  const accumulator = new AnalyticsAccumulator();
  for (const work of works) accumulator.add(work);
  return accumulator.summarize(limits);
}

describe('AnalyticsAccumulator', () => {
  it('counts works per day in Beijing time, per source, filling days without works', () => {
    const summary = summarize([
      sampleWork(1, { id: 'a', publishedAt: '2025-01-01T15:59:59Z' }), // 23:59 in Beijing: Jan 1
      sampleWork(2, { id: 'b', publishedAt: '2025-01-01T16:00:00Z' }), // 00:00 in Beijing: Jan 2
      sampleWork(3, { id: 'c', publishedAt: '2025-01-01T20:00:00+00:00', source: 'civitai' }),
      sampleWork(4, { id: 'd', publishedAt: '2025-01-04T01:00:00+08:00' }),
      sampleWork(5, { id: 'e', publishedAt: null }),
    ]);
    expect(summary.daily.days).toEqual(['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04']);
    expect(summary.daily.series).toEqual([
      { source: 'liblib', counts: [1, 1, 0, 1] },
      { source: 'civitai', counts: [0, 1, 0, 0] },
    ]);
    expect(summary.daily.undated).toBe(1);
    expect(summary.daily.earlier).toBe(0);
  });

  it('shows at most maxDays days and counts the older works separately', () => {
    const summary = summarize(
      [
        sampleWork(1, { id: 'a', publishedAt: '2024-06-01T00:00:00Z' }),
        sampleWork(2, { id: 'b', publishedAt: '2025-01-09T00:00:00Z' }),
        sampleWork(3, { id: 'c', publishedAt: '2025-01-10T00:00:00Z' }),
      ],
      { maxDays: 3 },
    );
    // The window is 01-08..01-10; the axis starts at its first day with works.
    expect(summary.daily.days).toEqual(['2025-01-09', '2025-01-10']);
    expect(summary.daily.earlier).toBe(1);
  });

  it('totals works, distinct authors and images per source in the schema order', () => {
    const summary = summarize([
      sampleWork(1, { id: 'a', source: 'civitai', author: author(1) }),
      sampleWork(2, { id: 'b', author: author(1) }),
      sampleWork(3, { id: 'c', author: author(1) }),
      sampleWork(4, { id: 'd', author: author(2), images: [] }),
      sampleWork(5, { id: 'e', author: null, completeness: 'partial' }),
    ]);
    expect(summary.totalWorks).toBe(5);
    expect(summary.sources).toEqual([
      { source: 'liblib', works: 4, authors: 2, images: 3, completeness: { full: 3, partial: 1, none: 0 } },
      { source: 'civitai', works: 1, authors: 1, images: 1, completeness: { full: 1, partial: 0, none: 0 } },
    ]);
  });

  it('ranks authors by works with their usernames; ties are ordered by id whatever the input order', () => {
    const works = [
      sampleWork(1, { id: 'w1', author: author(3) }),
      sampleWork(2, { id: 'w2', author: author(2) }),
      sampleWork(3, { id: 'w3', author: author(1) }),
      sampleWork(4, { id: 'w4', author: author(2) }),
      sampleWork(5, { id: 'w5', author: author(4) }),
    ];
    const expected = [
      { id: 'liblib:a2', username: 'liblib-a2', name: '作者2', source: 'liblib', works: 2 },
      { id: 'liblib:a1', username: 'liblib-a1', name: '作者1', source: 'liblib', works: 1 },
      { id: 'liblib:a3', username: 'liblib-a3', name: '作者3', source: 'liblib', works: 1 },
    ];
    expect(summarize(works, { authors: 3 }).topAuthors).toEqual(expected);
    expect(summarize([...works].reverse(), { authors: 3 }).topAuthors).toEqual(expected);
  });

  it('counts checkpoint and LoRA references per work under normalised names', () => {
    const summary = summarize([
      sampleWork(1, { id: 'a', models: [model('CHECKPOINT', 'SDXL 1.0'), model('LORA', 'Neon City', 'neon'), model('LORA', 'neon city ')] }),
      sampleWork(2, { id: 'b', models: [model('CHECKPOINT', ' sdxl  1.0.safetensors'), model('LORA', 'Neon City')] }),
      sampleWork(3, { id: 'c', models: [model('CHECKPOINT', 'majicMIX'), model('OTHER', 'vae-ft-mse'), model('LORA', '  ')] }),
    ]);
    expect(summary.topCheckpoints).toEqual([
      { name: 'SDXL 1.0', works: 2, loraId: null },
      { name: 'majicMIX', works: 1, loraId: null },
    ]);
    expect(summary.topLoras).toEqual([{ name: 'Neon City', works: 2, loraId: 'neon' }]);
  });

  it('keeps Top-N ties in a stable order (by normalised name) and cuts at the limit', () => {
    const works = ['Beta', 'alpha', 'Gamma', 'delta'].map((name, i) => sampleWork(i, { id: `w${i}`, models: [model('LORA', name)] }));
    expect(summarize(works, { loras: 3 }).topLoras.map((m) => m.name)).toEqual(['alpha', 'Beta', 'delta']);
    expect(summarize([...works].reverse(), { loras: 3 }).topLoras.map((m) => m.name)).toEqual(['alpha', 'Beta', 'delta']);
  });

  it('counts prompt words once per work across Chinese and English prompts', () => {
    const summary = summarize([
      sampleWork(1, { id: 'a', prompt: '红色跑车，城市夜景，红色' }),
      sampleWork(2, { id: 'b', prompt: 'red sports car, (city:1.3), <lora:neon:0.7>' }),
      sampleWork(3, { id: 'c', prompt: '城市的夜景 night city' }),
      sampleWork(4, { id: 'd', prompt: '   ' }),
      sampleWork(5, { id: 'e', prompt: null }),
    ]);
    expect(summary.promptsAnalysed).toBe(3);
    // Ties by code point: Latin before Han.
    expect(summary.promptWords.slice(0, 3)).toEqual([
      { word: 'city', works: 2 },
      { word: '城市', works: 2 },
      { word: '夜景', works: 2 },
    ]);
    expect(summary.promptWords.map((w) => w.word)).not.toContain('neon');
    expect(summary.promptWords.find((w) => w.word === '红色')).toEqual({ word: '红色', works: 1 });
  });

  it('summarises an empty set of works', () => {
    expect(summarize([])).toEqual({
      totalWorks: 0,
      sources: [],
      daily: { days: [], series: [], undated: 0, earlier: 0 },
      topAuthors: [],
      topCheckpoints: [],
      topLoras: [],
      promptWords: [],
      promptsAnalysed: 0,
    });
  });
});

describe('analyzeSnapshot', () => {
  it('streams every chunk of a snapshot directory, and gives an empty summary without one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'huaku-analytics-'));
    try {
      await writeTestSnapshot(path.join(dir, 'snapshot'), [1, 2, 3, 4, 5].map((n) => sampleWork(n)), { chunkSize: 2 });
      const summary = await analyzeSnapshot(path.join(dir, 'snapshot'));
      expect(summary.totalWorks).toBe(5);
      expect(summary.topCheckpoints).toEqual([{ name: 'SDXL 1.0', works: 5, loraId: null }]);
      expect((await analyzeSnapshot(path.join(dir, 'missing'))).totalWorks).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
