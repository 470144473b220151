import { describe, expect, it } from 'vitest';
import { GENERATION_LIMITS, GENERATION_SAMPLERS, generationRequestSchema } from '../../core/generation/generation-request.ts';
import { sampleLora, sampleWork } from '../../core/snapshot/test-fixtures.ts';
import { parseSubmitBody } from '../../server/generation/api-request.ts';
import { buildCatalogue, searchLoras } from './catalogue.ts';
import { exportRequest, submitBody } from './export-json.ts';
import { checkNumber, checkValues, numericSpecs, requestBody, type FormValues } from './form-values.ts';
import { applyPreset, BUILTIN_PRESETS } from './presets.ts';
import { emptyRecipe, emptyResource } from '../../core/recipe/recipe.ts';
import { decodeRecipe, fitSize, prefill, recipeFromImage, recipeFromLora, recipeFromWork, recipeLink } from './recipe.ts';

const L = GENERATION_LIMITS;
const defaults: FormValues = {
  prompt: '', negativePrompt: '', checkpoint: null, loras: [], sampler: 'Euler a', steps: 25, cfgScale: 7, width: 1024, height: 1024, seed: -1, batch: 1,
};
const ink = sampleLora(1, { titleCn: '墨韵山水', baseModels: ['SDXL'], triggerWords: ['ink wash'] });
const flux = sampleLora(2, { titleCn: 'Film 胶片', baseModels: ['FLUX.1'] });
const catalogue = buildCatalogue([ink, flux], [sampleWork(1, { models: [{ type: 'CHECKPOINT', name: 'Juggernaut XL', url: null, loraId: null }] })]);

