// What an artwork page and a card show of a work's recipes: its completeness badge, the A1111 text that
// 复制全部生成参数 copies, and the per-image recipes when a group's images were not generated alike.
import { formatA1111Parameters } from '../core/recipe/a1111-parameters.ts';
import { COMPLETENESS_LABELS, missingRecipeFields, type Completeness } from '../core/recipe/completeness.ts';
import { emptyRecipe, emptyResource, type Recipe } from '../core/recipe/recipe.ts';
import type { SnapshotWork } from '../core/snapshot/schema.ts';
import type { ParamRow } from './artwork-details.ts';

const FIELD_LABELS: Record<string, string> = {
  prompt: '提示词', sampler: '采样器', steps: '步数', cfgScale: 'CFG', seed: '种子', size: '尺寸', checkpoint: '基础模型',
};

export interface CompletenessBadge {
  level: Completeness;
  label: string;
  /** The tooltip: what is missing to reproduce it. */
  title: string;
}

export function completenessBadge(work: SnapshotWork): CompletenessBadge {
  const level = work.completeness ?? 'none';
  const recipe = coverRecipe(work);
  const missing = missingRecipeFields(recipe).map((field) => FIELD_LABELS[field] ?? field);
  const title = level === 'full' ? '生成参数齐全，可复现' : level === 'none' ? '来源没有提供生成参数' : `缺少：${missing.join('、')}`;
  return { level, label: COMPLETENESS_LABELS[level], title };
}

/** The cover's recipe, or one made of the work-level summary (v2 snapshots, sources without per-image data). */
function coverRecipe(work: SnapshotWork): Recipe {
  const image = [...work.images].sort((a, b) => a.index - b.index).find((i) => i.recipe);
  if (image?.recipe) return image.recipe;
  return {
    ...emptyRecipe(),
    prompt: work.prompt, negativePrompt: work.negativePrompt, sampler: work.params.sampler, steps: work.params.steps,
    cfgScale: work.params.cfgScale, width: work.params.width, height: work.params.height, seed: work.params.seed,
    resources: work.models.map((m) => ({
      ...emptyResource(m.type === 'OTHER' ? 'OTHER' : m.type), modelName: m.name, weight: m.weight ?? null,
    })),
  };
}

/** The A1111 `parameters` text of the cover (复制全部生成参数); null when there is nothing to copy. */
export function a1111Text(work: SnapshotWork): string | null {
  return formatA1111Parameters(coverRecipe(work)) || null;
}

/** Where the cover's recipe was read, when not from the source's own detail (the page says so). */
export function recipeOriginNote(work: SnapshotWork): string | null {
  return coverRecipe(work).origin === 'pnginfo' ? '生成参数读自图片的 PNG 元信息（来源的详情未提供）' : null;
}

export interface ImageRecipeView {
  index: number;
  /** 第 N 张 (1-based). */
  label: string;
  rows: Array<{ label: string; value: string }>;
  text: string;
}

/** What tells images of a group apart (their ids never match, so they are left out of the comparison). */
const comparable = (recipe: Recipe) => JSON.stringify({ ...recipe, imageId: null });

/**
 * One entry per image with a recipe, only when the images' recipes differ (five images, five seeds);
 * empty when they are all alike (the page's main parameters already say it).
 */
export function imageRecipeViews(work: SnapshotWork): ImageRecipeView[] {
  const images = [...work.images].sort((a, b) => a.index - b.index).filter((i) => i.recipe);
  if (images.length < 2 || new Set(images.map((i) => comparable(i.recipe!))).size < 2) return [];
  return images.map((image) => {
    const r = image.recipe!;
    const rows: Array<{ label: string; value: string }> = [];
    if (r.origin === 'pnginfo') rows.push({ label: '来源', value: 'PNG 元信息' });
    if (r.seed) rows.push({ label: '种子', value: r.seed });
    if (r.sampler) rows.push({ label: '采样器', value: r.scheduler ? `${r.sampler} · ${r.scheduler}` : r.sampler });
    if (r.steps !== null) rows.push({ label: '步数', value: String(r.steps) });
    if (r.cfgScale !== null) rows.push({ label: 'CFG', value: String(r.cfgScale) });
    if (r.width && r.height) rows.push({ label: '尺寸', value: `${r.width} × ${r.height}` });
    if (r.denoise !== null) rows.push({ label: '重绘幅度', value: String(r.denoise) });
    for (const lora of r.resources.filter((x) => x.type === 'LORA')) {
      rows.push({ label: 'LoRA', value: `${lora.modelName ?? '未命名'}${lora.weight !== null ? ` × ${lora.weight}` : ''}` });
    }
    return { index: image.index, label: `第 ${image.index + 1} 张`, rows, text: formatA1111Parameters(r) };
  });
}

/** Extra parameter rows the v3 recipe knows beyond `params` (clip skip, VAE, denoise, hires, scheduler). */
export function extraParamRows(work: SnapshotWork): ParamRow[] {
  const r = coverRecipe(work);
  const rows: ParamRow[] = [];
  if (r.scheduler) rows.push({ label: '调度器', value: r.scheduler });
  if (r.clipSkip !== null) rows.push({ label: 'Clip skip', value: String(r.clipSkip) });
  if (r.vae) rows.push({ label: 'VAE', value: r.vae });
  if (r.denoise !== null) rows.push({ label: '重绘幅度', value: String(r.denoise) });
  if (r.hires) rows.push({ label: '高清修复', value: [r.hires.upscale && `×${r.hires.upscale}`, r.hires.upscaler, r.hires.steps !== null && `${r.hires.steps} 步`].filter(Boolean).join(' · ') });
  return rows;
}
