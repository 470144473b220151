import { describe, expect, it } from 'vitest';
import { LoraMatcher, candidateFor, modelScopeIdIn, normalizeModelName, type ModelRef } from './link-loras.ts';
import { sampleLora } from './test-helpers.ts';

const sha = '3eaec9705c770f3453a802ff317f5095c806cc27b069b760015f71bd26179f2e';
const ink = candidateFor({ id: 1, externalId: 'inkbrush/Ink-Landscape-FLUX' }, {
  ...sampleLora('inkbrush/Ink-Landscape-FLUX'),
  title_cn: '墨韵山水',
  model_files: [{ name: 'ink_landscape_v2.safetensors', sha256: sha, size: 1 }],
});
const car = candidateFor({ id: 2, externalId: 'MAILAND/F.1-Concept-Car-Render' }, { ...sampleLora('MAILAND/F.1-Concept-Car-Render'), title_cn: 'F.1-概念车渲染 Concept Car Render' });
const twinA = candidateFor({ id: 3, externalId: 'a/Film' }, { ...sampleLora('a/Film'), title_cn: '胶片质感人像' });
const twinB = candidateFor({ id: 4, externalId: 'b/Film' }, { ...sampleLora('b/Film'), title_cn: '胶片质感人像' });
const matcher = new LoraMatcher([ink, car, twinA, twinB]);

let nextId = 1;
const ref = (fields: Partial<ModelRef>): ModelRef => ({
  id: nextId++, workId: 7, workSource: 'liblib', modelName: 'x', modelUrl: null, externalModelId: null, ...fields,
});

describe('linking work references to LoRAs', () => {
  it('normalizes names: case, width, punctuation, spaces, the Liblib version suffix, a file extension', () => {
    expect(normalizeModelName('F.1-概念车渲染 Concept Car Render · v1.0')).toBe('f1概念车渲染conceptcarrender');
    expect(normalizeModelName('ＩＮＫ_Landscape-flux.safetensors')).toBe('inklandscapeflux');
    expect(modelScopeIdIn('https://www.modelscope.cn/models/inkbrush/Ink-Landscape-FLUX/summary')).toBe('inkbrush/ink-landscape-flux');
    expect(modelScopeIdIn('modelscope://inkbrush/Ink-Landscape-FLUX?revision=v1')).toBe('inkbrush/ink-landscape-flux');
    expect(modelScopeIdIn('https://civitai.com/models/1')).toBeNull();
  });

  it('links by id, then file hash, then name, and says which', () => {
    expect(matcher.match(ref({ modelUrl: 'https://modelscope.cn/models/inkbrush/Ink-Landscape-FLUX' }))).toMatchObject({ loraId: 1, method: 'id', matched: 'inkbrush/Ink-Landscape-FLUX' });
    expect(matcher.match(ref({ externalModelId: 'InkBrush/Ink-Landscape-FLUX' }))).toMatchObject({ loraId: 1, method: 'id' });
    expect(matcher.match(ref({ externalModelId: sha.slice(0, 10).toUpperCase(), workSource: 'civitai' }))).toMatchObject({ loraId: 1, method: 'hash', matched: sha.slice(0, 10), workSource: 'civitai' });
    expect(matcher.match(ref({ externalModelId: sha }))).toMatchObject({ loraId: 1, method: 'hash', matched: sha });
    expect(matcher.match(ref({ modelName: 'F.1-概念车渲染 Concept Car Render · v1.0', externalModelId: 'liblib-version-uuid' }))).toMatchObject({
      loraId: 2, method: 'name', matched: 'f1概念车渲染conceptcarrender',
    });
    expect(matcher.match(ref({ modelName: 'Ink Landscape FLUX' }))).toMatchObject({ loraId: 1, method: 'name' });
    expect(matcher.match(ref({ modelName: 'ink_landscape_v2' }))).toMatchObject({ loraId: 1, method: 'name' });
    expect(matcher.match(ref({ modelName: '墨韵山水 · 极速者' }))).toMatchObject({ loraId: 1, method: 'name' });
  });

  it('leaves ambiguous names, short names and near misses unlinked', () => {
    expect(matcher.match(ref({ modelName: '胶片质感人像' }))).toBe('ambiguous');
    expect(new LoraMatcher([candidateFor({ id: 9, externalId: 'o/abc' }, { ...sampleLora('o/abc'), title_cn: '山水' })]).match(ref({ modelName: '山水' }))).toBeNull();
    expect(matcher.match(ref({ modelName: '概念车渲染 Concept Car Render XL · v3' }))).toBeNull();
    expect(matcher.match(ref({ externalModelId: '0123456789' }))).toBeNull();
  });
});
