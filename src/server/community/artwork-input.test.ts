import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.ts';
import { parseA1111Parameters } from '../../core/recipe/a1111-parameters.ts';
import { hasRecipe, modelsFromRecipe, parseArtworkFields, recipeFromFields, workRecipeColumns } from './artwork-input.ts';

const refusal = (input: unknown) => {
  try {
    parseArtworkFields(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).message;
  }
  throw new Error('accepted');
};

describe('parseArtworkFields', () => {
  it('reads form text: numbers from strings, empty as unknown, tags deduplicated, -1 seed as unknown', () => {
    const fields = parseArtworkFields({
      title: ' 夜色 ', prompt: '红色跑车', negativePrompt: '', sampler: 'DPM++ 2M', steps: '28', cfgScale: '7.5', width: '832', height: 1216,
      seed: '-1', checkpoint: 'majicMIX realistic', loras: [{ name: 'Car LoRA', weight: 0.7, externalId: 'owner/car' }], tags: ['汽车', '汽车', ' 夜景 ', ''], nsfwLevel: 'Soft',
    });
    expect(fields).toMatchObject({ title: '夜色', negativePrompt: null, steps: 28, cfgScale: 7.5, width: 832, height: 1216, seed: null, tags: ['汽车', '夜景'], nsfwLevel: 'Soft' });
    expect(parseArtworkFields({})).toMatchObject({ title: null, loras: [], tags: [], nsfwLevel: 'None' });
    expect(hasRecipe(parseArtworkFields({ title: 'x' }))).toBe(false);
    expect(parseArtworkFields({ seed: '0003498048277' }).seed).toBe('3498048277');
  });

  it('refuses bad values with a Chinese sentence naming the field', () => {
    expect(refusal({ steps: '0' })).toBe('步数须为 1 到 150 的整数');
    expect(refusal({ steps: '20.5' })).toBe('步数须为 1 到 150 的整数');
    expect(refusal({ cfgScale: 'abc' })).toBe('CFG须为 0 到 30 之间的数字');
    expect(refusal({ width: '10000' })).toBe('宽度须为 64 到 8192 的整数');
    expect(refusal({ seed: '12ab' })).toMatch(/^种子须为非负整数/);
    expect(refusal({ title: 'x'.repeat(101) })).toBe('标题最多 100 个字');
    expect(refusal({ loras: [{ name: 'a', weight: 9 }] })).toBe('LoRA 权重须为 -5 到 5 之间的数字');
    expect(refusal({ loras: [{ name: '', weight: 1 }] })).toBe('请填写 LoRA 名称');
    expect(refusal({ loras: Array.from({ length: 11 }, () => ({ name: 'a', weight: 1 })) })).toBe('最多 10 个 LoRA');
    expect(refusal({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })).toBe('最多 20 个标签');
    expect(refusal({ nsfwLevel: 'Extreme' })).toMatch(/^请选择内容分级/);
    expect(refusal({ loras: 'x' })).toBe('LoRA 列表格式无效');
  });
});

describe('recipeFromFields', () => {
  it('lays the form over the image\'s own recipe: form fields win, hashes and fields the form lacks stay', () => {
    const own = parseA1111Parameters('car <lora:Car LoRA:0.7>\nNegative prompt: blur\nSteps: 20, Sampler: Euler a, Schedule type: Karras, CFG scale: 7, Seed: 1, Size: 512x768, Model hash: 31e35c80fc, Model: majic, Clip skip: 2, Lora hashes: "Car LoRA: 0123456789"');
    const fields = parseArtworkFields({ prompt: '红色跑车', steps: 30, checkpoint: 'majic', loras: [{ name: 'Car LoRA', weight: 0.8 }, { name: 'Night', weight: 0.5, externalId: 'me/night' }] });
    const recipe = recipeFromFields(fields, own);
    expect(recipe).toMatchObject({ prompt: '红色跑车', negativePrompt: null, steps: 30, sampler: null, scheduler: 'Karras', clipSkip: 2 });
    expect(recipe.resources.map((r) => [r.type, r.modelName, r.weight, r.autoV2, r.modelId])).toEqual([
      ['CHECKPOINT', 'majic', null, '31e35c80fc', null],
      ['LORA', 'Car LoRA', 0.8, '0123456789', null],
      ['LORA', 'Night', 0.5, null, 'me/night'],
    ]);
    expect(modelsFromRecipe(recipe)).toEqual([
      { modelType: 'CHECKPOINT', modelName: 'majic', externalModelId: null },
      { modelType: 'LORA', modelName: 'Car LoRA', externalModelId: null },
      { modelType: 'LORA', modelName: 'Night', externalModelId: 'me/night' },
    ]);
    expect(workRecipeColumns(recipe)).toMatchObject({ prompt: '红色跑车', steps: 30, seed: null });
    expect(workRecipeColumns(null)).toMatchObject({ prompt: null, steps: null });
  });
});
