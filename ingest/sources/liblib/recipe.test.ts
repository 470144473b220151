// Per-image recipes out of the fake Liblib's detail payloads: every value asserted against the catalogue
// the fake serves (ids and seeds above 2^53 exact, weights, hashes, ids and names kept apart).
import { describe, expect, it } from 'vitest';
import { createCatalogue, type FakeWork } from '../../../fakes/liblib/catalogue.ts';
import { stringifyJson } from '../../../fakes/liblib/json.ts';
import { detailData } from '../../../fakes/liblib/payloads.ts';
import { recipeCompleteness } from '../../../src/core/recipe/completeness.ts';
import { parseJsonLossless } from '../../http/lossless-json.ts';
import { normalizeDetail } from './normalize.ts';

const ORIGIN = 'http://liblib.test';
const catalogue = createCatalogue({ works: 120 });
const served = (work: FakeWork, mutate: (data: Record<string, unknown>) => void = () => {}) => {
  const data = parseJsonLossless(stringifyJson(detailData(ORIGIN, work))) as Record<string, unknown>;
  mutate(data);
  return data;
};

const pick = (test: (w: FakeWork) => boolean) => {
  const work = catalogue.works.find(test);
  if (!work) throw new Error('no such work in the fake catalogue');
  return work;
};

describe('Liblib recipes per image (fake payloads)', () => {
  const work = pick((w) => !w.gen.hidden && w.images.length >= 3 && w.gen.loras.length >= 1 && w.images.some((i) => i.id > 2n ** 53n));

  it('keeps each image its own id, seed and full parameters', () => {
    const normalized = normalizeDetail(served(work), null);
    expect(normalized.images).toHaveLength(work.images.length);
    normalized.images.forEach((image, k) => {
      const fake = work.images[k]!;
      const g = work.gen;
      expect(image.recipe).toMatchObject({
        imageId: fake.id.toString(),
        prompt: g.prompt,
        negativePrompt: g.negativePrompt || null,
        sampler: g.sampler,
        steps: g.steps,
        cfgScale: g.cfgScale,
        width: g.width,
        height: g.height,
        seed: fake.seed,
        clipSkip: g.clipSkip === 1 ? null : g.clipSkip,
        denoise: g.denoisingStrength,
        vae: null,
      });
    });
    expect(new Set(normalized.images.map((i) => i.recipe!.seed)).size).toBe(work.images.length);
    expect(recipeCompleteness(normalized.images[0]!.recipe)).toBe('full');
  });

  it('keeps the checkpoint and every LoRA with weight, AutoV2 hash, ids and names apart, trigger word', () => {
    const recipe = normalizeDetail(served(work), null).images[1]!.recipe!;
    const g = work.gen;
    expect(recipe.resources).toEqual([
      {
        type: 'CHECKPOINT', modelName: g.checkpoint.modelName, versionName: g.checkpoint.versionName,
        modelId: g.checkpoint.modelUuid, versionId: g.checkpoint.versionUuid, weight: null,
        sha256: null, autoV2: g.checkpoint.hash.toLowerCase(), triggerWord: g.checkpoint.triggerWord,
      },
      ...g.loras.map((l) => ({
        type: 'LORA', modelName: l.model.modelName, versionName: l.model.versionName,
        modelId: l.model.modelUuid, versionId: l.model.versionUuid, weight: l.weight,
        sha256: null, autoV2: l.model.hash.toLowerCase(), triggerWord: l.model.triggerWord,
      })),
    ]);
  });

  it('keeps each reference\'s base model (baseType by the name Liblib shows)', () => {
    const names: Record<number, string> = { 1: 'SD 1.5', 3: 'SDXL', 19: 'F.1' };
    const g = work.gen;
    expect(normalizeDetail(served(work), null).models.map((m) => [m.externalModelId, m.baseModel])).toEqual(
      [g.checkpoint, ...g.loras.map((l) => l.model)].map((m) => [m.versionUuid, names[m.baseType]]),
    );
  });

  it('reads imagesV2 when images is empty, and takes the author from the detail when the list lacked it', () => {
    const normalized = normalizeDetail(served(work, (data) => { data.images = []; }), null);
    expect(normalized.images.map((i) => i.recipe?.imageId)).toEqual(work.images.map((i) => i.id.toString()));
    expect(normalized.author).toEqual({
      source: 'liblib', externalId: `user:${work.author.userId}`, name: `Liblib 用户 ${work.author.userId}`, avatarUrl: null, profileUrl: null,
    });
  });

  it('hidden generation info: resources only, no parameters', () => {
    const hidden = pick((w) => w.gen.hidden);
    const recipe = normalizeDetail(served(hidden), null).images[0]!.recipe!;
    expect(recipe.seed).toBeNull();
    expect(recipe.prompt).toBeNull();
    expect(recipe.resources[0]).toMatchObject({ type: 'CHECKPOINT', modelId: hidden.gen.checkpoint.modelUuid, autoV2: null });
    expect(recipeCompleteness(recipe)).toBe('none');
  });
});
