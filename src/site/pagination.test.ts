import { describe, expect, it } from 'vitest';
import { laterPageParams, pageCount, pageNumbers, pagePath, pageSlice } from './pagination.ts';

describe('pagination', () => {
  it('counts pages, with one page for an empty list', () => {
    expect(pageCount(0, 48)).toBe(1);
    expect(pageCount(48, 48)).toBe(1);
    expect(pageCount(49, 48)).toBe(2);
  });

  it('slices a page', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    expect(pageSlice(items, 1, 4)).toEqual({ items: [0, 1, 2, 3], page: 1, pageCount: 3 });
    expect(pageSlice(items, 3, 4)).toEqual({ items: [8, 9], page: 3, pageCount: 3 });
  });

  it('puts page 1 at the base path', () => {
    expect(pagePath('/feed', 1)).toBe('/feed');
    expect(pagePath('/feed/hot', 2)).toBe('/feed/hot/2');
  });

  it('links the first, last and nearby pages with gaps between', () => {
    expect(pageNumbers(1, 1)).toEqual([1]);
    expect(pageNumbers(1, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(pageNumbers(6, 20)).toEqual([1, null, 4, 5, 6, 7, 8, null, 20]);
    expect(pageNumbers(1, 20)).toEqual([1, 2, 3, null, 20]);
    // A single skipped page is shown instead of an ellipsis.
    expect(pageNumbers(5, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('makes static paths for pages 2…n only', () => {
    expect(laterPageParams(10, 4)).toEqual([
      { params: { page: '2' }, props: { page: 2 } },
      { params: { page: '3' }, props: { page: 3 } },
    ]);
    expect(laterPageParams(0, 4)).toEqual([]);
  });
});
