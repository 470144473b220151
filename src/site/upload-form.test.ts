import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { setPngText } from '../core/media/png-text.ts';
import { parseArtworkFields } from '../server/community/artwork-input.ts';
import { emptyForm, formMeta, prefillFromImage, splitTags } from './upload-form.ts';

const catalogue = { loras: [{ id: '7', name: '汽车 LoRA', externalId: 'studio/car_lora' }], checkpoints: ['majicMIX realistic'] };

describe('the upload form', () => {
  it('prefills from an A1111 PNG, linking LoRAs and the checkpoint to the catalogue, and the server accepts what it sends', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#333' } }).png().toBuffer();
    const text = '红色跑车 <lora:car_lora:0.6>\nNegative prompt: 模糊\nSteps: 28, Sampler: DPM++ 2M, CFG scale: 7, Seed: 42, Size: 832x1216, Model: majicmix_realistic';
    const values = prefillFromImage(setPngText(png, { parameters: text }), catalogue);
    expect(values).toMatchObject({ prompt: '红色跑车 <lora:car_lora:0.6>', negativePrompt: '模糊', steps: '28', cfgScale: '7', seed: '42', width: '832', height: '1216', checkpoint: 'majicMIX realistic' });
    expect(values?.loras).toEqual([{ id: '7', externalId: 'studio/car_lora', name: '汽车 LoRA', weight: '0.6' }]);
    expect(prefillFromImage(png, catalogue)).toBeNull();
    const fields = parseArtworkFields(formMeta({ ...emptyForm(), ...values, tags: '汽车，夜景、 跑车' }));
    expect(fields).toMatchObject({ steps: 28, cfgScale: 7, seed: '42', tags: ['汽车', '夜景', '跑车'], loras: [{ id: '7', externalId: 'studio/car_lora', name: '汽车 LoRA', weight: 0.6 }] });
    expect(() => parseArtworkFields(formMeta({ ...emptyForm(), loras: [{ id: null, externalId: null, name: 'x', weight: '' }] }))).toThrow('LoRA 权重须为 -5 到 5 之间的数字');
    expect(splitTags(' a ,, b\nc ')).toEqual(['a', 'b', 'c']);
  });
});
