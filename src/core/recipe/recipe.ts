// A recipe: what one image was generated with, as its source reported it. One per image (a Liblib group
// has one per image: five images, five seeds), stored on the image row and written into the snapshot's
// image records. Framework-free and shared by ingest (normalizers), the snapshot and the site.
import { z } from 'zod';

/** What a resource is to the generation. LyCORIS, LoCon and DoRA count as LORA. */
const RESOURCE_TYPES = ['CHECKPOINT', 'LORA', 'EMBEDDING', 'VAE', 'OTHER'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

const text = z.string().nullable();
/** Lowercase hex; AutoV2 is the first 10 hex digits of the file's SHA-256. */
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 is 64 lowercase hex digits').nullable();
const autoV2 = z.string().regex(/^[0-9a-f]{10}$/, 'an AutoV2 hash is 10 lowercase hex digits').nullable();

const recipeResourceSchema = z.object({
  type: z.enum(RESOURCE_TYPES),
  /** The model's name and its version's name, kept apart (never "model · version"). */
  modelName: text,
  versionName: text,
  /** Upstream ids as strings (Liblib uuids, Civitai numbers): the source's own, not ours. */
  modelId: text,
  versionId: text,
  /** LoRA/embedding strength; null for checkpoints and when unknown. */
  weight: z.number().nullable(),
  sha256,
  autoV2,
  triggerWord: text,
});
export type RecipeResource = z.infer<typeof recipeResourceSchema>;

const recipeHiresSchema = z.object({
  upscale: z.number().positive().nullable(),
  upscaler: text,
  steps: z.number().int().nonnegative().nullable(),
});

export const recipeSchema = z.object({
  /** The upstream image id, exact (Liblib's exceed 2^53). */
  imageId: text,
  prompt: text,
  negativePrompt: text,
  sampler: text,
  scheduler: text,
  steps: z.number().int().nonnegative().nullable(),
  cfgScale: z.number().nullable(),
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  /** Digits as a string: seeds exceed 2^53. Never "-1" (random). */
  seed: z.string().regex(/^\d+$/).nullable(),
  clipSkip: z.number().int().positive().nullable(),
  /** The VAE by name as the generator reported it ("automatic" is left out). */
  vae: text,
  /** Denoising strength (img2img or hires fix). */
  denoise: z.number().min(0).max(1).nullable(),
  hires: recipeHiresSchema.nullable(),
  resources: z.array(recipeResourceSchema),
  /** Where the recipe was read when not from the source's own detail: `pnginfo` (Liblib's getPnginfo, unverified). */
  origin: z.enum(['pnginfo']).optional(),
});
export type Recipe = z.infer<typeof recipeSchema>;

export function emptyRecipe(imageId: string | null = null): Recipe {
  return {
    imageId, prompt: null, negativePrompt: null, sampler: null, scheduler: null, steps: null, cfgScale: null,
    width: null, height: null, seed: null, clipSkip: null, vae: null, denoise: null, hires: null, resources: [],
  };
}

export function emptyResource(type: ResourceType): RecipeResource {
  return { type, modelName: null, versionName: null, modelId: null, versionId: null, weight: null, sha256: null, autoV2: null, triggerWord: null };
}

/** A hash as the source wrote it → `{sha256}` or `{autoV2}` (lowercase), or nothing when it is neither. */
export function classifyHash(value: string | null | undefined): { sha256: string | null; autoV2: string | null } {
  const hex = value?.trim().toLowerCase() ?? '';
  if (/^[0-9a-f]{64}$/.test(hex)) return { sha256: hex, autoV2: hex.slice(0, 10) };
  if (/^[0-9a-f]{10}$/.test(hex)) return { sha256: null, autoV2: hex };
  return { sha256: null, autoV2: null };
}

/** Seeds as digits; -1 ("random"), empty and non-integers are unknown. */
export function seedText(value: unknown): string | null {
  const digits = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  return /^\d+$/.test(digits) ? digits.replace(/^0+(?=\d)/, '') : null;
}

/** The type a source's label names (Civitai's `TextualInversion`, Liblib's `LORA`, A1111's `embed`…). */
export function resourceTypeOf(label: string | null | undefined): ResourceType {
  const t = (label ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
  if (t === 'checkpoint' || t === 'model') return 'CHECKPOINT';
  if (['lora', 'locon', 'lycoris', 'dora', 'loha', 'lokr'].includes(t)) return 'LORA';
  if (['embed', 'embedding', 'textualinversion', 'ti'].includes(t)) return 'EMBEDDING';
  if (t === 'vae') return 'VAE';
  return 'OTHER';
}

/** One weight file of a model version, as an upstream lists it. */
const modelFileSchema = z.object({
  name: z.string(),
  sha256,
  autoV2,
  sizeBytes: z.number().nonnegative().nullable(),
});
export type ModelFile = z.infer<typeof modelFileSchema>;
