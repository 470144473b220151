import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { readPngText } from '../media/png-text.ts';
import { contractRequest } from './generation-provider.contract.ts';
import { parseA1111Parameters } from '../recipe/a1111-parameters.ts';
import { encodeGenerationOutput, generationOutputKey, generationParameters, recipeFromGenerationRequest } from './generation-output.ts';

const JOB = '3f2b8c1e-9d4a-4b7e-8f00-0a1b2c3d4e5f';

describe('generation outputs', () => {
  it('formats the A1111 infotext: LoRAs as prompt tags, quoted values, unknowns left out', () => {
    const request = { ...contractRequest(), checkpoint: { id: 'majic/flux', name: 'majicFlus, v1' } };
    expect(generationParameters(request, 99, [['Huaku provider', 'a1111@127.0.0.1:7860'], ['Empty', null]])).toBe(
      '水墨山水，远山与孤舟, masterpiece, <lora:demo/lora-ink:0.6>, <lora:demo/lora-car:0.4>\n' +
        'Negative prompt: blurry\n' +
        'Steps: 6, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 99, Size: 256x320, Model: "majicFlus, v1", Huaku provider: "a1111@127.0.0.1:7860"',
    );
  });

  it('reads back what it writes: parse(format(request, seed)) is the request as a recipe', () => {
    const request = { ...contractRequest(), checkpoint: { id: 'majic/flux', name: 'majicFlus, v1' } };
    const recipe = recipeFromGenerationRequest(request, 4_294_967_295);
    expect(parseA1111Parameters(generationParameters(request, 4_294_967_295, [['Huaku provider', 'fake']]))).toEqual(recipe);
    expect(recipe).toMatchObject({ seed: '4294967295', negativePrompt: 'blurry', steps: 6, width: 256, height: 320 });
    expect(recipe.resources.map((r) => [r.type, r.modelName, r.weight])).toEqual([['CHECKPOINT', 'majicFlus, v1', null], ['LORA', 'demo/lora-ink', 0.6], ['LORA', 'demo/lora-car', 0.4]]);
  });

  it('writes the recipe into a PNG parameters chunk (iTXt for Chinese, tEXt for Latin-1), replacing earlier text, pixels untouched', async () => {
    const png = await sharp({ create: { width: 16, height: 8, channels: 3, background: '#369' } }).png().toBuffer();
    const chinese = await encodeGenerationOutput(png, '水墨 Steps: 20');
    expect(readPngText(chinese)).toEqual({ parameters: '水墨 Steps: 20' });
    expect(chinese.includes(Buffer.from('iTXt'))).toBe(true);
    const again = await encodeGenerationOutput(chinese, 'cat, Steps: 20');
    expect(readPngText(again)).toEqual({ parameters: 'cat, Steps: 20' });
    expect(again.includes(Buffer.from('tEXt'))).toBe(true);
    expect(await sharp(again).raw().toBuffer()).toEqual(await sharp(png).raw().toBuffer());
    // A provider's JPEG becomes a PNG carrying the chunk.
    const jpeg = await sharp({ create: { width: 16, height: 8, channels: 3, background: '#963' } }).jpeg().toBuffer();
    const converted = await encodeGenerationOutput(jpeg, 'p');
    expect((await sharp(converted).metadata()).format).toBe('png');
    expect(readPngText(converted).parameters).toBe('p');
    await expect(encodeGenerationOutput(Buffer.from('<html>'), 'p')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(encodeGenerationOutput(png.subarray(0, png.length - 6), 'p')).rejects.toThrow(/damaged PNG/);
  });

  it('keys outputs generations/{task}/{yyyy}/{mm}/{job_id}/{n}.png and refuses anything else', () => {
    const date = new Date('2026-03-09T23:59:00Z');
    expect(generationOutputKey({ task: 'text-to-image-synthesis', date, jobId: JOB, index: 0 })).toBe(`generations/text-to-image-synthesis/2026/03/${JOB}/0.png`);
    for (const jobId of ['../../etc/passwd', `${JOB}/x`, JOB.toUpperCase(), '']) {
      expect(() => generationOutputKey({ task: 'text-to-image-synthesis', date, jobId, index: 0 })).toThrow(InvalidInputError);
    }
    expect(() => generationOutputKey({ task: '../x' as never, date, jobId: JOB, index: 0 })).toThrow(InvalidInputError);
    expect(() => generationOutputKey({ task: 'text-to-image-synthesis', date, jobId: JOB, index: -1 })).toThrow(InvalidInputError);
  });
});
