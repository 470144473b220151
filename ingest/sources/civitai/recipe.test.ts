// Civitai recipes, models and versions from the fake's payloads, asserted against its catalogue:
// every meta shape, seeds beyond 2^53 exact, resources with weights and version ids, then names, ids,
// SHA-256 and trained words once versions resolve; model tags as strings or `{name}` objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCivitai, type FakeCivitai } from '../../../fakes/civitai/server.ts';
import { recipeCompleteness } from '../../../src/core/recipe/completeness.ts';
import { parseJsonLossless } from '../../http/lossless-json.ts';
import { extractImageMetadata } from './metadata.ts';
import { normalizeImagesPage, normalizeModel, normalizeModelVersion, type CivitaiModelVersion } from './normalize.ts';
import { civitaiRecipe, withVersions } from './recipe.ts';

let fake: FakeCivitai;
beforeAll(async () => {
  fake = await startFakeCivitai({ seed: 'recipes' });
});
afterAll(() => fake.close());

const get = async (path: string) => parseJsonLossless(await (await fetch(fake.origin + path)).text());

describe('Civitai recipes (fake payloads)', () => {
  it('keeps every field of each meta shape, with resources, weights and version ids', async () => {
    const page = normalizeImagesPage(await get('/api/v1/images?limit=200&sort=Newest&nsfw=X&withMeta=true'));
    const shapes = new Set<string>();
    let bigSeeds = 0;
    for (const item of page.items) {
      const image = fake.catalogue.image(item.id)!;
      const recipe = civitaiRecipe(extractImageMetadata(item));
      shapes.add(image.metaShape);
      if (image.metaShape === 'none') {
        expect(recipe).toBeNull();
        continue;
      }
      const meta = image.meta!;
      expect(recipe!.imageId).toBe(String(image.id));
      expect(recipe!.prompt).toBe(meta.prompt);
      if (image.metaShape === 'sparse') {
        expect(recipeCompleteness(recipe)).toBe('partial');
        continue;
      }
      expect(recipe!.seed).toBe(String(meta.seed));
      if (typeof meta.seed === 'bigint' && meta.seed > 2n ** 53n) bigSeeds += 1;
      expect(recipe!.steps).toBe(Number(meta.steps));
      expect(recipe!.cfgScale).toBe(Number(meta.cfgScale));
      if (image.metaShape === 'a1111-2023') {
        expect(recipe!.clipSkip).toBe(Number(meta['Clip skip']));
        expect(recipe!.denoise).toBe(Number(meta['Denoising strength']));
        expect(recipe!.hires).toEqual({ upscale: 2, upscaler: 'Latent', steps: null });
        expect(recipe!.resources[0]).toMatchObject({ type: 'CHECKPOINT', modelName: meta.Model, autoV2: String(meta['Model hash']).toLowerCase() });
      }
      if (image.metaShape === 'civitai-2024') {
        expect(recipe!.clipSkip).toBe(meta.clipSkip);
        expect(recipe!.resources.map((r) => [r.type, r.versionId, r.weight])).toEqual(
          image.resources.map((r) => [r.type === 'checkpoint' ? 'CHECKPOINT' : 'LORA', String(r.versionId), r.weight]),
        );
        // A Liblib twin's file is not hashed yet: its resource carries no hash.
        for (const r of recipe!.resources) expect(r.autoV2).toBe(fake.catalogue.version(Number(r.versionId))!.sha256?.slice(0, 10).toLowerCase() ?? null);
        expect(recipeCompleteness(recipe)).toBe('full');
      }
      if (image.metaShape === 'comfy') expect(recipe!.scheduler).toBe('karras');
    }
    expect([...shapes].sort()).toEqual(['a1111-2023', 'civitai-2024', 'comfy', 'none', 'sparse']);
    expect(bigSeeds).toBeGreaterThan(0);
  });

  it('resolves versions into names apart, model ids, SHA-256 and trained words', async () => {
    const page = normalizeImagesPage(await get('/api/v1/images?limit=100&sort=Newest&nsfw=X&withMeta=true'));
    const hashed = (i: { id: number }) => fake.catalogue.image(i.id)!.resources.every((r) => fake.catalogue.version(r.versionId)!.sha256 !== null);
    const item = page.items.find((i) => fake.catalogue.image(i.id)!.metaShape === 'civitai-2024' && fake.catalogue.image(i.id)!.resources.length >= 2 && hashed(i))!;
    const recipe = civitaiRecipe(extractImageMetadata(item))!;
    const versions = new Map<number, CivitaiModelVersion | null>();
    for (const r of recipe.resources) versions.set(Number(r.versionId), normalizeModelVersion(await get(`/api/v1/model-versions/${r.versionId}`)));
    const resolved = withVersions(recipe, versions);
    resolved.resources.forEach((resource) => {
      const version = fake.catalogue.version(Number(resource.versionId))!;
      const model = fake.catalogue.modelOfVersion(version);
      expect(resource).toMatchObject({
        modelName: model.name, versionName: version.name, modelId: String(model.id),
        sha256: version.sha256!.toLowerCase(), autoV2: version.sha256!.slice(0, 10).toLowerCase(),
        triggerWord: version.trainedWords.length > 0 ? version.trainedWords.join(', ') : null,
      });
    });
  });

  it('reads model tags as strings and as {name} objects; versions keep files, hashes, trained words, base model and counts', async () => {
    for (const model of fake.catalogue.models.slice(0, 2)) {
      const normalized = normalizeModel(await get(`/api/v1/models/${model.id}`));
      expect(normalized.tags).toEqual(model.tags);
      // Counts: downloads and thumbs up (2026), or favourites (the 2023 shape, odd ids), whose versions have no likes.
      const old = model.id % 2 === 1;
      expect(normalized.stats).toEqual({ downloads: model.downloads, likes: model.likes });
      expect(normalized.versions.map((v) => [v.id, v.baseModel, v.trainedWords, v.files, v.stats])).toEqual(
        model.versions.map((v) => [v.id, v.baseModel, v.trainedWords, [{
          name: v.fileName, sha256: v.sha256!.toLowerCase(), autoV2: v.sha256!.slice(0, 10).toLowerCase(), sizeBytes: v.sizeKB * 1024, primary: true,
        }], { downloads: v.downloads, likes: old ? null : v.likes }]),
      );
      const version = model.versions[0]!;
      expect(normalizeModelVersion(await get(`/api/v1/model-versions/${version.id}`)).stats).toEqual({ downloads: version.downloads, likes: old ? null : version.likes });
    }
    expect(fake.catalogue.models.slice(0, 2).map((m) => m.id % 2).sort()).toEqual([0, 1]);
    expect(fake.catalogue.models[0]!.downloads).toBe(12_000); // model 4000: counts are exact, not just present
  });

  it('a Liblib twin: its version has a base model and counts but no file hashes yet', async () => {
    const twin = fake.catalogue.models.find((m) => m.name === 'ChilloutMix')!;
    const version = normalizeModelVersion(await get(`/api/v1/model-versions/${twin.versions[0]!.id}`));
    expect(version).toMatchObject({ modelName: 'ChilloutMix', name: 'fp16', baseModel: 'SD 1.5', modelType: 'Checkpoint' });
    expect(version.files.map((f) => [f.sha256, f.autoV2])).toEqual([[null, null]]);
    expect(version.stats).toEqual({ downloads: twin.versions[0]!.downloads, likes: twin.id % 2 === 1 ? null : twin.versions[0]!.likes });
  });
});
