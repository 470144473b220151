import { describe, expect, it } from 'vitest';
import { emptyRecipe, emptyResource, type Recipe, type RecipeResource } from '../../src/core/recipe/recipe.ts';
import type { Lora } from '../../src/core/store/store.ts';
import { comparableBaseModel, ModelCatalogueBuilder, type ReferenceFacts } from './model-catalogue.ts';

const SHA = 'ab'.repeat(32);
const recipe = (...resources: Array<Partial<RecipeResource> & Pick<RecipeResource, 'type'>>): Recipe => ({
  ...emptyRecipe(), resources: resources.map((r) => ({ ...emptyResource(r.type), ...r })),
});
const ref = (externalModelId: string, baseModel: string | null, downloads: number | null = null, likes: number | null = null): ReferenceFacts => ({
  externalModelId, baseModel, downloads, likes,
});
const methodsOf = (model: { members: Array<{ source: string; versionId: string | null; modelId: string | null; method: string }> }) =>
  model.members.map((m) => [m.source, m.versionId ?? m.modelId, m.method]).sort();

describe('model catalogue', () => {
  it('links by hash first (SHA-256 = AutoV2 prefix), then upstream id, then name + base model; counts per source', () => {
    const builder = new ModelCatalogueBuilder();
    // Liblib names the LoRA by AutoV2; Civitai has its SHA-256 and a second version of the same model.
    builder.addWork('1', 'liblib', [recipe({ type: 'LORA', modelName: 'Car LoRA', modelId: 'lib-m', versionId: 'lib-v', autoV2: SHA.slice(0, 10), weight: 0.7 })], [ref('lib-v', 'SDXL')]);
    builder.addWork('2', 'civitai', [recipe({ type: 'LORA', modelName: 'Car LoRA', modelId: '10', versionId: '100', sha256: SHA, autoV2: SHA.slice(0, 10) })], [ref('100', 'SDXL 1.0', 1200, 30)]);
    // A later crawl saw more downloads: the highest count wins.
    builder.addWork('8', 'civitai', [recipe({ type: 'LORA', modelName: 'Car LoRA', modelId: '10', versionId: '100', sha256: SHA })], [ref('100', 'SDXL 1.0', 1500, 31)]);
    builder.addWork('3', 'civitai', [recipe({ type: 'LORA', modelName: 'Car LoRA', modelId: '10', versionId: '101', autoV2: 'cdcdcdcdcd' })], [ref('101', 'SDXL 1.0', 7, null)]);
    // Same name as the LoRA, another file: stays apart although the base model matches.
    builder.addWork('6', 'liblib', [recipe({ type: 'LORA', modelName: 'Car LoRA', modelId: 'other', versionId: 'other-v', autoV2: 'eeeeeeeeee' })], [ref('other-v', 'SDXL')]);
    builder.addLora({ id: 7, source: 'modelscope', externalId: 'owner/car', titleCn: '汽车 LoRA', titleEn: 'car', downloads: 5, likes: 2, baseModels: ['SDXL'], visionFoundation: null, pageUrl: 'https://www.modelscope.cn/models/owner/car', files: [{ name: 'car.safetensors', sha256: SHA, autoV2: SHA.slice(0, 10), sizeBytes: 1 }] } as unknown as Lora, ['2']);
    const { models, linkCounts } = builder.build();
    const lora = models.find((m) => m.members.some((x) => x.versionId === 'lib-v'))!;
    expect(methodsOf(lora)).toEqual([['civitai', '100', 'origin'], ['civitai', '101', 'id'], ['liblib', 'lib-v', 'hash'], ['modelscope', 'owner/car', 'hash']]);
    expect(lora.members.find((m) => m.source === 'liblib')!.matched).toBe(SHA.slice(0, 10));
    // Downloads and likes per source: Civitai's version stats (highest seen), ModelScope's LoRA counts, none on Liblib.
    expect(lora.members.map((m) => [m.versionId ?? m.modelId, m.baseModel, m.downloads, m.likes]).sort()).toEqual([
      ['100', 'SDXL 1.0', 1500, 31], ['101', 'SDXL 1.0', 7, null], ['lib-v', 'SDXL', null, null], ['owner/car', 'SDXL', 5, 2],
    ]);
    expect(lora.members.find((m) => m.versionId === '100')!.workIds).toEqual(['2', '8']);
    const other = models.find((m) => m.members.some((x) => x.versionId === 'other-v'))!;
    expect(other.members).toHaveLength(1);
    expect(linkCounts).toEqual({ origin: 2, hash: 2, id: 1, name: 0 });
  });

  it('name + base model is the weaker third tier: one side without a hash links, another base model, type or hash does not', () => {
    const builder = new ModelCatalogueBuilder();
    // Liblib's checkpoint (hashed) and Civitai's twin whose file is not hashed yet: the same name and base model.
    builder.addWork('1', 'liblib', [recipe({ type: 'CHECKPOINT', modelName: 'majicMIX realistic', modelId: 'm', versionId: 'lib-ckpt', autoV2: '31e35c80fc' })], [ref('lib-ckpt', 'SD 1.5')]);
    builder.addWork('2', 'civitai', [recipe({ type: 'CHECKPOINT', modelName: 'majicmix_realistic', modelId: '40', versionId: '400' })], [ref('400', 'SD 1.5', 900, 12)]);
    // The same name on another base model: another model.
    builder.addWork('3', 'civitai', [recipe({ type: 'CHECKPOINT', modelName: 'majicMIX Realistic', modelId: '41', versionId: '410' })], [ref('410', 'SDXL 1.0')]);
    // The same name without a known base model: never linked by name.
    builder.addWork('5', 'liblib', [recipe({ type: 'CHECKPOINT', modelName: 'majicMIX realistic' })]);
    // A LoRA of that name is another type.
    builder.addWork('6', 'civitai', [recipe({ type: 'LORA', modelName: 'majicMIX realistic', modelId: '43', versionId: '430' })], [ref('430', 'SD 1.5')]);
    const { models, linkCounts } = builder.build();
    const linked = models.find((m) => m.members.some((x) => x.versionId === 'lib-ckpt'))!;
    expect(methodsOf(linked)).toEqual([['civitai', '400', 'origin'], ['liblib', 'lib-ckpt', 'name']]);
    expect(linked.members.find((m) => m.method === 'name')!.matched).toBe('majicmixrealistic @ sd15');
    expect(linked.members.find((m) => m.versionId === '400')).toMatchObject({ baseModel: 'SD 1.5', downloads: 900, likes: 12 });
    for (const id of ['410', '430']) expect(models.find((m) => m.members.some((x) => x.versionId === id))!.members).toHaveLength(1);
    expect(models).toHaveLength(4);
    expect(linkCounts).toEqual({ origin: 4, hash: 0, id: 0, name: 1 });
  });

  it('same name and base model, different hashes: apart, and a model without a hash joins neither (ambiguous)', () => {
    const builder = new ModelCatalogueBuilder();
    builder.addWork('1', 'liblib', [recipe({ type: 'LORA', modelName: 'Drift', modelId: 'a', versionId: 'a1', autoV2: '1111111111' })], [ref('a1', 'F.1')]);
    builder.addWork('2', 'civitai', [recipe({ type: 'LORA', modelName: 'drift', modelId: '50', versionId: '500', autoV2: '2222222222' })], [ref('500', 'Flux.1 D')]);
    builder.addWork('3', 'civitai', [recipe({ type: 'LORA', modelName: 'DRIFT', modelId: '51', versionId: '510' })], [ref('510', 'Flux.1 D')]);
    // Without any hash, models of one name and base model join each other.
    builder.addWork('4', 'liblib', [recipe({ type: 'LORA', modelName: 'Neon Rain', modelId: 'b', versionId: 'b1' })], [ref('b1', 'SDXL')]);
    builder.addWork('5', 'civitai', [recipe({ type: 'LORA', modelName: 'neon-rain', modelId: '52', versionId: '520' })], [ref('520', 'SDXL 1.0')]);
    const { models, linkCounts } = builder.build();
    expect(models.filter((m) => m.name.toLowerCase() === 'drift').map((m) => m.members.length)).toEqual([1, 1, 1]);
    expect(methodsOf(models.find((m) => m.members.some((x) => x.versionId === 'b1'))!)).toEqual([['civitai', '520', 'origin'], ['liblib', 'b1', 'name']]);
    expect(linkCounts).toEqual({ origin: 4, hash: 0, id: 0, name: 1 });
  });

  it('compares base models across the sources\' spellings', () => {
    expect(['SDXL 1.0', 'SDXL', 'sdxl_base', 'XL'].map(comparableBaseModel)).toEqual(['sdxl', 'sdxl', 'sdxl', 'sdxl']);
    expect(['Flux.1 D', 'F.1', 'FLUX_1', 'black-forest-labs/FLUX.1-dev'].map(comparableBaseModel)).toEqual(['flux1', 'flux1', 'flux1', 'flux1']);
    expect(['SD 1.5', 'SD_1_5', 'v1.5'].map(comparableBaseModel)).toEqual(['sd15', 'sd15', 'sd15']);
    expect(['Pony', 'SD 3.5 Large', 'SD 2.1', 'Illustrious', '', null].map(comparableBaseModel)).toEqual(['pony', 'sd35', 'sd2', 'illustrious', null, null]);
  });
});
