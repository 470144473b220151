// The editor's fields for one LoRA: ranges read from the snapshot schema (one source of truth for what a
// valid suggested parameter is), suggested values from the LoRA. Build time only: it imports zod.
import { snapshotSuggestedParamsSchema, type SnapshotSuggestedParams } from '../../core/snapshot/schema.ts';
import type { NumericField, NumericParam, ParamField } from './param-validation.ts';

const NUMERIC: ReadonlyArray<{ key: NumericParam; label: string; step: number }> = [
  { key: 'weight', label: 'LoRA 权重', step: 0.05 },
  { key: 'steps', label: '采样步数', step: 1 },
  { key: 'cfgScale', label: 'CFG 系数', step: 0.5 },
  { key: 'width', label: '宽度', step: 8 },
  { key: 'height', label: '高度', step: 8 },
];

function numericField(key: NumericParam, label: string, step: number, suggested: number): NumericField {
  const schema = snapshotSuggestedParamsSchema.shape[key];
  const { minValue: min, maxValue: max } = schema;
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) {
    throw new Error(`suggestedParams.${key} has no finite range in the snapshot schema`);
  }
  // zod marks an integer schema by its number format (safeint, int32, uint32); floats are float32/float64 or none.
  const integer = schema.format?.includes('int') ?? false;
  return { key, kind: 'number', label, min, max, integer, step: integer ? Math.max(1, step) : step, suggested };
}

export function paramFields(params: SnapshotSuggestedParams): ParamField[] {
  const [weight, steps, cfgScale, width, height] = NUMERIC.map(({ key, label, step }) => numericField(key, label, step, params[key]));
  return [weight!, { key: 'sampler', kind: 'text', label: '采样器', suggested: params.sampler }, steps!, cfgScale!, width!, height!];
}

/** Samplers offered as suggestions beside the free text (the sampler names of common WebUIs). */
export const COMMON_SAMPLERS = ['Euler a', 'Euler', 'DPM++ 2M', 'DPM++ 2M Karras', 'DPM++ SDE Karras', 'DPM++ 2M SDE', 'UniPC', 'DDIM', 'LCM'] as const;
