// Presets: the parameters a base-model family is usually run with (built in), and the ones a user saved
// (kept by the server per user). Applying one fills the form's parameters and, for a built-in one, its
// checkpoint; the prompt and LoRAs stay as they are.
import type { BaseFamily } from './base-model.ts';
import type { SubmitBody } from './export-json.ts';
import type { FormCheckpoint, FormValues } from './form-values.ts';

export type PresetParams = Pick<FormValues, 'sampler' | 'steps' | 'cfgScale' | 'width' | 'height'> & { negativePrompt?: string };

export interface Preset {
  /** `builtin:sdxl`, or the server's id of a user's preset. */
  id: string;
  name: string;
  builtin: boolean;
  family: BaseFamily | null;
  checkpoint: FormCheckpoint | null;
  params: PresetParams;
}

/** The families' usual settings, each with a checkpoint every provider here knows by that id. */
export const BUILTIN_PRESETS: readonly Preset[] = [
  {
    id: 'builtin:sd15',
    name: 'SD 1.5 · 512×768',
    builtin: true,
    family: 'sd15',
    checkpoint: { id: 'AI-ModelScope/stable-diffusion-v1-5', name: 'Stable Diffusion 1.5', baseModel: 'SD 1.5' },
    params: { sampler: 'DPM++ 2M Karras', steps: 25, cfgScale: 7, width: 512, height: 768 },
  },
  {
    id: 'builtin:sdxl',
    name: 'SDXL · 1024×1024',
    builtin: true,
    family: 'sdxl',
    checkpoint: { id: 'AI-ModelScope/stable-diffusion-xl-base-1.0', name: 'SDXL 1.0', baseModel: 'SDXL 1.0' },
    params: { sampler: 'DPM++ 2M Karras', steps: 30, cfgScale: 6, width: 1024, height: 1024 },
  },
  {
    id: 'builtin:flux',
    name: 'FLUX.1 · 1024×1024',
    builtin: true,
    family: 'flux',
    checkpoint: { id: 'black-forest-labs/FLUX.1-dev', name: 'FLUX.1 dev', baseModel: 'FLUX.1' },
    // FLUX ignores the negative prompt and wants a low guidance.
    params: { sampler: 'Euler', steps: 28, cfgScale: 3.5, width: 1024, height: 1024 },
  },
  {
    id: 'builtin:qwen-image',
    name: 'Qwen-Image · 1328×1328',
    builtin: true,
    family: 'qwen-image',
    checkpoint: { id: 'Qwen/Qwen-Image', name: 'Qwen-Image', baseModel: 'Qwen-Image' },
    params: { sampler: 'Euler', steps: 30, cfgScale: 4, width: 1328, height: 1328 },
  },
];

/** The built-in preset of a family, if there is one. */
export function builtinPresetFor(family: BaseFamily | null): Preset | undefined {
  return family ? BUILTIN_PRESETS.find((p) => p.family === family) : undefined;
}

/** The form after applying a preset: parameters replaced; the checkpoint too when the preset has one. */
export function applyPreset(values: FormValues, preset: Preset): FormValues {
  const { negativePrompt, ...params } = preset.params;
  return {
    ...values,
    ...params,
    ...(negativePrompt !== undefined ? { negativePrompt } : {}),
    checkpoint: preset.checkpoint ?? values.checkpoint,
  };
}

/**
 * A user's preset as the server keeps it (a whole submit body, checked as a submission would be) → the
 * preset the form applies: its checkpoint and parameters; the prompt, seed and LoRAs stay the form's.
 */
export function presetFromSaved(saved: { id: string | number; name: string; params: SubmitBody }): Preset {
  const p = saved.params.params;
  const checkpoint = saved.params.params.checkpoint;
  return {
    id: `mine:${saved.id}`,
    name: saved.name,
    builtin: false,
    family: null,
    checkpoint: { id: saved.params.model_id, name: checkpoint?.name || saved.params.model_id, ...(checkpoint?.baseModel ? { baseModel: checkpoint.baseModel } : {}) },
    params: { sampler: p.sampler, steps: p.steps, cfgScale: p.cfgScale, width: p.width, height: p.height, negativePrompt: p.negativePrompt },
  };
}
