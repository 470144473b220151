import { describe, expect, it } from 'vitest';
import { exportFileName, generationRequest, requestJson } from './export-params.ts';

const lora = { id: '42', externalId: 'owner/墨韵 山水', task: 'text-to-image-synthesis', baseModels: ['SDXL 1.0', 'Pony'], triggerWords: ['ink wash'], pageUrl: 'https://modelscope.cn/models/owner/x' };
const params = { weight: 0.7, sampler: 'DPM++ 2M', steps: 28, cfgScale: 6.5, width: 832, height: 1216 };

describe('export as JSON', () => {
  it('packs the model id, task and edited parameters as a seed §9.5 generation request', () => {
    expect(generationRequest(lora, params)).toEqual({
      model_id: 'owner/墨韵 山水',
      task: 'text-to-image-synthesis',
      base_model: 'SDXL 1.0',
      params: { lora_weight: 0.7, sampler: 'DPM++ 2M', steps: 28, cfg_scale: 6.5, width: 832, height: 1216 },
      trigger_words: ['ink wash'],
      source: { site: 'huaku', lora_id: '42', page_url: 'https://modelscope.cn/models/owner/x' },
    });
  });

  it('gives no base model when the LoRA names none', () => {
    expect(generationRequest({ ...lora, baseModels: [] }, params).base_model).toBeNull();
  });

  it('serializes indented with a final newline', () => {
    const text = requestJson(generationRequest(lora, params));
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(generationRequest(lora, params));
  });

  it('names the file after the model, safe for any file system', () => {
    expect(exportFileName(lora)).toBe('owner-墨韵-山水.params.json');
    expect(exportFileName({ externalId: '../..' })).toBe('..-...params.json');
    expect(exportFileName({ externalId: '///' })).toBe('lora.params.json');
  });
});
