import { describe, expect, it } from 'vitest';
import { formatA1111Parameters, parseA1111Parameters, recipeFromA1111Fields } from './a1111-parameters.ts';
import { recipeCompleteness } from './completeness.ts';
import { emptyRecipe, emptyResource, type Recipe } from './recipe.ts';

const TEXT = [
  'a red sports car, night city <lora:neon_glow:0.7>',
  'Negative prompt: blurry, lowres',
  'Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 18446744073709551615, Size: 832x1216, '
    + 'Model hash: 31e35c80fc, Model: sd_xl_base_1.0, VAE: sdxl_vae.safetensors, Clip skip: 2, Denoising strength: 0.45, '
    + 'Hires upscale: 2, Hires steps: 10, Hires upscaler: 4x-UltraSharp, Lora hashes: "neon_glow: 0123456789", TI hashes: "bad-hands: abcdefabcd"',
].join('\n');

describe('A1111 parameters', () => {
  it('reads every field of a WebUI infotext, seeds beyond 2^53 exact', () => {
    const recipe = parseA1111Parameters(TEXT, '1951175521614138640');
    expect(recipe).toEqual({
      imageId: '1951175521614138640',
      prompt: 'a red sports car, night city <lora:neon_glow:0.7>',
      negativePrompt: 'blurry, lowres',
      sampler: 'DPM++ 2M', scheduler: 'Karras', steps: 28, cfgScale: 6.5, seed: '18446744073709551615',
      width: 832, height: 1216, clipSkip: 2, vae: 'sdxl_vae.safetensors', denoise: 0.45,
      hires: { upscale: 2, upscaler: '4x-UltraSharp', steps: 10 },
      resources: [
        { ...emptyResource('CHECKPOINT'), modelName: 'sd_xl_base_1.0', autoV2: '31e35c80fc' },
        { ...emptyResource('LORA'), modelName: 'neon_glow', weight: 0.7, autoV2: '0123456789' },
        { ...emptyResource('EMBEDDING'), modelName: 'bad-hands', autoV2: 'abcdefabcd' },
        { ...emptyResource('VAE'), modelName: 'sdxl_vae.safetensors' },
      ],
    } satisfies Recipe);
    expect(recipeCompleteness(recipe)).toBe('full');
  });

  it('writes the text it reads (format ∘ parse is the identity on a canonical infotext)', () => {
    expect(formatA1111Parameters(parseA1111Parameters(TEXT))).toBe(TEXT);
  });

  it('parse(format(recipe)) gives the recipe back for every field A1111 carries', () => {
    const recipe: Recipe = {
      ...emptyRecipe(),
      prompt: 'line one\nline two: with a colon', negativePrompt: 'bad\nworse', sampler: 'Euler a', scheduler: null, steps: 20, cfgScale: 7,
      width: 512, height: 768, seed: '9007199254740993', clipSkip: null, vae: null, denoise: null, hires: null,
      resources: [
        { ...emptyResource('CHECKPOINT'), modelName: 'majicMIX, realistic', sha256: 'a'.repeat(64), autoV2: 'a'.repeat(10) },
        { ...emptyResource('LORA'), modelName: 'car_detail', weight: 0.8, autoV2: 'b'.repeat(10) },
      ],
    };
    const text = formatA1111Parameters(recipe);
    expect(text).toContain('<lora:car_detail:0.8>');
    const back = parseA1111Parameters(text);
    expect({ ...back, prompt: recipe.prompt }).toEqual(recipe);
    expect(formatA1111Parameters(back)).toBe(text);
  });

  it('parse(format(recipe)) is the identity when the prompt holds its LoRA tags; extras follow, unknowns and repeats skipped', () => {
    const recipe = parseA1111Parameters(TEXT);
    const text = formatA1111Parameters(recipe, [['Huaku provider', 'a1111@h:1'], ['Steps', 99], ['Empty', null]]);
    expect(text).toBe(`${TEXT}, Huaku provider: "a1111@h:1"`);
    expect(parseA1111Parameters(text)).toEqual(recipe);
  });

  it('reads Liblib metainformation keys: Lora N, Lora Hash N, Lora Weight N, vae_name', () => {
    const recipe = recipeFromA1111Fields({
      prompt: 'p', Steps: '30', Sampler: 'Euler', 'CFG scale': '7', Seed: '123', Size: '768x1024', 'Model hash': '0F1E2D3C4B', Model: 'ckpt.safetensors',
      'Lora 1': 'Car LoRA', 'Lora Hash 1': 'ABCDEF0123', 'Lora Weight 1': '0.65', vae_name: 'automatic',
    });
    expect(recipe.resources).toEqual([
      { ...emptyResource('CHECKPOINT'), modelName: 'ckpt.safetensors', autoV2: '0f1e2d3c4b' },
      { ...emptyResource('LORA'), modelName: 'Car LoRA', autoV2: 'abcdef0123', weight: 0.65 },
    ]);
    expect(recipe.vae).toBeNull();
  });

  it('leaves what it cannot read null: a prompt alone, seed -1', () => {
    const recipe = parseA1111Parameters('just a prompt\nSeed: -1');
    expect(recipe.prompt).toBe('just a prompt\nSeed: -1');
    expect(recipe.seed).toBeNull();
    expect(recipeCompleteness(recipe)).toBe('partial');
    expect(recipeCompleteness(parseA1111Parameters(''))).toBe('none');
  });
});
