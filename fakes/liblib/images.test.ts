import { describe, expect, it } from 'vitest';
import type { ImageContent } from './catalogue.ts';
import { imageBytes, sniffImageFormat } from './images.ts';

const content: ImageContent = { key: 'work:test-images:0', format: 'png', width: 48, height: 32, style: 'car', parameters: 'a red car\nSteps: 20' };

describe('imageBytes', () => {
  it('renders once per process: a second request (another fake) gets the same bytes without drawing them again', async () => {
    const first = await imageBytes(content);
    const second = await imageBytes({ ...content });
    expect(second).toBe(first);
    expect(sniffImageFormat(first)).toBe('png');
  });

  it('keys the bytes by everything they are drawn from, not by the content key alone (fakes over other seeds)', async () => {
    const plain = await imageBytes(content);
    const otherSize = await imageBytes({ ...content, width: 64 });
    const otherText = await imageBytes({ ...content, parameters: 'a blue car\nSteps: 30' });
    const watermarked = await imageBytes(content, true);
    const asWebp = await imageBytes(content, false, { format: 'webp' });
    expect(new Set([plain, otherSize, otherText, watermarked, asWebp]).size).toBe(5);
    expect(otherSize.equals(plain)).toBe(false);
    expect(otherText.equals(plain)).toBe(false);
    expect(sniffImageFormat(asWebp)).toBe('webp');
  });
});
