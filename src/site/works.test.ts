import { describe, expect, it } from 'vitest';
import { sampleWork } from '../core/snapshot/test-fixtures.ts';
import { compareHot, compareNewestFirst, coverImage, imageSrcset, layoutRatio, sortHot, sortNewestFirst, summarize } from './works.ts';

describe('works helpers', () => {
  it('orders hot works by likes + favorites, ties newest first', () => {
    const a = sampleWork(1, { likeCount: 5, favoriteCount: 5 });
    const b = sampleWork(2, { likeCount: 1, favoriteCount: 0 });
    const c = sampleWork(3, { likeCount: 10, favoriteCount: 0 });
    const tieWithA = sampleWork(4, { likeCount: 10, favoriteCount: 0 });
    expect([b, a, c, tieWithA].sort(compareHot).map((w) => w.id)).toEqual([tieWithA.id, c.id, a.id, b.id]);
    expect(sortHot(sortNewestFirst([b, a, c, tieWithA])).map((w) => w.id)).toEqual([tieWithA.id, c.id, a.id, b.id]);
  });

  it('sorts newest first (undated last, ties by id) exactly like compareNewestFirst', () => {
    const undated = sampleWork(5, { publishedAt: null });
    const older = sampleWork(1);
    const newer = sampleWork(9);
    // Same instant written with an offset: equal times fall back to the id.
    const sameInstant = sampleWork(8, { publishedAt: newer.publishedAt!.replace('Z', '+00:00') });
    const works = [undated, older, sameInstant, newer];
    const expected = [newer, sameInstant].sort((x, y) => (x.id < y.id ? -1 : 1)).concat(older, undated).map((w) => w.id);
    expect(sortNewestFirst(works).map((w) => w.id)).toEqual(expected);
    expect([...works].sort(compareNewestFirst).map((w) => w.id)).toEqual(expected);
  });

  it('builds a srcset from the thumbnail and the original, reading the thumbnail width from its key', () => {
    expect(imageSrcset({ url: '/media/a.png', thumbUrl: '/media/thumbs/320/a.webp', width: 1024 })).toBe('/media/thumbs/320/a.webp 320w, /media/a.png 1024w');
    // Ingest never upscales: a thumbnail as wide as the original adds nothing.
    expect(imageSrcset({ url: '/media/a.png', thumbUrl: '/media/thumbs/320/a.webp', width: 300 })).toBeNull();
    expect(imageSrcset({ url: '/media/a.png', thumbUrl: null, width: 1024 })).toBeNull();
    expect(imageSrcset({ url: '/media/a.png', thumbUrl: null, width: null })).toBeNull();
  });

  it('gives the first image as the cover, preferring its thumbnail', () => {
    const work = sampleWork(1, {
      images: [
        { index: 1, url: '/b.png', thumbUrl: null, width: 10, height: 10 },
        { index: 0, url: '/a.png', thumbUrl: '/thumbs/320/a.webp', width: 640, height: 480 },
      ],
    });
    expect(coverImage(work)).toEqual({ src: '/thumbs/320/a.webp', srcset: '/thumbs/320/a.webp 320w, /a.png 640w', width: 640, height: 480 });
    expect(coverImage(sampleWork(2, { images: [] }))).toBeNull();
  });

  it('clamps layout ratios and defaults to portrait', () => {
    expect(layoutRatio({ width: 768, height: 1024 })).toBe(0.75);
    expect(layoutRatio({ width: 5000, height: 100 })).toBe(2.2);
    expect(layoutRatio(null)).toBe(0.75);
  });

  it('summarizes text for meta descriptions', () => {
    expect(summarize('  a \n b ', 'x')).toBe('a b');
    expect(summarize(null, '无')).toBe('无');
    expect(summarize('一二三四五', '', 4)).toBe('一二三…');
  });
});
