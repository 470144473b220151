import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LedgerEntry, Store } from '../../src/core/store/store.ts';
import { firstListUnit, listStage, type ListWalkSpec } from './list-walk.ts';
import type { UnitContext } from './stage-runner.ts';

type Position = { page: number };

/** Walks pages through the stage's own units (as the runner would) and returns what was taken, page by page. */
async function walk(pages: number[][], overrides: Partial<ListWalkSpec<number, Position>> = {}, known: ReadonlySet<number> = new Set()) {
  const taken: number[][] = [];
  const keys: string[] = [];
  const spec: ListWalkSpec<number, Position> = {
    prefix: 'test:',
    concurrency: 1,
    position: z.object({ page: z.number().int().positive() }),
    fetch: async ({ page }) => ({ items: pages[page - 1] ?? [], next: page < pages.length ? { page: page + 1 } : null }),
    known: async () => (item) => known.has(item),
    knownWindow: null,
    limit: null,
    maxPages: null,
    maxEmptyPages: 5,
    take: async (_tx, items) => void taken.push(items),
    ...overrides,
  };
  const stage = listStage(spec);
  let unit: { key: string; payload?: unknown } | undefined = firstListUnit('test:', { page: 1 }, 7);
  while (unit) {
    keys.push(unit.key);
    const queued: Array<{ key: string; payload?: unknown }> = [];
    const context: UnitContext = { runId: 7, count: () => undefined, enqueue: async (_tx, units) => (queued.push(...units), units.length) };
    const commit = await stage.handle({ key: unit.key, payload: unit.payload } as LedgerEntry, context);
    await commit({} as Store);
    unit = queued[0];
  }
  return { taken, keys };
}

describe('listStage', () => {
  it('walks every page once, with one key per page of the walk', async () => {
    const { taken, keys } = await walk([[1, 2], [3], [4, 5]]);
    expect(taken).toEqual([[1, 2], [3], [4, 5]]);
    expect(keys).toEqual(['test:w7:p1', 'test:w7:p2', 'test:w7:p3']);
  });

  it('stops at the limit, at maxPages, and after too many empty pages', async () => {
    expect((await walk([[1, 2], [3, 4], [5]], { limit: 3 })).taken).toEqual([[1, 2], [3]]);
    expect((await walk([[1], [2], [3]], { maxPages: 2 })).taken).toEqual([[1], [2]]);
    expect((await walk([[1], [], [], [4]], { maxEmptyPages: 2 })).taken).toEqual([[1], [], []]);
  });

  it('skips known items and stops after a window of consecutive known ones, across pages', async () => {
    const known = new Set([2, 3, 4, 5]);
    expect((await walk([[1, 2, 3], [4, 5, 6], [7]], {}, known)).taken).toEqual([[1], [6], [7]]);
    expect((await walk([[1, 2, 3], [4, 5, 6], [7]], { knownWindow: 3 }, known)).taken).toEqual([[1], []]);
  });

  it('stops when the upstream hands back the position it was given', async () => {
    const { taken } = await walk([[1], [2]], { fetch: async ({ page }) => ({ items: [page], next: { page } }) });
    expect(taken).toEqual([[1]]);
  });

  it('applies the selection before the known check and the limit', async () => {
    expect((await walk([[1, 2, 3, 4]], { select: (items) => items.filter((n) => n % 2 === 0), limit: 1 })).taken).toEqual([[2]]);
  });
});
