// A Civitai image's recipe: its `meta` (any shape; extractImageMetadata reads the spellings) as A1111 keys,
// the resources of `civitaiResources` and `resources` (version ids, names, hashes, weights), then, once the
// models stage has resolved the version ids, each resource's model and version names, ids, file hashes and
// trained words (`withVersions`).
import { formatA1111Parameters, recipeFromA1111Fields } from '../../../src/core/recipe/a1111-parameters.ts';
import { classifyHash, emptyResource, resourceTypeOf, type Recipe } from '../../../src/core/recipe/recipe.ts';
import type { ImageMetadata } from './metadata.ts';
import type { CivitaiModelVersion } from './normalize.ts';

/** null when the image came without `meta` (nothing to reproduce from). */
export function civitaiRecipe(metadata: ImageMetadata): Recipe | null {
  if (!metadata.meta) return null;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.meta)) {
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) fields[key] = String(value);
  }
  // The keys extractImageMetadata already read in every spelling win over the A1111-only reading.
  const recipe = recipeFromA1111Fields(fields, String(metadata.id));
  recipe.prompt = metadata.prompt ?? recipe.prompt;
  recipe.negativePrompt = metadata.negativePrompt ?? recipe.negativePrompt;
  recipe.sampler = metadata.sampler ?? recipe.sampler;
  recipe.scheduler ??= fields.scheduler?.trim() || null;
  recipe.steps = metadata.steps ?? recipe.steps;
  recipe.cfgScale = metadata.cfgScale ?? recipe.cfgScale;
  recipe.seed = metadata.seed ?? recipe.seed;
  recipe.width = metadata.size?.width ?? recipe.width;
  recipe.height = metadata.size?.height ?? recipe.height;
  recipe.clipSkip = metadata.clipSkip !== null && metadata.clipSkip > 0 ? metadata.clipSkip : recipe.clipSkip;
  if (metadata.denoisingStrength !== null && metadata.denoisingStrength >= 0 && metadata.denoisingStrength <= 1) recipe.denoise = metadata.denoisingStrength;
  for (const resource of metadata.resources) {
    const type = resourceTypeOf(resource.type);
    const hashes = classifyHash(resource.hash);
    // `Model`/`Model hash` already made a checkpoint entry: the resource describes the same model.
    const existing =
      type === 'CHECKPOINT' ? recipe.resources.find((r) => r.type === 'CHECKPOINT' && r.versionId === null)
      : recipe.resources.find((r) => r.type === type && r.versionId === null && r.modelName !== null && r.modelName === resource.name);
    const target = existing ?? emptyResource(type);
    if (!existing) recipe.resources.push(target);
    target.modelName = resource.name ?? target.modelName;
    target.versionId = resource.modelVersionId !== null ? String(resource.modelVersionId) : target.versionId;
    target.weight = resource.weight ?? target.weight;
    target.sha256 ??= hashes.sha256;
    target.autoV2 ??= hashes.autoV2;
  }
  return recipe;
}

/** The recipe with each resource's version resolved: names apart, ids, the primary file's hashes, trained words. */
export function withVersions(recipe: Recipe, versions: ReadonlyMap<number, CivitaiModelVersion | null>): Recipe {
  return {
    ...recipe,
    resources: recipe.resources.map((resource) => {
      const version = resource.versionId !== null ? versions.get(Number(resource.versionId)) ?? null : null;
      if (!version) return resource;
      const file = version.files.find((f) => f.primary) ?? version.files[0];
      return {
        ...resource,
        type: version.modelType ? resourceTypeOf(version.modelType) : resource.type,
        modelName: version.modelName ?? resource.modelName,
        versionName: version.name ?? resource.versionName,
        modelId: version.modelId !== null ? String(version.modelId) : resource.modelId,
        sha256: file?.sha256 ?? resource.sha256,
        autoV2: file?.autoV2 ?? resource.autoV2,
        triggerWord: version.trainedWords.length > 0 ? version.trainedWords.join(', ') : resource.triggerWord,
      };
    }),
  };
}

/**
 * The A1111 "parameters" text people paste into their tools: the image's recipe (civitaiRecipe) in the one
 * A1111 writer, then what the recipe has no field for: a model hash that is not a SHA-256/AutoV2, the
 * meta's other keys, and the Civitai resources by name and weight. Empty when the image came without meta.
 */
export function formatParameters(metadata: ImageMetadata): string {
  const recipe = civitaiRecipe(metadata);
  if (!recipe) return '';
  const extra: Array<[string, string | number | null]> = [['Model hash', metadata.modelHash]];
  for (const [key, value] of Object.entries(metadata.extra)) {
    if (typeof value !== 'boolean') extra.push([key, value]);
  }
  const named = metadata.resources.filter((r) => r.name);
  if (named.length > 0) extra.push(['Civitai resources', named.map((r) => `${r.name}${r.weight !== null ? `:${r.weight}` : ''}`).join(', ')]);
  // The prompt stays as Civitai gave it: the resources are named in `Civitai resources`.
  return formatA1111Parameters(recipe, extra, { loraTags: false });
}
