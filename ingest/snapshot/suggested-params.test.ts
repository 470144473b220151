import { describe, expect, it } from 'vitest';
import { snapshotSuggestedParamsSchema } from '../../src/core/snapshot/schema.ts';
import { BASE_MODEL_DEFAULTS, baseModelFamily, suggestParams, type ParamSample } from './suggested-params.ts';

const sample = (overrides: Partial<ParamSample> = {}): ParamSample => ({ sampler: 'Euler a', steps: 30, cfgScale: 7, width: 1024, height: 1024, ...overrides });

describe('suggested parameters', () => {
  it('recognises the base model family from ModelScope ids and vision foundations', () => {
    expect(baseModelFamily({ baseModels: ['black-forest-labs/FLUX.1-dev'], visionFoundation: null })).toBe('flux');
    expect(baseModelFamily({ baseModels: [], visionFoundation: 'FLUX_1' })).toBe('flux');
    expect(baseModelFamily({ baseModels: ['AI-ModelScope/stable-diffusion-v1-5'], visionFoundation: 'SD_1_5' })).toBe('sd15');
    expect(baseModelFamily({ baseModels: ['SD 1.5'], visionFoundation: null })).toBe('sd15');
    expect(baseModelFamily({ baseModels: ['AI-ModelScope/stable-diffusion-xl-base-1.0'], visionFoundation: 'SDXL' })).toBe('sdxl');
    expect(baseModelFamily({ baseModels: ['Qwen/Qwen-Image'], visionFoundation: 'QWEN_IMAGE_20_B' })).toBe('sdxl'); // unknown: SDXL's settings
    expect(baseModelFamily({ baseModels: null, visionFoundation: null })).toBe('sdxl');
  });

  it('uses the defaults of the family when no work is linked, and every default set is valid', () => {
    for (const defaults of Object.values(BASE_MODEL_DEFAULTS)) snapshotSuggestedParamsSchema.parse({ ...defaults, basedOn: 'defaults', sampleSize: 0 });
    expect(suggestParams({ baseModels: ['SD 1.5'], visionFoundation: null }, [])).toEqual({ ...BASE_MODEL_DEFAULTS.sd15, basedOn: 'defaults', sampleSize: 0 });
  });

  it('takes medians of steps and CFG, the most common sampler and size, and fills unknowns from the defaults', () => {
    const params = suggestParams({ baseModels: ['FLUX.1'], visionFoundation: null }, [
      sample({ steps: 20, cfgScale: 3 }),
      sample({ steps: 28, cfgScale: 4, sampler: 'DPM++ 2M', width: 832, height: 1216 }),
      sample({ steps: 40, cfgScale: null, sampler: 'DPM++ 2M', width: 832, height: 1216 }),
      sample({ steps: null, cfgScale: 5, sampler: null, width: null }),
    ]);
    expect(params).toEqual({ weight: 1, sampler: 'DPM++ 2M', steps: 28, cfgScale: 4, width: 832, height: 1216, basedOn: 'works', sampleSize: 4 });
    // nothing known at all: the defaults' values, still based on works
    expect(suggestParams({ baseModels: ['SDXL'], visionFoundation: null }, [sample({ sampler: ' ', steps: null, cfgScale: null, width: null, height: null })]))
      .toEqual({ ...BASE_MODEL_DEFAULTS.sdxl, basedOn: 'works', sampleSize: 1 });
  });

  it('clamps stray values into the schema ranges', () => {
    const params = suggestParams({ baseModels: ['SDXL'], visionFoundation: null }, [sample({ steps: 1000, cfgScale: 0.5, width: 10_000, height: 32 })]);
    expect(params).toMatchObject({ steps: 150, cfgScale: 1, width: 1024, height: 1024 });
    const huge = suggestParams({ baseModels: ['SDXL'], visionFoundation: null }, [sample({ width: 8192, height: 512 })]);
    expect(huge).toMatchObject({ width: 4096, height: 512 });
    snapshotSuggestedParamsSchema.parse(params);
  });

  it('ignores sizes nobody generates at (display sizes of downscaled images) and keeps the defaults', () => {
    const params = suggestParams({ baseModels: ['SD 1.5'], visionFoundation: null }, [sample({ width: 96, height: 64 }), sample({ width: 1000, height: 750 })]);
    expect(params).toMatchObject({ width: 512, height: 768, basedOn: 'works' });
  });
});