describe('做同款: a work’s recipe through the link into the form', () => {
  const work = sampleWork(7, {
    title: '雨夜',
    prompt: '赛博朋克, 雨夜',
    negativePrompt: null,
    params: { sampler: 'dpm++ 2m karras', steps: 28, cfgScale: 6.5, width: 832, height: 1216, seed: '18446744073709551615' },
    models: [
      { type: 'CHECKPOINT', name: 'Juggernaut XL', url: null, loraId: null },
      { type: 'LORA', name: '墨韵', url: null, loraId: ink.id },
      { type: 'LORA', name: 'Unknown LoRA', url: null, loraId: null },
    ],
  });

  it('survives the fragment (Chinese text included) and fills matched models, marking what is unknown', () => {
    const link = recipeLink(recipeFromWork(work, { title: '雨夜', url: '/artwork/7/x' }));
    expect(link).toMatch(/^\/generate#recipe=[A-Za-z0-9_-]+$/);
    const recipe = decodeRecipe(link.slice(link.indexOf('#')))!;
    expect(recipe.prompt).toBe('赛博朋克, 雨夜');
    const { values, unknown, notes } = prefill(recipe, defaults, catalogue, L, GENERATION_SAMPLERS);
    expect(values).toMatchObject({ prompt: '赛博朋克, 雨夜', sampler: 'DPM++ 2M Karras', steps: 28, cfgScale: 6.5, width: 832, height: 1216, seed: -1 });
    expect(values.checkpoint).toMatchObject({ name: 'Juggernaut XL', baseModel: 'sdxl' });
    expect(values.loras).toEqual([{ loraId: ink.id, id: ink.externalId, name: '墨韵山水', baseModels: ['SDXL'], weight: ink.suggestedParams.weight }]);
    expect(unknown).toEqual(['negativePrompt']);
    expect(notes).toEqual([
      'LoRA「墨韵山水」的权重未知，已用建议值 0.8',
      'LoRA「Unknown LoRA」不在模型库中，已略过',
      '原作的种子 18446744073709551615 超出 0–4294967295，已改为随机',
    ]);
    // What the form then submits (and exports) passes the server's parser.
    expect(generationRequestSchema.safeParse(requestBody(values)).success).toBe(true);
    expect(parseSubmitBody(submitBody(requestBody(values))).request).toMatchObject({ checkpoint: { id: 'Juggernaut XL' }, steps: 28, loras: [{ id: ink.externalId, weight: 0.8 }] });
    expect(() => parseSubmitBody(exportRequest(requestBody(values)))).not.toThrow();
  });

  it('做同款 on image 2 of a group uses that image’s seed, prompt, LoRA weights and checkpoint, matched to the catalogue', () => {
    const imageRecipe = (seed: string, weight: number) => ({
      ...emptyRecipe(`19511755216141386${seed.length}`),
      prompt: `雨夜, 霓虹 <lora:ink_v2:${weight}>`, negativePrompt: 'blurry', sampler: 'Euler a', steps: 20, cfgScale: 5, width: 768, height: 1024, seed,
      resources: [
        { ...emptyResource('CHECKPOINT'), modelName: 'Juggernaut', versionName: 'XL' },
        { ...emptyResource('LORA'), modelName: '墨韵', versionName: 'v2', weight },
        { ...emptyResource('LORA'), modelName: 'ink_v2', weight },
      ],
    });
    const group = sampleWork(9, {
      images: [0, 1].map((index) => ({ index, url: `/media/g/${index}.png`, thumbUrl: null, width: 768, height: 1024, recipe: imageRecipe(index === 0 ? '11' : '4242', index === 0 ? 0.5 : 0.9) })),
      models: [{ type: 'CHECKPOINT', name: 'Juggernaut XL', url: null, loraId: null }, { type: 'LORA', name: '墨韵 · v2', url: null, loraId: ink.id }],
    });
    const link = recipeLink(recipeFromImage(group, 1, { title: '雨夜（第 2 张）', url: '/artwork/9/x' }));
    const recipe = decodeRecipe(link.slice(link.indexOf('#')))!;
    expect(recipe).toMatchObject({ prompt: '雨夜, 霓虹', seed: '4242', checkpoint: 'Juggernaut XL', loras: [{ name: '墨韵 · v2', loraId: ink.id, weight: 0.9 }, { name: 'ink_v2', loraId: null, weight: 0.9 }] });
    const { values, notes } = prefill(recipe, defaults, catalogue, L, GENERATION_SAMPLERS);
    expect(values).toMatchObject({ prompt: '雨夜, 霓虹', negativePrompt: 'blurry', seed: 4242, steps: 20, cfgScale: 5, width: 768, height: 1024, checkpoint: { id: 'Juggernaut XL' } });
    expect(values.loras.map((l) => [l.loraId, l.weight])).toEqual([[ink.id, 0.9]]);
    expect(notes).toEqual(['LoRA「ink_v2」不在模型库中，已略过']);
    expect(recipeFromImage(group, 0, null).seed).toBe('11');
    // An image without a recipe (v2): the work's.
    expect(recipeFromImage(work, 0, null)).toEqual(recipeFromWork(work, null));
  });

  it('marks a recipe without parameters and picks the checkpoint from the LoRA’s family', () => {
    const bare = sampleWork(8, { prompt: null, params: { sampler: null, steps: null, cfgScale: null, width: null, height: null, seed: null }, models: [{ type: 'LORA', name: 'film 胶片', url: null, loraId: null }] });
    const { values, unknown } = prefill(recipeFromWork(bare, null), defaults, catalogue, L, GENERATION_SAMPLERS);
    expect(unknown).toEqual(['prompt', 'negativePrompt', 'checkpoint', 'sampler', 'steps', 'cfgScale', 'width', 'height', 'seed']);
    expect(values.loras.map((l) => l.loraId)).toEqual([flux.id]);
    expect(values.checkpoint?.id).toBe('black-forest-labs/FLUX.1-dev');
  });

  it('a LoRA page’s start marks nothing unknown', () => {
    const { values, unknown } = prefill(recipeFromLora(catalogue.loras[0]!), defaults, catalogue, L, GENERATION_SAMPLERS);
    expect(unknown).toEqual([]);
    expect(values.prompt).toBe('ink wash');
    expect(values.checkpoint?.baseModel).toBe('SDXL 1.0');
  });

  it('reads nothing from a hostile or broken fragment', () => {
    expect(decodeRecipe('#recipe=%%%')).toBeNull();
    expect(decodeRecipe('#other=1')).toBeNull();
    const evil = decodeRecipe(`#recipe=${btoa(JSON.stringify({ from: { url: 'javascript:alert(1)' }, steps: '9', loras: [{ name: 5 }, 'x'] }))}`)!;
    expect(evil.from).toBeNull();
    expect(evil.steps).toBeNull();
    expect(evil.loras).toEqual([]);
  });
});

describe('form checks (§11 参数超出范围)', () => {
  const specs = numericSpecs(L);
  it('names the range and the suggested value', () => {
    expect(checkNumber(specs.steps, '150')).toEqual({ ok: false, message: '采样步数超出范围：允许范围 1–100（整数），建议值 25' });
    expect(checkNumber(specs.width, '1001')).toEqual({ ok: false, message: '宽度必须是 8 的倍数：允许范围 256–2048，8 的倍数，建议值 1024（最接近的是 1000）'});
    expect(checkNumber(specs.cfgScale, '7.5')).toEqual({ ok: true, value: 7.5 });
  });
  it('checks the pixel budget, the checkpoint and the prompt', () => {
    const errors = checkValues({ ...defaults, width: 2048, height: 2048 }, L, GENERATION_SAMPLERS);
    expect(Object.keys(errors).sort()).toEqual(['checkpoint', 'prompt', 'width']);
    expect(errors.width).toContain('2,359,296');
  });
  it('fits a size into the limits keeping its shape', () => {
    expect(fitSize(832, 1216, L)).toEqual({ width: 832, height: 1216 });
    expect(fitSize(4096, 4096, L)).toEqual({ width: 1536, height: 1536 });
    expect(fitSize(100, 3000, L)).toEqual({ width: 256, height: 2048 });
  });
  it('a preset fills parameters and checkpoint, not the prompt', () => {
    const flux = applyPreset({ ...defaults, prompt: 'keep' }, BUILTIN_PRESETS.find((p) => p.family === 'flux')!);
    expect(flux).toMatchObject({ prompt: 'keep', cfgScale: 3.5, sampler: 'Euler', checkpoint: { id: 'black-forest-labs/FLUX.1-dev' } });
    for (const preset of BUILTIN_PRESETS) {
      expect(generationRequestSchema.safeParse(requestBody(applyPreset({ ...defaults, prompt: 'x' }, preset))).success).toBe(true);
    }
  });
  it('searches the catalogue as you type', () => {
    expect(searchLoras(catalogue.loras, '墨韵').map((l) => l.id)).toEqual([ink.id]);
    expect(searchLoras(catalogue.loras, 'INK wash').map((l) => l.id)).toEqual([ink.id]);
  });
});
