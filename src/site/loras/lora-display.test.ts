import { describe, expect, it } from 'vitest';
import { sampleLora } from '../../core/snapshot/test-fixtures.ts';
import { baseModelLabel, cardCover, galleryEntry, COVER_PLACEHOLDER, displayTags, formatCount, loraSubtitle, loraTitle, taskLabel } from './lora-display.ts';

describe('LoRA presentation', () => {
  it('titles: Chinese first, then English, then the ModelScope id', () => {
    expect(loraTitle(sampleLora(1))).toBe('示例 LoRA 1');
    expect(loraSubtitle(sampleLora(1))).toBe('Sample LoRA 1');
    expect(loraTitle(sampleLora(1, { titleCn: ' ' }))).toBe('Sample LoRA 1');
    expect(loraSubtitle(sampleLora(1, { titleCn: null }))).toBeNull();
    expect(loraTitle(sampleLora(1, { titleCn: null, titleEn: null }))).toBe('owner1/lora-1');
  });

  it('labels tasks in Chinese, unknown ones as they are', () => {
    expect(taskLabel('text-to-image-synthesis')).toBe('文生图');
    expect(taskLabel(null)).toBe('未分类');
    expect(taskLabel('image-captioning')).toBe('image-captioning');
  });

  it('shows Chinese tags, English ones only when there are no Chinese tags', () => {
    expect(displayTags(sampleLora(1, { tagsCn: ['国风'], tagsEn: ['chinese'] }))).toEqual(['国风']);
    expect(displayTags(sampleLora(1, { tagsCn: [], tagsEn: ['chinese'] }))).toEqual(['chinese']);
  });

  it('covers: thumbnail, else cover, else the placeholder file', () => {
    expect(cardCover(sampleLora(1, { coverThumbUrl: '/media/t.webp' })).src).toBe('/media/t.webp');
    expect(cardCover(sampleLora(1))).toEqual({ src: '/media/test/lora-1.png', width: 768, height: 1024, placeholder: false });
    // A video cover shows its poster, and without one the placeholder: never the clip in an <img>.
    const coverVideo = { contentType: 'video/mp4', previewUrl: '/media/previews/c.mp4' };
    expect(cardCover(sampleLora(2, { coverUrl: '/media/c.mp4', coverThumbUrl: '/media/thumbs/320/c.webp', coverVideo })).src).toBe('/media/thumbs/320/c.webp');
    expect(cardCover(sampleLora(3, { coverUrl: '/media/c.mp4', coverThumbUrl: null, coverVideo })).placeholder).toBe(true);
    const dead = cardCover(sampleLora(1, { coverUrl: null, coverThumbUrl: '/media/stale.webp' }));
    expect(dead).toMatchObject({ src: COVER_PLACEHOLDER, placeholder: true });
    expect(COVER_PLACEHOLDER).toMatch(/\.svg$/);
  });

  it('formats counts compactly in Chinese', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(12_345)).toBe('1.2万');
  });

  it('gallery entries search the id, the other-language tags and trigger words without showing them', () => {
    const entry = galleryEntry(sampleLora(7, { tagsCn: ['国风'], tagsEn: ['chinese'], triggerWords: ['guofeng'], task: null }));
    expect(entry).toMatchObject({ title: '示例 LoRA 7', tags: ['国风'], keywords: ['owner7/lora-7', 'chinese', 'guofeng'], task: 'none' });
  });

  it('labels base models by their repository name', () => {
    expect(baseModelLabel('black-forest-labs/FLUX.1-dev')).toBe('FLUX.1-dev');
    expect(baseModelLabel('SDXL')).toBe('SDXL');
    expect(baseModelLabel('odd/')).toBe('odd/');
  });
});
