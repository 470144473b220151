import { describe, expect, it } from 'vitest';
import { sampleWork } from '../core/snapshot/test-fixtures.ts';
import { artworkSearchRecord, SEARCH_LANGUAGE } from './search-record.ts';
import { workPath } from './works.ts';

describe('artworkSearchRecord', () => {
  it('holds what the artwork page shows and the meta the search page renders', () => {
    const work = sampleWork(1, {
      title: '水墨山水',
      titleEn: 'Ink landscape',
      prompt: '水墨画风格的山水',
      negativePrompt: 'blurry',
      author: { id: 'liblib:ink', username: 'liblib-ink', name: '墨客', avatarUrl: null },
      images: [
        { index: 1, url: '/media/b.png', thumbUrl: null, width: 10, height: 10 },
        { index: 0, url: '/media/a.png', thumbUrl: '/media/thumbs/320/a,1.webp', width: 640, height: 480 },
      ],
      models: [
        { type: 'LORA', name: 'Ink v2', url: null, loraId: '7' },
        { type: 'CHECKPOINT', name: ' SDXL 1.0 ', url: null, loraId: null },
      ],
      tags: ['风景', '国风'],
    });
    const record = artworkSearchRecord(work);
    expect(record.url).toBe(workPath(work));
    expect(record.language).toBe(SEARCH_LANGUAGE);
    expect(record.meta).toEqual({ title: '水墨山水', image: '/media/thumbs/320/a,1.webp', author: '墨客' });
    expect(record.content.split('\n')).toEqual(['水墨山水', 'Ink landscape', '墨客', '水墨画风格的山水', 'blurry', 'SDXL 1.0', 'Ink v2', '风景', '国风']);
  });

  it('falls back like the page: 无题, 佚名, no author meta, no image without images, no repeated title', () => {
    const work = sampleWork(2, { title: null, titleEn: 'Untitled sketch', author: null, images: [], prompt: null, models: [], tags: [] });
    const record = artworkSearchRecord(work);
    expect(record.meta).toEqual({ title: 'Untitled sketch' });
    expect(record.content.split('\n')).toEqual(['Untitled sketch', '佚名']);
  });
});
