import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildExif, embedExif } from '../../../ingest/sources/civitai/exif.ts';
import { parseA1111Parameters } from '../recipe/a1111-parameters.ts';
import { readImageParameters } from './image-parameters.ts';
import { readPngText, setPngText } from './png-text.ts';

const TEXT = '红色跑车，夜景 <lora:Car LoRA:0.7>\nNegative prompt: 模糊\nSteps: 28, Sampler: DPM++ 2M, CFG scale: 7, Seed: 3498048277, Size: 832x1216, Model: majicMIX realistic';
const image = (format: 'png' | 'jpeg' | 'webp') => sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } }).toFormat(format).toBuffer();

describe('readImageParameters', () => {
  it('reads the PNG parameters chunk, tEXt (Latin-1) and iTXt (UTF-8), as the one A1111 parser takes it', async () => {
    const png = await image('png');
    expect(readImageParameters(setPngText(png, { parameters: 'a car\nSteps: 20, Sampler: Euler a, CFG scale: 7' }))).toBe('a car\nSteps: 20, Sampler: Euler a, CFG scale: 7');
    const chinese = setPngText(png, { parameters: TEXT });
    expect(readImageParameters(chinese)).toBe(TEXT);
    expect(readPngText(chinese).parameters).toBe(TEXT);
    const recipe = parseA1111Parameters(readImageParameters(chinese)!);
    expect(recipe).toMatchObject({ negativePrompt: '模糊', steps: 28, sampler: 'DPM++ 2M', cfgScale: 7, seed: '3498048277', width: 832, height: 1216 });
    expect(recipe.resources.map((r) => [r.type, r.modelName, r.weight])).toEqual([['CHECKPOINT', 'majicMIX realistic', null], ['LORA', 'Car LoRA', 0.7]]);
  });

  it('reads the EXIF UserComment (UNICODE, UTF-16) of JPEG, WebP and PNG eXIf', async () => {
    const exif = buildExif({ userComment: TEXT, xpComment: 'not this' });
    for (const format of ['jpeg', 'webp', 'png'] as const) {
      expect(readImageParameters(embedExif(await image(format), exif)), format).toBe(TEXT);
    }
  });

  it('is null for images without parameters, other files and truncated containers', async () => {
    const png = setPngText(await image('png'), { Software: 'x' });
    expect(readImageParameters(png)).toBeNull();
    expect(readImageParameters(await image('jpeg'))).toBeNull();
    expect(readImageParameters(new TextEncoder().encode('<svg></svg>'))).toBeNull();
    const jpeg = embedExif(await image('jpeg'), buildExif({ userComment: TEXT }));
    expect(readImageParameters(jpeg.subarray(0, 30))).toBeNull();
    expect(readImageParameters(new Uint8Array(0))).toBeNull();
  });
});
