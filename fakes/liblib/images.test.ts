import { describe, expect, it } from 'vitest';
import type { ImageContent } from './catalogue.ts';
import { ImageStore, sniffImageFormat } from './images.ts';

const content: ImageContent = { key: 'work:test-images:0', format: 'png', width: 48, height: 32, style: 'car', parameters: 'a red car\nSteps: 20' };

describe('ImageStore', () => {
  it('renders once per process: a second store (another fake) gets the same bytes without drawing them again', async () => {
    const first = await new ImageStore().get(content);
    const second = await new ImageStore().get(content);
    expect(second).toBe(first);
    expect(sniffImageFormat(first)).toBe('png');
  });

  it('keys the shared bytes by everything they are drawn from, not by the content key alone (fakes over other seeds)', async () => {
    const get = (...args: Parameters<ImageStore['get']>) => new ImageStore().get(...args);
    const plain = await get(content);
    const otherSize = await get({ ...content, width: 64 });
    const otherText = await get({ ...content, parameters: 'a blue car\nSteps: 30' });
    const watermarked = await get(content, true);
    const asWebp = await get(content, false, { format: 'webp' });
    expect(new Set([plain, otherSize, otherText, watermarked, asWebp]).size).toBe(5);
    expect(otherSize.equals(plain)).toBe(false);
    expect(otherText.equals(plain)).toBe(false);
    expect(sniffImageFormat(asWebp)).toBe('webp');
  });
});
