import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../src/core/errors.ts';
import { parseJsonLossless } from '../../http/lossless-json.ts';
import { normalizeDetail, normalizeListPage, parseMetainformation, unwrapEnvelope } from './normalize.ts';

const fixture = (name: string) => parseJsonLossless(fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const data = (name: string) => {
  const envelope = unwrapEnvelope(fixture(name), name);
  if (!envelope.ok) throw new Error('fixture envelope not ok');
  return envelope.data;
};

describe('Liblib normalize (fixtures written from docs/upstream.md §3)', () => {
  it('reads a list page, dedupes repeated uuids and keeps the author from the list', () => {
    const page = normalizeListPage(data('list-page.json'));
    expect(page.hasMore).toBe(true);
    expect(page.nullPage).toBe(false);
    expect(page.items.map((i) => i.uuid)).toEqual(['5b7c3f0e9a1d4c2b8e6f0a1b2c3d4e5f', '0a0b0c0d0e0f10111213141516171819']);
    expect(page.items[0]!.author).toEqual({ uuid: '9f8e7d6c5b4a39281706f5e4d3c2b1a0', nickname: '车迷阿明', avatar: 'https://liblibai-online.liblib.cloud/avatar/1.png' });
    expect(page.items[1]!.author?.avatar).toBeNull();
    expect(page.items[0]!.likeCount).toBe(12);
  });

  it('treats data: null with hasMore: true as an empty page, not the end', () => {
    const page = normalizeListPage(data('list-page-null.json'));
    expect(page).toEqual({ items: [], hasMore: true, nullPage: true });
  });

  it('normalizes a detail: real seed from metainformation, big ids exact, models deduped and typed', () => {
    const summary = normalizeListPage(data('list-page.json')).items[0]!;
    const work = normalizeDetail(data('detail.json'), summary);
    expect(work.work).toMatchObject({
      source: 'liblib',
      externalId: '5b7c3f0e9a1d4c2b8e6f0a1b2c3d4e5f',
      slug: '5b7c3f0e9a1d4c2b8e6f0a1b2c3d4e5f',
      title: '雨夜霓虹下的未来跑车',
      prompt: '赛博朋克风格的未来跑车，霓虹灯街道，超高清, 8k, cinematic lighting, concept car',
      negativePrompt: 'lowres, blurry, 模糊',
      sampler: 'DPM++ 2M Karras',
      steps: 30,
      cfgScale: 7.5,
      width: 1024,
      height: 1536,
      seed: '3849201938475610293', // not generateInfo.seed (-1), and beyond 2^53
      likeCount: 13,
      commentCount: 2,
      tags: ['汽车交通', '赛博朋克'],
      sourceUrl: 'https://www.liblib.art/imageinfo/5b7c3f0e9a1d4c2b8e6f0a1b2c3d4e5f',
    });
    expect(work.work.publishedAt?.toISOString()).toBe('2025-08-11T16:36:45.000Z');
    expect(work.author).toMatchObject({ externalId: '9f8e7d6c5b4a39281706f5e4d3c2b1a0', name: '车迷阿明' });
    expect(work.images).toMatchObject([
      { index: 0, srcUrl: 'https://liblibai-online.liblib.cloud/img/0.png', width: 1024, height: 1536 },
      { index: 1, srcUrl: 'https://liblibai-online.liblib.cloud/img/1.png', width: 1024, height: 1536 },
    ]);
    expect(work.models).toEqual([
      { modelType: 'CHECKPOINT', modelName: 'majicMIX realistic 麦橘写实 · v7', modelUrl: 'https://www.liblib.art/modelinfo/ckpt-uuid?versionUuid=ckpt-v7', externalModelId: 'ckpt-v7', isVip: false, baseModel: 'SD 1.5' },
      { modelType: 'LORA', modelName: '未来汽车 Car LoRA', modelUrl: 'https://www.liblib.art/modelinfo/lora-uuid?versionUuid=lora-v1', externalModelId: 'lora-v1', isVip: true, baseModel: 'SD 1.5' },
    ]);
  });

  it('throws a ContractError naming the JSON paths of a drifted detail', () => {
    const drifted = structuredClone(data('detail.json')) as { images: Array<{ generateInfo: { samplingStep: unknown } }>; uuid?: unknown };
    drifted.images[0]!.generateInfo.samplingStep = 'thirty';
    delete drifted.uuid;
    const error = (() => {
      try {
        normalizeDetail(drifted, null);
      } catch (e) {
        return e;
      }
    })() as ContractError;
    expect(error).toBeInstanceOf(ContractError);
    expect(error.issues.map((i) => i.path).sort()).toEqual(['data.images[0].generateInfo.samplingStep', 'data.uuid']);
    expect(error.message).toContain('img/group/get');
  });

  it('throws a ContractError for a list whose items drift, and for a broken envelope', () => {
    expect(() => normalizeListPage({ data: [{ uuid: 42 }], hasMore: true })).toThrow(/data\.data\[0\]\.uuid/);
    expect(() => normalizeListPage({ data: [] })).toThrow(/data\.hasMore/);
    expect(() => unwrapEnvelope('<html>', 'img/group/search')).toThrow(ContractError);
    expect(unwrapEnvelope({ code: 10003, msg: '作品不存在', data: null }, 'img/group/get')).toEqual({ ok: false, code: 10003, message: '作品不存在' });
  });

  it('reads A1111 metainformation leniently', () => {
    expect(parseMetainformation('{"Seed":"42","Steps":30}')).toEqual({ Seed: '42', Steps: '30' });
    expect(parseMetainformation('not json')).toEqual({});
    expect(parseMetainformation('[1,2]')).toEqual({});
    expect(parseMetainformation(null)).toEqual({});
  });
});
