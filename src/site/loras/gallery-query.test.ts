import { describe, expect, it } from 'vitest';
import { sampleLora } from '../../core/snapshot/test-fixtures.ts';
import { galleryEntry, toGalleryItem } from './lora-display.ts';
import {
  DEFAULT_QUERY, facetCounts, matchesSearch, parseCompare, parseQuery, queryToSearch, runQuery, withCompare, type GalleryQuery,
} from './gallery-query.ts';

const items = [
  sampleLora(1, { titleCn: '墨韵山水', titleEn: 'Ink-Landscape', tagsCn: ['国风', '风景'], baseModels: ['SDXL'], triggerWords: ['ink wash'] }),
  sampleLora(2, { titleCn: '赛博朋克霓虹', titleEn: 'Cyberpunk-Neon', tagsCn: ['插画'], baseModels: ['FLUX.1'], author: 'neonworks' }),
  sampleLora(3, { task: 'image-to-video', titleCn: '动态运镜', titleEn: 'Camera-Push-In', tagsCn: [], tagsEn: ['camera'], baseModels: ['Wan2.1'] }),
  sampleLora(4, { task: null, baseModels: ['SDXL', 'FLUX.1'], tagsCn: ['风景'] }),
].map((lora) => toGalleryItem(galleryEntry(lora)));
const query = (overrides: Partial<GalleryQuery>): GalleryQuery => ({ ...DEFAULT_QUERY, ...overrides });

describe('gallery search', () => {
  it('matches Chinese and English titles, author, tags and trigger words, case- and width-insensitively', () => {
    expect(runQuery(items, query({ q: '山水' })).matched).toEqual(['1']);
    expect(runQuery(items, query({ q: 'cyberpunk' })).matched).toEqual(['2']);
    expect(runQuery(items, query({ q: 'ＮＥＯＮWORKS' })).matched).toEqual(['2']);
    expect(runQuery(items, query({ q: 'ink wash' })).matched).toEqual(['1']);
    expect(runQuery(items, query({ q: 'camera' })).matched).toEqual(['3']);
    expect(runQuery(items, query({ q: '国风' })).matched).toEqual(['1']);
  });

  it('requires every term and treats a blank query as no query', () => {
    expect(matchesSearch(items[0]!, '  ')).toBe(true);
    expect(runQuery(items, query({ q: 'ink 赛博' })).total).toBe(0);
  });
});

describe('gallery filters and sort', () => {
  it('filters by task (none for LoRAs without one), base model and tag, combined with search', () => {
    expect(runQuery(items, query({ task: 'image-to-video' })).matched).toEqual(['3']);
    expect(runQuery(items, query({ task: 'none' })).matched).toEqual(['4']);
    expect(runQuery(items, query({ baseModel: 'FLUX.1' })).matched).toEqual(['2', '4']);
    expect(runQuery(items, query({ tag: '风景' })).matched).toEqual(['1', '4']);
    expect(runQuery(items, query({ tag: '风景', baseModel: 'SDXL', q: '示例' })).matched).toEqual(['4']);
  });

  it('sorts by downloads, likes or update time, descending', () => {
    expect(runQuery(items, query({})).matched).toEqual(['1', '2', '3', '4']);
    expect(runQuery(items, query({ sort: 'likes' })).matched).toEqual(['4', '3', '2', '1']);
    expect(runQuery(items, query({ sort: 'updated' })).matched).toEqual(['4', '3', '2', '1']);
  });
});

describe('gallery pagination', () => {
  const many = Array.from({ length: 50 }, (_, i) => toGalleryItem(galleryEntry(sampleLora(i + 1))));

  it('cuts pages of the given size and clamps the page number', () => {
    const first = runQuery(many, query({}), 24);
    expect([first.total, first.page, first.pageCount, first.pageIds.length]).toEqual([50, 1, 3, 24]);
    expect(runQuery(many, query({ page: 3 }), 24).pageIds).toEqual(first.matched.slice(48));
    expect(runQuery(many, query({ page: 99 }), 24).page).toBe(3);
    expect(runQuery(many, query({ page: 0 }), 24).page).toBe(1);
    const none = runQuery(many, query({ q: 'nothing' }), 24);
    expect([none.total, none.page, none.pageCount, none.pageIds]).toEqual([0, 1, 1, []]);
  });

});

describe('gallery URL state', () => {
  it('round-trips a query and leaves defaults out', () => {
    const q = query({ q: '国风 girl', task: 'image-to-video', baseModel: 'SDXL', tag: '风景', sort: 'likes', page: 2 });
    expect(parseQuery(new URLSearchParams(queryToSearch(q)))).toEqual(q);
    expect(queryToSearch(DEFAULT_QUERY)).toBe('');
  });

  it('falls back to defaults for unknown sorts and bad pages', () => {
    expect(parseQuery(new URLSearchParams('sort=random&page=-3'))).toEqual(DEFAULT_QUERY);
  });
});

describe('facet counts', () => {
  it('counts each value once per item, most frequent first', () => {
    expect(facetCounts([['SDXL', 'SDXL'], ['FLUX.1', 'SDXL'], ['FLUX.1'], ['Wan']])).toEqual([
      { value: 'FLUX.1', count: 2 },
      { value: 'SDXL', count: 2 },
      { value: 'Wan', count: 1 },
    ]);
  });
});

describe('the compare selection in the URL', () => {
  it('reads distinct ids in order, at most four', () => {
    expect(parseCompare(new URLSearchParams('compare=3,1,3,,2,5,6'))).toEqual(['3', '1', '2', '5']);
    expect(parseCompare(new URLSearchParams('q=x'))).toEqual([]);
  });

  it('sets it beside the gallery query and removes it when empty', () => {
    const search = queryToSearch(query({ q: '山水', sort: 'likes' }));
    expect(withCompare(search, ['1', '2'])).toBe(`${search}&compare=1,2`);
    expect(parseCompare(new URLSearchParams(withCompare(search, ['1', '2'])))).toEqual(['1', '2']);
    expect(withCompare(`${search}&compare=1,2`, [])).toBe(search);
    expect(withCompare('', [])).toBe('');
  });
});
