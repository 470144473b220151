// What a creator says about a work: title, the recipe (prompt, negative, sampler, steps, CFG, size, seed,
// checkpoint, LoRAs with weights), tags and the NSFW self-rating. Untrusted: validated here with zod, each
// refusal a Chinese sentence naming the field, before anything is written. The recipe becomes the same
// per-image recipe the ingest stores (work_images.recipe_json, docs/recipes.md) plus the work's summary
// columns and model references.
import { z } from 'zod';
import { NSFW_LEVELS } from '../../core/domain/enums.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { emptyRecipe, emptyResource, seedText, type Recipe } from '../../core/recipe/recipe.ts';
import type { WorkModelInput } from '../../core/store/store.ts';

export const ARTWORK_LIMITS = { title: 100, prompt: 4000, loras: 10, tags: 20, tag: 30, images: 8 } as const;

const optionalText = (label: string, max: number) =>
  z
    .string({ error: `${label}须为文字` })
    .trim()
    .max(max, `${label}最多 ${max} 个字`)
    .optional()
    .transform((value) => value || null);

/** A number field of a form arrives as text; empty means unknown. */
const optionalNumber = (label: string, check: (n: number) => boolean, rule: string) =>
  z
    .union([z.number(), z.string().trim()], { error: `${label}${rule}` })
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return null;
      const n = Number(value);
      if (!Number.isFinite(n) || !check(n)) {
        context.addIssue({ code: 'custom', message: `${label}${rule}` });
        return z.NEVER;
      }
      return n;
    });

const integerIn = (min: number, max: number) => (n: number) => Number.isInteger(n) && n >= min && n <= max;

const loraSchema = z.object({
  /** The catalogue LoRA's id (snapshot loras.json) when picked from the catalogue. */
  id: z.string().trim().max(100, 'LoRA 编号无效').optional().transform((v) => v || null),
  /** Provider-facing id of the catalogue LoRA (ModelScope `owner/name`), kept as the model reference's external id. */
  externalId: z.string().trim().max(200, 'LoRA 编号无效').optional().transform((v) => v || null),
  name: z.string({ error: '请填写 LoRA 名称' }).trim().min(1, '请填写 LoRA 名称').max(200, 'LoRA 名称最多 200 个字'),
  weight: z.number({ error: 'LoRA 权重须为 -5 到 5 之间的数字' }).min(-5, 'LoRA 权重须为 -5 到 5 之间的数字').max(5, 'LoRA 权重须为 -5 到 5 之间的数字'),
});

const artworkFieldsSchema = z.object({
  title: optionalText('标题', ARTWORK_LIMITS.title),
  prompt: optionalText('提示词', ARTWORK_LIMITS.prompt),
  negativePrompt: optionalText('反向提示词', ARTWORK_LIMITS.prompt),
  sampler: optionalText('采样器', 100),
  steps: optionalNumber('步数', integerIn(1, 150), '须为 1 到 150 的整数'),
  cfgScale: optionalNumber('CFG', (n) => n >= 0 && n <= 30, '须为 0 到 30 之间的数字'),
  width: optionalNumber('宽度', integerIn(64, 8192), '须为 64 到 8192 的整数'),
  height: optionalNumber('高度', integerIn(64, 8192), '须为 64 到 8192 的整数'),
  seed: z
    .union([z.string().trim(), z.number()], { error: '种子须为非负整数' })
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '' || value === -1 || value === '-1') return null;
      const seed = seedText(typeof value === 'number' ? value : value);
      if (seed === null || seed.length > 20) {
        context.addIssue({ code: 'custom', message: '种子须为非负整数（最多 20 位；-1 表示随机，不保存）' });
        return z.NEVER;
      }
      return seed;
    }),
  checkpoint: optionalText('基础模型名称', 200),
  loras: z.array(loraSchema, { error: 'LoRA 列表格式无效' }).max(ARTWORK_LIMITS.loras, `最多 ${ARTWORK_LIMITS.loras} 个 LoRA`).default([]),
  tags: z
    .array(z.string({ error: '标签须为文字' }).trim().max(ARTWORK_LIMITS.tag, `每个标签最多 ${ARTWORK_LIMITS.tag} 个字`), { error: '标签格式无效' })
    .default([])
    .transform((tags) => [...new Set(tags.filter(Boolean))])
    .refine((tags) => tags.length <= ARTWORK_LIMITS.tags, `最多 ${ARTWORK_LIMITS.tags} 个标签`),
  nsfwLevel: z.enum(NSFW_LEVELS, { error: '请选择内容分级（全年龄、轻微、成人或限制级）' }).default('None'),
});

