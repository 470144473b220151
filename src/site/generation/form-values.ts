// The /generate form's values and their checks (§11 参数超出范围: checked in the UI, the message names the
// allowed range and the suggested value). The ranges are GENERATION_LIMITS of the request schema, handed to
// the page as JSON at build time (importing the schema here would ship zod to the browser), so the form and
// the server refuse the same values.
import type { GENERATION_LIMITS } from '../../core/generation/generation-request.ts';

export type GenerationLimits = typeof GENERATION_LIMITS;

export interface FormLora {
  /** The catalogue LoRA (`/lora/<id>`), when the LoRA is one. */
  loraId: string | null;
  /** Provider-facing id (ModelScope `owner/name`). */
  id: string;
  name: string;
  baseModels: string[];
  weight: number;
}

export interface FormCheckpoint {
  id: string;
  name: string;
  baseModel?: string | undefined;
}

export interface FormValues {
  prompt: string;
  negativePrompt: string;
  checkpoint: FormCheckpoint | null;
  loras: FormLora[];
  sampler: string;
  steps: number;
  cfgScale: number;
  width: number;
  height: number;
  /** -1 = random. */
  seed: number;
  batch: number;
}

export type FieldKey = 'prompt' | 'negativePrompt' | 'checkpoint' | 'sampler' | 'steps' | 'cfgScale' | 'width' | 'height' | 'seed' | 'batch' | 'loras';

interface NumericSpec {
  label: string;
  min: number;
  max: number;
  integer: boolean;
  suggested: number;
  /** Multiples of this (sizes). */
  step?: number;
}

export function numericSpecs(limits: GenerationLimits): Record<'steps' | 'cfgScale' | 'width' | 'height' | 'batch' | 'seed' | 'weight', NumericSpec> {
  return {
    steps: { label: '采样步数', ...limits.steps, integer: true },
    cfgScale: { label: 'CFG 系数', ...limits.cfgScale, integer: false },
    width: { label: '宽度', min: limits.size.min, max: limits.size.max, step: limits.size.step, suggested: limits.size.suggested, integer: true },
    height: { label: '高度', min: limits.size.min, max: limits.size.max, step: limits.size.step, suggested: limits.size.suggested, integer: true },
    batch: { label: '张数', ...limits.batch, integer: true },
    seed: { label: '种子', min: 0, max: limits.seed.max, suggested: 0, integer: true },
    weight: { label: 'LoRA 权重', ...limits.loraWeight, integer: false },
  };
}

/** `1–100` or `256–2048，8 的倍数`: the allowed values as the form shows them. */
export function rangeHint(spec: NumericSpec): string {
  return `${spec.min}–${spec.max}${spec.step ? `，${spec.step} 的倍数` : spec.integer ? '（整数）' : ''}`;
}

/** One numeric input's text → a value, or a message with the allowed range and the suggested value. */
export function checkNumber(spec: NumericSpec, raw: string): { ok: true; value: number } | { ok: false; message: string } {
  const text = raw.trim();
  const hint = `允许范围 ${rangeHint(spec)}，建议值 ${spec.suggested}`;
  if (text === '') return { ok: false, message: `请填写${spec.label}：${hint}` };
  const value = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(value)) return { ok: false, message: `${spec.label}必须是数字：${hint}` };
  if (spec.integer && !Number.isInteger(value)) return { ok: false, message: `${spec.label}必须是整数：${hint}` };
  if (value < spec.min || value > spec.max) return { ok: false, message: `${spec.label}超出范围：${hint}` };
  if (spec.step && value % spec.step !== 0) {
    const near = Math.min(spec.max, Math.max(spec.min, Math.round(value / spec.step) * spec.step));
    return { ok: false, message: `${spec.label}必须是 ${spec.step} 的倍数：${hint}（最接近的是 ${near}）` };
  }
  return { ok: true, value };
}

export type FormErrors = Partial<Record<FieldKey, string>>;

/** Checks that span fields or are not numbers: prompt length, the checkpoint, the pixel budget, LoRAs. */
export function checkValues(values: FormValues, limits: GenerationLimits, samplers: readonly string[]): FormErrors {
  const errors: FormErrors = {};
  if (values.prompt.trim() === '') errors.prompt = '请填写提示词';
  else if (values.prompt.length > limits.promptChars) errors.prompt = `提示词过长：最多 ${limits.promptChars} 个字符（现在 ${values.prompt.length}）`;
  if (values.negativePrompt.length > limits.negativePromptChars) {
    errors.negativePrompt = `反向提示词过长：最多 ${limits.negativePromptChars} 个字符（现在 ${values.negativePrompt.length}）`;
  }
  if (!values.checkpoint || values.checkpoint.id.trim() === '') errors.checkpoint = '请选择基础模型（checkpoint）';
  if (!samplers.includes(values.sampler)) errors.sampler = `请选择采样器：${samplers.join('、')}`;
  if (values.width * values.height > limits.maxPixels) {
    const side = Math.floor(Math.sqrt(limits.maxPixels) / limits.size.step) * limits.size.step;
    errors.width = `尺寸过大：宽 × 高最多 ${limits.maxPixels.toLocaleString('zh-CN')} 像素（例如 ${side} × ${side}）`;
  }
  if (values.loras.length > limits.loras.max) errors.loras = `最多同时使用 ${limits.loras.max} 个 LoRA`;
  const weight = numericSpecs(limits).weight;
  const bad = values.loras.find((l) => !(l.weight >= weight.min && l.weight <= weight.max));
  if (bad) errors.loras = `LoRA「${bad.name}」的权重超出范围：允许范围 ${rangeHint(weight)}，建议值 ${weight.suggested}`;
  return errors;
}

/**
 * The API request body (GenerationRequest of src/core/generation/generation-request.ts): what
 * `POST /api/v1/generate` receives, field for field.
 */
export function requestBody(values: FormValues) {
  return {
    task: 'text-to-image-synthesis' as const,
    checkpoint: { id: values.checkpoint!.id, name: values.checkpoint!.name, ...(values.checkpoint!.baseModel ? { baseModel: values.checkpoint!.baseModel } : {}) },
    loras: values.loras.map((l) => ({ id: l.id, name: l.name, ...(l.baseModels[0] ? { baseModel: l.baseModels[0] } : {}), weight: l.weight })),
    prompt: values.prompt.trim(),
    negativePrompt: values.negativePrompt,
    sampler: values.sampler,
    steps: values.steps,
    cfgScale: values.cfgScale,
    width: values.width,
    height: values.height,
    seed: values.seed,
    batch: values.batch,
  };
}
export type RequestBody = ReturnType<typeof requestBody>;
