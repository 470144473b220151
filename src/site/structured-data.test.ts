import { describe, expect, it } from 'vitest';
import { sampleWork } from '../core/snapshot/test-fixtures.ts';
import { SENSITIVE_SHARE_IMAGE, shareImageOf } from './nsfw.ts';
import { absoluteUrl, artworkJsonLd, breadcrumbJsonLd, jsonLdGraph, personJsonLd } from './structured-data.ts';
import { jsonLd } from './works.ts';

const SITE = 'https://huaku.example';

describe('structured data', () => {
  it('describes a video work with a VideoObject (poster as thumbnail, clip as content) and keeps it out of the images', () => {
    const work = sampleWork(7, {
      publishedAt: '2025-05-01T00:00:00.000Z',
      images: [{ index: 0, url: '/media/v.mp4', thumbUrl: '/media/thumbs/320/v.webp', width: 640, height: 360, video: { contentType: 'video/mp4', previewUrl: null } }],
    });
    const data = artworkJsonLd(work, SITE);
    expect(data.video).toEqual([expect.objectContaining({
      '@type': 'VideoObject',
      contentUrl: absoluteUrl('/media/v.mp4', SITE),
      thumbnailUrl: absoluteUrl('/media/thumbs/320/v.webp', SITE),
      uploadDate: '2025-05-01T00:00:00.000Z',
      encodingFormat: 'video/mp4',
      width: 640,
      height: 360,
    })]);
    expect(data.image).toEqual([]);
    expect(artworkJsonLd(sampleWork(8), SITE).video).toBeUndefined();
  });

  it('describes a work as a CreativeWork of ImageObjects with absolute URLs', () => {
    const work = sampleWork(1, { images: [{ index: 0, url: '/media/a.png', thumbUrl: '/media/thumbs/320/a.webp', width: 768, height: 1024 }] });
    const data = artworkJsonLd(work, SITE);
    expect(data).toMatchObject({
      '@type': 'CreativeWork',
      url: `${SITE}/artwork/${work.id}/sample-work-1`,
      name: '示例作品 1',
      alternateName: 'Sample work 1',
      author: { '@type': 'Person', name: '作者1', url: `${SITE}/user/liblib-author-1` },
      image: [{ '@type': 'ImageObject', contentUrl: `${SITE}/media/a.png`, thumbnailUrl: `${SITE}/media/thumbs/320/a.webp`, width: 768, height: 1024 }],
    });
  });

  it("shows a sensitive work's neutral share card, as its og:image does, never the original, its thumbnail or a video", () => {
    for (const nsfwLevel of ['Mature', 'X'] as const) {
      const work = sampleWork(3, {
        nsfwLevel,
        images: [
          { index: 0, url: '/media/nsfw.png', thumbUrl: '/media/thumbs/320/nsfw.webp', width: 768, height: 1024 },
          { index: 1, url: '/media/nsfw-clip.mp4', thumbUrl: '/media/thumbs/320/nsfw-clip.webp', width: 640, height: 360, video: { contentType: 'video/mp4', previewUrl: null } },
        ],
      });
      const text = jsonLd(artworkJsonLd(work, SITE));
      expect(text, nsfwLevel).not.toContain('nsfw');
      expect(JSON.parse(text).video, nsfwLevel).toBeUndefined();
      expect(JSON.parse(text).image, nsfwLevel).toEqual([
        expect.objectContaining({ '@type': 'ImageObject', contentUrl: `${SITE}${SENSITIVE_SHARE_IMAGE.url}`, width: SENSITIVE_SHARE_IMAGE.width, height: SENSITIVE_SHARE_IMAGE.height }),
      ]);
      expect(shareImageOf(nsfwLevel, work.images[0])?.url).toBe(SENSITIVE_SHARE_IMAGE.url);
    }
  });

  it('keeps absolute image URLs as they are', () => {
    expect(absoluteUrl('https://cdn.example/x.png', SITE)).toBe('https://cdn.example/x.png');
  });

  it('numbers breadcrumb items from 1', () => {
    expect(breadcrumbJsonLd([{ name: '首页', path: '/' }, { name: '作品流', path: '/feed' }], SITE)).toMatchObject({
      '@type': 'BreadcrumbList',
      itemListElement: [
        { position: 1, name: '首页', item: `${SITE}/` },
        { position: 2, name: '作品流', item: `${SITE}/feed` },
      ],
    });
  });

  it('joins nodes into one @graph with a single @context', () => {
    const graph = jsonLdGraph({ '@type': 'CreativeWork', name: 'x' }, breadcrumbJsonLd([{ name: '首页', path: '/' }], SITE));
    expect(graph).toEqual({
      '@context': 'https://schema.org',
      '@graph': [
        { '@type': 'CreativeWork', name: 'x' },
        { '@type': 'BreadcrumbList', itemListElement: [{ '@type': 'ListItem', position: 1, name: '首页', item: `${SITE}/` }] },
      ],
    });
  });

  it('describes an author as a Person', () => {
    const person = personJsonLd({ id: 'civitai:1', username: 'civitai-1', name: 'Ann', avatarUrl: null, source: 'civitai', profileUrl: 'https://civitai.com/user/ann', workCount: 2 }, SITE);
    expect(person).toMatchObject({ '@type': 'Person', name: 'Ann', url: `${SITE}/user/civitai-1`, sameAs: 'https://civitai.com/user/ann' });
  });

  it('serializes without a raw `<` (no </script> break-out)', () => {
    const text = jsonLd(artworkJsonLd(sampleWork(2, { title: '</script><script>alert(1)</script>' }), SITE));
    expect(text).not.toContain('<');
    expect(JSON.parse(text).name).toBe('</script><script>alert(1)</script>');
  });
});