export type ArtworkFields = z.output<typeof artworkFieldsSchema>;

/** Validate; throws InvalidInputError whose message is the first problem, in Chinese. */
export function parseArtworkFields(input: unknown): ArtworkFields {
  const parsed = artworkFieldsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // Issues zod words itself (a wrong type at the top level) get a plain sentence.
  const message = /[\u4e00-\u9fff]/.test(issue.message) ? issue.message : '作品信息格式无效';
  throw new InvalidInputError(message, { code: 'invalid_input' });
}

/** True when the creator gave any generation field (else an image's own parameters stand). */
export function hasRecipe(fields: ArtworkFields): boolean {
  return [fields.prompt, fields.negativePrompt, fields.sampler, fields.steps, fields.cfgScale, fields.width, fields.height, fields.seed, fields.checkpoint].some((v) => v !== null) || fields.loras.length > 0;
}

/**
 * The fields as a per-image recipe (the shape the ingest stores, src/core/recipe/recipe.ts), laid over `base`
 * (the image's own or stored recipe): what the form carries replaces it, what the form has no field for
 * (scheduler, clip skip, hires, VAE, embeddings, hashes of a checkpoint or LoRA it still names) stays.
 */
export function recipeFromFields(fields: ArtworkFields, base: Recipe | null = null): Recipe {
  const recipe: Recipe = { ...(base ?? emptyRecipe()), imageId: base?.imageId ?? null };
  Object.assign(recipe, {
    prompt: fields.prompt, negativePrompt: fields.negativePrompt, sampler: fields.sampler, steps: fields.steps,
    cfgScale: fields.cfgScale, width: fields.width, height: fields.height, seed: fields.seed,
  });
  const before = base?.resources ?? [];
  const kept = (type: 'CHECKPOINT' | 'LORA', name: string) => before.find((r) => r.type === type && r.modelName === name);
  recipe.resources = before.filter((r) => r.type !== 'CHECKPOINT' && r.type !== 'LORA');
  if (fields.checkpoint) recipe.resources.unshift(kept('CHECKPOINT', fields.checkpoint) ?? { ...emptyResource('CHECKPOINT'), modelName: fields.checkpoint });
  for (const lora of fields.loras) {
    const old = kept('LORA', lora.name);
    recipe.resources.push({ ...(old ?? emptyResource('LORA')), modelName: lora.name, modelId: lora.externalId ?? old?.modelId ?? null, weight: lora.weight });
  }
  return recipe;
}

/** The work's model references (work_models) from its cover's recipe: checkpoint and LoRAs. */
export function modelsFromRecipe(recipe: Recipe | null): WorkModelInput[] {
  return (recipe?.resources ?? []).flatMap((r): WorkModelInput[] =>
    (r.type === 'CHECKPOINT' || r.type === 'LORA') && r.modelName ? [{ modelType: r.type, modelName: r.modelName, externalModelId: r.modelId }] : [],
  );
}

/** The work's summary columns, from its cover's recipe (as the ingest keeps them). */
export function workRecipeColumns(recipe: Recipe | null) {
  return {
    prompt: recipe?.prompt ?? null, negativePrompt: recipe?.negativePrompt ?? null, sampler: recipe?.sampler ?? null,
    steps: recipe?.steps ?? null, cfgScale: recipe?.cfgScale ?? null, seed: recipe?.seed ?? null,
  };
}

