// Validation of the suggested-parameter editor on a LoRA's page (seed 001 §11 "参数超出范围": check in
// the UI, show the allowed range and the suggested value). Pure and zod-free so the page script stays
// small; the ranges come from the snapshot schema at build time (param-fields.ts).

export type NumericParam = 'weight' | 'steps' | 'cfgScale' | 'width' | 'height';
export type ParamKey = NumericParam | 'sampler';

export interface NumericField {
  key: NumericParam;
  kind: 'number';
  label: string;
  min: number;
  max: number;
  /** Whole numbers only. */
  integer: boolean;
  /** The spinner's step (validation itself accepts any value in range, or any integer when `integer`). */
  step: number;
  suggested: number;
}

interface TextField {
  key: 'sampler';
  kind: 'text';
  label: string;
  suggested: string;
}

export type ParamField = NumericField | TextField;

export interface EditedParams {
  weight: number;
  sampler: string;
  steps: number;
  cfgScale: number;
  width: number;
  height: number;
}

export type FieldCheck = { ok: true; value: number | string } | { ok: false; message: string };

/** `0–2`: a range as the messages show it. */
export function rangeText(field: NumericField): string {
  return `${field.min}–${field.max}`;
}

/** One input's raw text → its value, or a message naming the allowed range and the suggested value. */
export function checkField(field: ParamField, raw: string): FieldCheck {
  const text = raw.trim();
  if (field.kind === 'text') {
    return text === '' ? { ok: false, message: `${field.label}不能为空，建议值 ${field.suggested}` } : { ok: true, value: text };
  }
  const hint = `允许范围 ${rangeText(field)}${field.integer ? '（整数）' : ''}，建议值 ${field.suggested}`;
  if (text === '') return { ok: false, message: `请填写${field.label}：${hint}` };
  // Number('') and Number('1e') quirks aside, only plain decimals are accepted.
  const value = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(value)) return { ok: false, message: `${field.label}必须是数字：${hint}` };
  if (field.integer && !Number.isInteger(value)) return { ok: false, message: `${field.label}必须是整数：${hint}` };
  if (value < field.min || value > field.max) return { ok: false, message: `${field.label}超出范围：${hint}` };
  return { ok: true, value };
}

export type ParamsCheck =
  | { ok: true; params: EditedParams }
  | { ok: false; errors: Partial<Record<ParamKey, string>> };

/** Every field at once: the edited parameters, or a message per invalid field. */
export function checkParams(fields: readonly ParamField[], raw: Readonly<Partial<Record<ParamKey, string>>>): ParamsCheck {
  const values: Partial<Record<ParamKey, number | string>> = {};
  const errors: Partial<Record<ParamKey, string>> = {};
  for (const field of fields) {
    const check = checkField(field, raw[field.key] ?? '');
    if (check.ok) values[field.key] = check.value;
    else errors[field.key] = check.message;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, params: values as unknown as EditedParams };
}
