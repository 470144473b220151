// The generation parameters a LoRA's page suggests: what the works that used it were made with, or the
// usual settings of its base model when no snapshot work is linked to it.
//
// Decisions:
// - From works: steps and CFG are medians (robust to one odd upload), the sampler is the most common one,
//   width × height the most common size pair (separate medians could give a size nobody used). Ties break
//   on the smaller value / alphabetical order, so the result depends on the data only.
// - The Store keeps no per-reference LoRA weight, so the weight always comes from the base model's defaults.
// - Everything is clamped to the ranges of snapshotSuggestedParamsSchema (a stray 1000-step work cannot
//   make the file invalid).
import type { SnapshotSuggestedParams } from '../../src/core/snapshot/schema.ts';

/** The parameters of one linked work, as stored (any may be unknown). */
export interface ParamSample {
  sampler: string | null;
  steps: number | null;
  cfgScale: number | null;
  width: number | null;
  height: number | null;
}

export type BaseModelFamily = 'flux' | 'sdxl' | 'sd15';
type Settings = Omit<SnapshotSuggestedParams, 'basedOn' | 'sampleSize'>;

/**
 * Usual settings per family (community defaults): FLUX.1-dev runs with low guidance and ~28 Euler steps at
 * 1024²; SDXL (Pony, Illustrious…) at CFG 7 with DPM++ 2M Karras at 1024²; SD 1.5 at 512×768 (portrait,
 * its native 512 width). LoRA weight 1.0 for FLUX (its LoRAs are trained for full strength), 0.8 otherwise.
 */
export const BASE_MODEL_DEFAULTS: Readonly<Record<BaseModelFamily, Settings>> = {
  flux: { weight: 1, sampler: 'Euler', steps: 28, cfgScale: 3.5, width: 1024, height: 1024 },
  sdxl: { weight: 0.8, sampler: 'DPM++ 2M Karras', steps: 30, cfgScale: 7, width: 1024, height: 1024 },
  sd15: { weight: 0.8, sampler: 'DPM++ 2M Karras', steps: 25, cfgScale: 7, width: 512, height: 768 },
};

/**
 * The family of a LoRA's base model from its base-model ids and vision foundation (`FLUX_1`,
 * `black-forest-labs/FLUX.1-dev`, `SDXL`, `SD_1_5`, `stable-diffusion-v1-5`…). Anything unrecognised
 * (Qwen-Image, Z-Image, Wan…) gets SDXL's settings: the most common middle ground at 1024².
 */
export function baseModelFamily(lora: { baseModels: readonly string[] | null; visionFoundation: string | null }): BaseModelFamily {
  const text = [...(lora.baseModels ?? []), lora.visionFoundation ?? ''].join(' ').toLowerCase();
  if (text.includes('flux')) return 'flux';
  if (/sd[\s_-]?1[\s._-]?5|v1[\s._-]5|sd15/.test(text)) return 'sd15';
  return 'sdxl';
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The most frequent key; ties go to the first key in sort order. */
function mode(keys: string[]): string | null {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  let best: string | null = null;
  for (const [key, n] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (best === null || n > counts.get(best)!) best = key;
  }
  return best;
}

const known = (n: number | null): n is number => n !== null && Number.isFinite(n) && n > 0;

/**
 * A size someone would generate at: both sides at least 256 and multiples of 8 (latent space). Anything
 * else is an image's display size rather than a generation setting (e.g. a downscaled upload) and is ignored.
 */
const generationSize = (n: number | null): n is number => known(n) && n >= 256 && n % 8 === 0;

/** Suggested parameters from the linked works' samples, or the base model's defaults when there are none. */
export function suggestParams(
  lora: { baseModels: readonly string[] | null; visionFoundation: string | null },
  samples: readonly ParamSample[],
): SnapshotSuggestedParams {
  const defaults = BASE_MODEL_DEFAULTS[baseModelFamily(lora)];
  if (samples.length === 0) return { ...defaults, basedOn: 'defaults', sampleSize: 0 };
  const steps = median(samples.map((s) => s.steps).filter(known));
  const cfgScale = median(samples.map((s) => s.cfgScale).filter(known));
  const sampler = mode(samples.flatMap((s) => (s.sampler?.trim() ? [s.sampler.trim()] : [])));
  const size = mode(samples.flatMap((s) => (generationSize(s.width) && generationSize(s.height) ? [`${s.width}x${s.height}`] : [])));
  const [width, height] = size ? size.split('x').map(Number) as [number, number] : [defaults.width, defaults.height];
  return {
    weight: defaults.weight,
    sampler: sampler ?? defaults.sampler,
    steps: clamp(Math.round(steps ?? defaults.steps), 1, 150),
    cfgScale: clamp(Math.round((cfgScale ?? defaults.cfgScale) * 10) / 10, 1, 30),
    width: clamp(Math.round(width), 64, 4096),
    height: clamp(Math.round(height), 64, 4096),
    basedOn: 'works',
    sampleSize: samples.length,
  };
}
