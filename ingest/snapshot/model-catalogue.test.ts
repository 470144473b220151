import { describe, expect, it } from 'vitest';
import { emptyRecipe, emptyResource, type Recipe, type RecipeResource } from '../../src/core/recipe/recipe.ts';
import type { Lora } from '../../src/core/store/store.ts';
import { ModelCatalogueBuilder } from './model-catalogue.ts';

const SHA = 'ab'.repeat(32);
const recipe = (...resources: Array<Partial<RecipeResource> & Pick<RecipeResource, 'type'>>): Recipe => ({
  ...emptyRecipe(), resources: resources.map((r) => ({ ...emptyResource(r.type), ...r })),
});

describe('model catalogue', () => {
  it('links by hash first (SHA-256 = AutoV2 prefix), then upstream id, then name; same name, different hashes stay apart', () => {
    const builder = new ModelCatalogueBuilder();
    // Liblib names the LoRA by AutoV2; Civitai has its SHA-256 and a second version of the same model.
    builder.addWork('1', 'liblib', [recipe({ type: 'LORA', modelName: 'Car LoRA', modelId: 'lib-m', versionId: 'lib-v', autoV2: SHA.slice(0, 10), weight: 0.7 })]);
    builder.addWork('2', 'civitai', [recipe({ type: 'LORA', modelName: 'Car LoRA', modelId: '10', versionId: '100', sha256: SHA, autoV2: SHA.slice(0, 10) })]);
    builder.addWork('3', 'civitai', [recipe({ type: 'LORA', modelName: 'Car LoRA', modelId: '10', versionId: '101', autoV2: 'cdcdcdcdcd' })]);
    // A checkpoint known only by name on two sources: linked, marked weaker.
    builder.addWork('4', 'liblib', [recipe({ type: 'CHECKPOINT', modelName: 'majicMIX realistic' })]);
    builder.addWork('5', 'civitai', [recipe({ type: 'CHECKPOINT', modelName: 'majicmix_realistic' })]);
    // Same name as the LoRA, another file: stays apart.
    builder.addWork('6', 'liblib', [recipe({ type: 'LORA', modelName: 'Car LoRA', modelId: 'other', versionId: 'other-v', autoV2: 'eeeeeeeeee' })]);
    builder.addLora({ id: 7, source: 'modelscope', externalId: 'owner/car', titleCn: '汽车 LoRA', titleEn: 'car', downloads: 5, likes: 2, pageUrl: 'https://www.modelscope.cn/models/owner/car', files: [{ name: 'car.safetensors', sha256: SHA, autoV2: SHA.slice(0, 10), sizeBytes: 1 }] } as unknown as Lora, ['2']);
    const { models, linkCounts } = builder.build();
    const lora = models.find((m) => m.members.some((x) => x.versionId === 'lib-v'))!;
    expect(lora.members.map((m) => [m.source, m.versionId ?? m.modelId, m.method]).sort()).toEqual([
      ['civitai', '100', expect.any(String)], ['civitai', '101', 'id'], ['liblib', 'lib-v', expect.any(String)], ['modelscope', 'owner/car', expect.any(String)],
    ]);
    expect(lora.members.filter((m) => m.method === 'hash')).toHaveLength(2);
    expect(lora.members.filter((m) => m.method === 'origin')).toHaveLength(1);
    const other = models.find((m) => m.members.some((x) => x.versionId === 'other-v'))!;
    expect(other.members).toHaveLength(1);
    const checkpoint = models.find((m) => m.type === 'CHECKPOINT')!;
    expect(checkpoint.members.map((m) => m.method).sort()).toEqual(['name', 'origin']);
    expect(linkCounts).toEqual({ origin: 3, hash: 2, id: 1, name: 1 });
  });
});
