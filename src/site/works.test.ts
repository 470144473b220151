import { describe, expect, it } from 'vitest';
import { sampleWork } from '../core/snapshot/test-fixtures.ts';
import { HOT_EPOCH_S, HOT_SECONDS_PER_DECADE, hotScore } from '../core/domain/hot-score.ts';
import { compareHot, compareNewestFirst, coverImage, coverVideo, displayTitle, formatDateTime, imageSrcset, isListed, layoutRatio, reactionTotal, sortHot, sortNewestFirst, summarize, workHotScore } from './works.ts';

describe('works helpers', () => {
  it('orders hot works by the shared hot score: reactions weighed against the publish time, ties newest first', () => {
    const at = (hours: number) => new Date(Date.UTC(2025, 0, 1) + hours * 3_600_000).toISOString();
    const quiet = sampleWork(1, { publishedAt: at(0), likeCount: 1, favoriteCount: 0 });
    const favorited = sampleWork(2, { publishedAt: at(0), likeCount: 5, favoriteCount: 5 }); // 5 + 2×5 = 15 votes
    const liked = sampleWork(3, { publishedAt: at(0), likeCount: 10, favoriteCount: 0 });
    const tieWithLiked = sampleWork(4, { publishedAt: at(0), likeCount: 10, favoriteCount: 0 });
    // 100 votes are two decades: 25 hours of head start over a work with one (15 votes: 14.7 hours).
    const popularDayOld = sampleWork(5, { publishedAt: at(-24), likeCount: 100, favoriteCount: 0 });
    const popularTooOld = sampleWork(6, { publishedAt: at(-26), likeCount: 100, favoriteCount: 0 });
    const undated = sampleWork(7, { publishedAt: null, likeCount: 1_000_000, favoriteCount: 0 });
    const expected = [favorited, liked, tieWithLiked, popularDayOld, quiet, popularTooOld, undated].map((w) => w.id);
    const works = [undated, quiet, popularTooOld, tieWithLiked, favorited, liked, popularDayOld];
    expect([...works].sort(compareHot).map((w) => w.id)).toEqual(expected);
    expect(sortHot(sortNewestFirst(works)).map((w) => w.id)).toEqual(expected);
  });

  it('scores a work exactly as the server ranks it (src/core/domain/hot-score.ts)', () => {
    // 45,000 s after the epoch with 10 votes: one decade of votes + one decade of time.
    const work = sampleWork(1, { publishedAt: new Date((HOT_EPOCH_S + HOT_SECONDS_PER_DECADE) * 1000).toISOString(), likeCount: 4, favoriteCount: 3 });
    expect(workHotScore(work)).toBe(2);
    expect(workHotScore(work)).toBe(hotScore(new Date(work.publishedAt!), { likes: 4, favorites: 3 }));
    expect(reactionTotal(work)).toBe(7);
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

  it('offers every stored thumbnail width when the snapshot lists them, once per pixel width', () => {
    const thumbs = [
      { url: '/media/thumbs/960/a.webp', width: 960 },
      { url: '/media/thumbs/320/a.webp', width: 320 },
    ];
    expect(imageSrcset({ url: '/media/a.png', thumbUrl: '/media/thumbs/320/a.webp', width: 2048, thumbs })).toBe(
      '/media/thumbs/320/a.webp 320w, /media/thumbs/960/a.webp 960w, /media/a.png 2048w',
    );
    // A 900 px original: its 960 thumbnail is the original's size (never upscaled), so only 320 and the original.
    expect(imageSrcset({ url: '/media/a.png', thumbUrl: null, width: 900, thumbs: [thumbs[1]!, { url: '/media/thumbs/960/a.webp', width: 900 }] })).toBe(
      '/media/thumbs/320/a.webp 320w, /media/a.png 900w',
    );
  });

  it('titles a work by its title, its English title, a caption from its prompt, else 无题', () => {
    expect(displayTitle({ title: ' 标题 ', titleEn: 'Title', prompt: 'x' })).toBe('标题');
    expect(displayTitle({ title: null, titleEn: 'Title', prompt: 'x' })).toBe('Title');
    expect(displayTitle({ title: null, titleEn: null, prompt: 'masterpiece, best quality, 雪山下的小木屋' })).toBe('雪山下的小木屋');
    expect(displayTitle({ title: '', titleEn: null, prompt: 'best quality, 8k' })).toBe('无题');
    expect(displayTitle({ title: null, titleEn: null })).toBe('无题');
  });

  it('lists only works with an image', () => {
    expect(isListed(sampleWork(1))).toBe(true);
    expect(isListed(sampleWork(2, { images: [] }))).toBe(false);
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

  it('shows a video work by its poster, never its clip, and gives the clip and preview separately', () => {
    const video = { contentType: 'video/mp4', previewUrl: '/media/previews/v.mp4' };
    const work = sampleWork(3, { images: [{ index: 0, url: '/media/v.mp4', thumbUrl: '/media/thumbs/320/v.webp', width: 640, height: 360, video }] });
    expect(coverImage(work)).toEqual({ src: '/media/thumbs/320/v.webp', srcset: null, width: 640, height: 360 });
    expect(coverVideo(work)).toEqual({ src: '/media/v.mp4', contentType: 'video/mp4', previewUrl: '/media/previews/v.mp4', poster: '/media/thumbs/320/v.webp', width: 640, height: 360 });
    // No poster yet: a placeholder rather than a clip in an <img>.
    expect(coverImage(sampleWork(4, { images: [{ index: 0, url: '/media/v.mp4', thumbUrl: null, width: 64, height: 48, video }] }))).toBeNull();
    expect(coverVideo(sampleWork(5))).toBeNull();
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

describe('formatDateTime', () => {
  const intl = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

  it('formats Beijing time as Intl does, midnight and year ends included', () => {
    const times = ['2025-01-01T16:00:00Z', '2025-01-01T15:59:59.999Z', '2024-12-31T16:00:00.000Z', '1992-01-01T00:00:00Z', '2025-01-01T00:10:00.000+08:00'];
    for (let t = Date.UTC(1992, 0, 1); t < Date.UTC(2040, 0, 1); t += 7_919_777_123) times.push(new Date(t).toISOString());
    for (const iso of times) expect(formatDateTime(iso), iso).toBe(intl.format(new Date(iso)));
  });

  it('leaves dates before 1992 (Beijing daylight saving) to Intl', () => {
    expect(formatDateTime('1988-06-01T00:00:00Z')).toBe('1988/06/01 09:00');
  });
});
