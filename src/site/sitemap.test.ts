import { describe, expect, it } from 'vitest';
import { sampleLora, sampleWork } from '../core/snapshot/test-fixtures.ts';
import {
  SITEMAP_MAX_URLS, renderRobotsTxt, renderSitemap, renderSitemapIndex, sitemapEntries, splitSitemap, type SitemapEntry,
} from './sitemap.ts';

const SITE = 'https://huaku.example';
const GENERATED = '2025-02-01T00:00:00.000Z';

describe('sitemapEntries', () => {
  it('lists static pages, feed pages, works, authors and LoRAs with their lastmod', () => {
    const works = [sampleWork(1), sampleWork(4), sampleWork(2, { publishedAt: null, author: null })];
    const entries = sitemapEntries({
      generatedAt: GENERATED,
      works,
      authors: [{ username: 'liblib-author-1' }, { username: 'no-dated-works' }],
      loras: [sampleLora(1), sampleLora(2, { updatedAt: null })],
      feedPaths: ['/feed/2'],
    });
    expect(entries).toEqual([
      { path: '/', lastmod: GENERATED },
      { path: '/features', lastmod: GENERATED },
      { path: '/feed', lastmod: GENERATED },
      { path: '/feed/hot', lastmod: GENERATED },
      { path: '/loras', lastmod: GENERATED },
      { path: '/analytics', lastmod: GENERATED },
      { path: '/trends', lastmod: GENERATED },
      { path: '/feed/2', lastmod: GENERATED },
      { path: '/artwork/liblib-1000000000000000001/sample-work-1', lastmod: works[0]!.publishedAt },
      { path: '/artwork/liblib-1000000000000000004/sample-work-4', lastmod: works[1]!.publishedAt },
      { path: '/artwork/liblib-1000000000000000002/sample-work-2', lastmod: GENERATED },
      // author-1 wrote works 1 and 4: the newer date wins.
      { path: '/user/liblib-author-1', lastmod: works[1]!.publishedAt },
      { path: '/user/no-dated-works', lastmod: GENERATED },
      { path: '/lora/1', lastmod: sampleLora(1).updatedAt },
      { path: '/lora/2', lastmod: GENERATED },
    ]);
  });
});

describe('splitSitemap', () => {
  const entries = (n: number): SitemapEntry[] => Array.from({ length: n }, (_, i) => ({ path: `/p/${i}`, lastmod: null }));

  it('keeps 50,000 URLs in one file and splits the 50,001st into a second', () => {
    expect(splitSitemap(entries(SITEMAP_MAX_URLS)).map((f) => f.length)).toEqual([50_000]);
    expect(splitSitemap(entries(SITEMAP_MAX_URLS + 1)).map((f) => f.length)).toEqual([50_000, 1]);
  });

  it('splits at an injected limit and keeps the order', () => {
    const files = splitSitemap(entries(7), 3);
    expect(files.map((f) => f.length)).toEqual([3, 3, 1]);
    expect(files.flat().map((e) => e.path)).toEqual(entries(7).map((e) => e.path));
  });

  it('always gives the index one file', () => {
    expect(splitSitemap([], 10)).toEqual([[]]);
    expect(() => splitSitemap(entries(1), 0)).toThrow(RangeError);
  });
});

describe('rendering', () => {
  it('lists a video work\'s clip with Google\'s video extension (poster, title, description, family-friendliness)', () => {
    const video = { contentType: 'video/mp4', previewUrl: null };
    const works = [
      sampleWork(1, { title: '海浪 & 礁石', prompt: 'waves', images: [{ index: 0, url: '/media/v.mp4', thumbUrl: '/media/thumbs/320/v.webp', width: 96, height: 64, video }] }),
      sampleWork(2, { nsfwLevel: 'X', images: [{ index: 0, url: '/media/x.mp4', thumbUrl: '/media/thumbs/320/x.webp', width: 96, height: 64, video }] }),
      sampleWork(3),
    ];
    const entries = sitemapEntries({ generatedAt: null, works, authors: [], loras: [], feedPaths: [] }).filter((e) => e.path.startsWith('/artwork/'));
    const xml = renderSitemap(entries, SITE);
    expect(xml).toContain('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:video="http://www.google.com/schemas/sitemap-video/1.1">');
    expect(xml).toContain(
      '<video:video><video:thumbnail_loc>https://huaku.example/media/thumbs/320/v.webp</video:thumbnail_loc><video:title>海浪 &amp; 礁石</video:title>' +
        '<video:description>waves</video:description><video:content_loc>https://huaku.example/media/v.mp4</video:content_loc><video:family_friendly>yes</video:family_friendly></video:video>',
    );
    expect(xml).toContain('<video:content_loc>https://huaku.example/media/x.mp4</video:content_loc><video:family_friendly>no</video:family_friendly>');
    expect(xml.match(/<video:video>/g)).toHaveLength(2); // the image work lists none
  });

  it('writes absolute, escaped URLs and the newest lastmod per file in the index', () => {
    const files = [
      [{ path: '/a?x=1&y=2', lastmod: '2025-01-02T00:00:00.000Z' }, { path: '/b', lastmod: '2025-01-03T00:00:00.000Z' }],
      [{ path: '/c', lastmod: null }],
    ];
    expect(renderSitemap(files[0]!, SITE)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
        '<url><loc>https://huaku.example/a?x=1&amp;y=2</loc><lastmod>2025-01-02T00:00:00.000Z</lastmod></url>\n' +
        '<url><loc>https://huaku.example/b</loc><lastmod>2025-01-03T00:00:00.000Z</lastmod></url>\n</urlset>\n',
    );
    expect(renderSitemapIndex(files, SITE)).toContain(
      '<sitemap><loc>https://huaku.example/sitemap-1.xml</loc><lastmod>2025-01-03T00:00:00.000Z</lastmod></sitemap>\n' +
        '<sitemap><loc>https://huaku.example/sitemap-2.xml</loc></sitemap>',
    );
  });

  it('robots.txt disallows the API and private pages and names the sitemap index', () => {
    expect(renderRobotsTxt(SITE)).toBe(
      'User-agent: *\nDisallow: /api/\nDisallow: /me\nDisallow: /upload\n\nSitemap: https://huaku.example/sitemap-index.xml\n',
    );
  });
});
