import { describe, expect, it } from 'vitest';
import { modelLinks, paramRows, safeHttpUrl } from './artwork-details.ts';

describe('paramRows', () => {
  it('lists the known parameters in order', () => {
    expect(paramRows({ sampler: 'Euler a', steps: 30, cfgScale: 7.5, width: 768, height: 1024, seed: '18446744073709551615' })).toEqual([
      { label: '采样器', value: 'Euler a' },
      { label: '步数', value: '30' },
      { label: 'CFG', value: '7.5' },
      { label: '尺寸', value: '768 × 1024', mono: true },
      { label: '种子', value: '18446744073709551615', mono: true },
    ]);
  });

  it('leaves unknown parameters out, but keeps zero steps', () => {
    expect(paramRows({ sampler: null, steps: 0, cfgScale: null, width: 512, height: null, seed: null })).toEqual([{ label: '步数', value: '0' }]);
  });
});

describe('modelLinks', () => {
  it('links catalogue LoRAs to their page and others to the source, checkpoints first, without duplicates', () => {
    const links = modelLinks([
      { type: 'LORA', name: '墨韵', url: 'https://modelscope.cn/models/a/b', loraId: '7', weight: 0.8 },
      { type: 'CHECKPOINT', name: 'SDXL', url: 'https://civitai.com/models/1', loraId: null },
      { type: 'LORA', name: 'Other', url: 'javascript:alert(1)', loraId: null },
      { type: 'CHECKPOINT', name: 'SDXL', url: 'https://civitai.com/models/1', loraId: null },
    ]);
    expect(links).toEqual([
      { type: 'CHECKPOINT', name: 'SDXL', href: 'https://civitai.com/models/1', external: true, weight: null },
      { type: 'LORA', name: '墨韵', href: '/lora/7', external: false, weight: 0.8 },
      { type: 'LORA', name: 'Other', href: null, external: true, weight: null },
    ]);
  });

  it('accepts only http(s) URLs', () => {
    expect(safeHttpUrl('https://x.example/a')).toBe('https://x.example/a');
    expect(safeHttpUrl('data:text/html,hi')).toBeNull();
    expect(safeHttpUrl('not a url')).toBeNull();
  });
});
