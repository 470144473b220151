// What a generation asks for: one allow-listed, range-checked shape shared by the API (zod parses the
// client's JSON with it), the /generate form (it shows the same ranges) and every GenerationProvider.
// Nothing in it is ever used as a filesystem path.
import { z } from 'zod';

/** Tasks a provider may run; seed 001 names them as ModelScope does. */
export const GENERATION_TASKS = ['text-to-image-synthesis'] as const;
export type GenerationTask = (typeof GENERATION_TASKS)[number];

/** Allowed ranges, shown by the form (§11 参数超出范围) and enforced by the schema below. */
export const GENERATION_LIMITS = {
  promptChars: 4000,
  negativePromptChars: 4000,
  steps: { min: 1, max: 100, suggested: 25 },
  cfgScale: { min: 1, max: 30, suggested: 7 },
  /** Width and height, multiples of 8. */
  size: { min: 256, max: 2048, step: 8, suggested: 1024 },
  /** width × height at most this many pixels (2048 × 2048 would be 4× a typical GPU's comfort). */
  maxPixels: 1536 * 1536,
  batch: { min: 1, max: 4, suggested: 1 },
  loras: { max: 5 },
  loraWeight: { min: -2, max: 2, suggested: 0.8 },
  /** Seeds are 0 … 2^32-1 on A1111 and ComfyUI; -1 asks for a random one. */
  seed: { min: -1, max: 4_294_967_295 },
} as const;

/** Samplers every provider here accepts (A1111 names; ComfyUI and ModelScope map them). */
export const GENERATION_SAMPLERS = [
  'Euler a',
  'Euler',
  'DPM++ 2M',
  'DPM++ 2M Karras',
  'DPM++ SDE Karras',
  'DPM++ 2M SDE Karras',
  'DDIM',
  'UniPC',
  'LCM',
] as const;
export type GenerationSampler = (typeof GENERATION_SAMPLERS)[number];

/** A model as the catalogue knows it: the id a provider needs, and the name shown to people. */
export const generationModelRefSchema = z
  .object({
    /** Provider-facing model id, e.g. a ModelScope `owner/name`, an A1111 checkpoint title or a ComfyUI file name. */
    id: z.string().trim().min(1).max(200),
    name: z.string().trim().max(200).optional(),
    /** The base-model family (SD 1.5, SDXL 1.0, FLUX.1…), for the compatibility check (§11 模型兼容性冲突). */
    baseModel: z.string().trim().max(60).optional(),
  })
  .strict();
export type GenerationModelRef = z.infer<typeof generationModelRefSchema>;

export const generationLoraSchema = generationModelRefSchema
  .extend({
    weight: z.number().min(GENERATION_LIMITS.loraWeight.min).max(GENERATION_LIMITS.loraWeight.max),
  })
  .strict();
export type GenerationLora = z.infer<typeof generationLoraSchema>;

const L = GENERATION_LIMITS;
const dimension = z.number().int().min(L.size.min).max(L.size.max).multipleOf(L.size.step);

export const generationRequestSchema = z
  .object({
    task: z.enum(GENERATION_TASKS).default('text-to-image-synthesis'),
    checkpoint: generationModelRefSchema,
    loras: z.array(generationLoraSchema).max(L.loras.max).default([]),
    prompt: z.string().trim().min(1).max(L.promptChars),
    negativePrompt: z.string().max(L.negativePromptChars).default(''),
    sampler: z.enum(GENERATION_SAMPLERS).default('Euler a'),
    steps: z.number().int().min(L.steps.min).max(L.steps.max).default(L.steps.suggested),
    cfgScale: z.number().min(L.cfgScale.min).max(L.cfgScale.max).default(L.cfgScale.suggested),
    width: dimension.default(L.size.suggested),
    height: dimension.default(L.size.suggested),
    /** -1 = random: the job picks one before submitting, so the recipe it keeps is reproducible. */
    seed: z.number().int().min(L.seed.min).max(L.seed.max).default(-1),
    batch: z.number().int().min(L.batch.min).max(L.batch.max).default(L.batch.suggested),
  })
  .strict()
  .refine((r) => r.width * r.height <= L.maxPixels, {
    message: `width × height must be at most ${L.maxPixels} pixels`,
    path: ['width'],
  });
export type GenerationRequest = z.infer<typeof generationRequestSchema>;
/** A request whose seed is fixed (never -1): what a provider receives. */
export type ResolvedGenerationRequest = GenerationRequest & { seed: number };
