// How reproducible an image is from what its source told us: 可复现 when every field a generator needs is
// known, 部分参数 when some are, 无参数 when none. One rule for the badge, the feed filter and the report.
import type { Recipe } from './recipe.ts';

export const COMPLETENESS_LEVELS = ['full', 'partial', 'none'] as const;
export type Completeness = (typeof COMPLETENESS_LEVELS)[number];

export const COMPLETENESS_LABELS: Record<Completeness, string> = { full: '可复现', partial: '部分参数', none: '无参数' };

/** The fields 可复现 needs, by name (the badge's tooltip lists the missing ones). */
export function missingRecipeFields(recipe: Recipe): string[] {
  const missing: string[] = [];
  if (!recipe.prompt) missing.push('prompt');
  if (!recipe.sampler) missing.push('sampler');
  if (recipe.steps === null) missing.push('steps');
  if (recipe.cfgScale === null) missing.push('cfgScale');
  if (recipe.seed === null) missing.push('seed');
  if (recipe.width === null || recipe.height === null) missing.push('size');
  const checkpoint = recipe.resources.find((r) => r.type === 'CHECKPOINT');
  if (!checkpoint || !(checkpoint.modelName || checkpoint.sha256 || checkpoint.autoV2 || checkpoint.versionId)) missing.push('checkpoint');
  return missing;
}

export function recipeCompleteness(recipe: Recipe | null | undefined): Completeness {
  if (!recipe) return 'none';
  const missing = missingRecipeFields(recipe);
  if (missing.length === 0) return 'full';
  // A prompt alone, or any sampling parameter, is something to start from.
  const anything = recipe.prompt || recipe.sampler || recipe.steps !== null || recipe.cfgScale !== null || recipe.seed !== null;
  return anything ? 'partial' : 'none';
}

/** A work's level: its best image's (a group is reproducible when at least one of its images is). */
export function workCompleteness(recipes: ReadonlyArray<Recipe | null | undefined>): Completeness {
  const levels = recipes.map(recipeCompleteness);
  return levels.includes('full') ? 'full' : levels.includes('partial') ? 'partial' : 'none';
}
