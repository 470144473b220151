import { describe, expect, it } from 'vitest';
import { sampleLora } from '../../core/snapshot/test-fixtures.ts';
import { paramFields } from './param-fields.ts';
import { checkField, checkParams, type NumericField } from './param-validation.ts';

const fields = paramFields(sampleLora(1).suggestedParams);
const field = (key: string) => fields.find((f) => f.key === key)!;

describe('parameter fields', () => {
  it('take their ranges from the snapshot schema and their suggested values from the LoRA', () => {
    expect(field('weight')).toMatchObject({ min: 0, max: 2, integer: false, suggested: 0.8 });
    expect(field('steps')).toMatchObject({ min: 1, max: 150, integer: true, suggested: 30 });
    expect(field('cfgScale')).toMatchObject({ min: 1, max: 30, integer: false, suggested: 7 });
    expect(field('width')).toMatchObject({ min: 64, max: 4096, integer: true, suggested: 1024 });
    expect(field('sampler')).toMatchObject({ kind: 'text', suggested: 'Euler a' });
  });
});

describe('checkField', () => {
  it('accepts values in range', () => {
    expect(checkField(field('weight'), ' 1.25 ')).toEqual({ ok: true, value: 1.25 });
    expect(checkField(field('steps'), '150')).toEqual({ ok: true, value: 150 });
    expect(checkField(field('sampler'), ' DPM++ 2M ')).toEqual({ ok: true, value: 'DPM++ 2M' });
  });

  it('rejects out-of-range values naming the range and the suggested value', () => {
    const check = checkField(field('steps'), '151');
    expect(check).toEqual({ ok: false, message: '采样步数超出范围：允许范围 1–150（整数），建议值 30' });
    expect(checkField(field('weight'), '-0.1')).toMatchObject({ ok: false, message: expect.stringContaining('允许范围 0–2，建议值 0.8') });
  });

  it('rejects non-numbers, fractions of integer fields and blanks', () => {
    expect(checkField(field('cfgScale'), '7x')).toMatchObject({ ok: false, message: expect.stringContaining('必须是数字') });
    expect(checkField(field('cfgScale'), '1e1')).toMatchObject({ ok: false });
    expect(checkField(field('width'), '512.5')).toMatchObject({ ok: false, message: expect.stringContaining('必须是整数') });
    expect(checkField(field('height'), '')).toMatchObject({ ok: false, message: expect.stringContaining('请填写高度') });
    expect(checkField(field('sampler'), '  ')).toMatchObject({ ok: false, message: '采样器不能为空，建议值 Euler a' });
  });

  it('uses a step of at least 1 for integer fields', () => {
    expect((field('steps') as NumericField).step).toBe(1);
  });
});

describe('checkParams', () => {
  const raw = { weight: '0.8', sampler: 'Euler a', steps: '30', cfgScale: '7', width: '1024', height: '768' };

  it('returns the typed parameters when every field is valid', () => {
    expect(checkParams(fields, raw)).toEqual({
      ok: true,
      params: { weight: 0.8, sampler: 'Euler a', steps: 30, cfgScale: 7, width: 1024, height: 768 },
    });
  });

  it('returns one message per invalid field', () => {
    const check = checkParams(fields, { ...raw, steps: '0', width: '9999' });
    expect(check.ok).toBe(false);
    expect(Object.keys(!check.ok ? check.errors : {})).toEqual(['steps', 'width']);
  });
});
