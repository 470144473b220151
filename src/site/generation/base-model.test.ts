import { describe, expect, it } from 'vitest';
import { baseFamily, familiesOf } from './base-model.ts';
import { checkCompatibility } from './compatibility.ts';

describe('baseFamily', () => {
  it.each([
    ['SDXL 1.0', 'sdxl'],
    ['stabilityai/stable-diffusion-xl-base-1.0', 'sdxl'],
    ['Pony', 'sdxl'],
    ['Illustrious', 'sdxl'],
    ['SD 1.5', 'sd15'],
    ['runwayml/stable-diffusion-v1-5', 'sd15'],
    ['FLUX.1', 'flux'],
    ['black-forest-labs/FLUX.1-dev', 'flux'],
    ['基础算法 F.1', 'flux'],
    ['MAILAND/majicflus_v1', 'flux'],
    ['Qwen/Qwen-Image', 'qwen-image'],
    ['SD 3.5', 'sd3'],
    ['麦橘写实 majicMIX realistic', null],
    ['', null],
  ])('%s → %s', (name, family) => expect(baseFamily(name)).toBe(family));

  it('lists a LoRA’s families once', () => expect(familiesOf(['SDXL', 'SDXL 1.0', 'Pony', 'odd'])).toEqual(['sdxl']));
});

describe('checkCompatibility (§11 模型兼容性冲突)', () => {
  const sdxl = { name: 'SDXL 1.0', baseModel: 'SDXL 1.0' };
  it('refuses a LoRA of another family, naming both', () => {
    const result = checkCompatibility(sdxl, [{ name: '水墨', baseModels: ['FLUX.1'] }, { name: '胶片', baseModels: ['SDXL'] }]);
    expect(result.ok).toBe(false);
    expect(result.conflicts).toEqual([expect.stringContaining('LoRA「水墨」适用于 FLUX.1，与基础模型「SDXL 1.0」（SDXL）不兼容')]);
  });
  it('accepts a LoRA listing the checkpoint’s family among others', () => {
    expect(checkCompatibility(sdxl, [{ name: 'x', baseModels: ['SD 1.5', 'SDXL'] }]).ok).toBe(true);
  });
  it('allows unknown families with a note', () => {
    const result = checkCompatibility({ name: 'majicMIX realistic' }, [{ name: 'x', baseModels: ['SDXL'] }, { name: 'y', baseModels: [] }]);
    expect(result.ok).toBe(true);
    expect(result.notes).toHaveLength(2);
  });
});

describe('the §11 error table', async () => {
  const { apiErrorView, jobErrorView } = await import('./errors.ts');
  it('offers a retry where retrying helps', () => {
    expect(apiErrorView(0, 'network', '')).toMatchObject({ title: '无网络连接', retry: true });
    expect(apiErrorView(504, 'x', '')).toMatchObject({ title: '请求超时', retry: true });
    expect(apiErrorView(401, 'unauthenticated', '')).toMatchObject({ title: '请先登录', retry: false, action: { href: '/login?next=/generate' } });
    expect(apiErrorView(400, 'invalid_input', 'params.steps: 太大')).toMatchObject({ title: '参数超出范围', detail: 'params.steps: 太大', retry: false });
    expect(jobErrorView('auth', '')).toMatchObject({ title: '请配置 API Key', retry: false, action: { href: '#api-key' } });
    expect(jobErrorView('timeout', null)).toMatchObject({ title: '请求超时', retry: true });
    expect(jobErrorView('quota', '429')).toMatchObject({ retry: true, detail: '429' });
    expect(jobErrorView('unsupported', '')).toMatchObject({ retry: false });
  });
});
