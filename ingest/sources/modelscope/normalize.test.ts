import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../src/core/errors.ts';
import { inspectCommand } from '../../commands/inspect.ts';
import { coverUrlOf, epochToIso, normalizeModelsPage, type TopLora } from './normalize.ts';
import { modelItemSchema } from './schemas.ts';
import { keysDeep } from './test-helpers.ts';

const fixtureFile = path.join(import.meta.dirname, 'fixtures', 'models-page.json');
const fixture = () => JSON.parse(fs.readFileSync(fixtureFile, 'utf8')) as { Data: { Model: { Models: Record<string, unknown>[] } } } & Record<string, unknown>;

function okPage(payload: unknown, task = 'text-to-image-synthesis') {
  const page = normalizeModelsPage(payload, task);
  if (!page.ok) throw new Error(`refused: ${page.message}`);
  return page;
}

describe('ModelScope normalize', () => {
  it('maps a real-shaped item to the seed record: id, titles, cover, counts, ISO UTC time from Unix seconds', () => {
    const page = okPage(fixture());
    const [first, second] = page.records as [TopLora, TopLora];
    expect(first).toEqual({
      id: 'DiffSynth-Studio/Qwen-Image-Edit-F2P',
      title_cn: 'Qwen-Image-Edit-F2P 人脸生成图像',
      title_en: 'Qwen-Image-Edit-F2P',
      cover_url: 'https://resouces.modelscope.cn/cover-images/60690951-d47a-48c6-aee8-c6f845de2c75.jpg',
      cover_local: null,
      downloads: 2038,
      modelscope_url: 'https://www.modelscope.cn/models/DiffSynth-Studio/Qwen-Image-Edit-F2P',
      updated_at: '2025-10-17T10:14:57.000Z',
      author: 'Artiprocher',
      avatar: 'https://resouces.modelscope.cn/avatar/54ebab57-445d-4525-b466-c94af58a899f.png',
      user_name: 'DiffSynth-Studio',
      likes: 55,
      license: 'Apache License 2.0',
      tags_cn: ['写实摄影', '人物加强'],
      tags_en: ['Photography', 'Character Enhancement'],
      base_models: ['Qwen/Qwen-Image-Edit'],
      trigger_words: ['摄影'],
      vision_foundation: 'QWEN_IMAGE_20_B',
      task: 'text-to-image-synthesis',
      supports_inference: true,
      model_files: [{ name: 'model.safetensors', sha256: '3eaec9705c770f3453a802ff317f5095c806cc27b069b760015f71bd26179f2e', size: 472047152 }],
    });
    // MuseInfo null, AigcType "", no Chinese name, no LastUpdatedTime: fall back field by field.
    expect(second).toMatchObject({
      id: 'inkbrush/Ink-Landscape-FLUX',
      title_cn: 'Ink-Landscape-FLUX',
      title_en: 'Ink-Landscape-FLUX',
      cover_url: null,
      updated_at: new Date(1757057547 * 1000).toISOString(),
      user_name: '墨客',
      license: null,
      tags_en: ['style'],
      trigger_words: [],
      vision_foundation: null,
      supports_inference: false,
      model_files: [],
    });
  });

  it('never keeps AigcAttributes or any raw blob', () => {
    const page = okPage(fixture());
    expect(keysDeep(page.records).filter((k) => /aigc|muse|raw/i.test(k))).toEqual([]);
    expect(JSON.stringify(page.records)).not.toContain('OfficialTags');
  });

  it('skips malformed items with their JSON paths, keeps the rest', () => {
    const page = okPage(fixture());
    expect(page.itemCount).toBe(4);
    expect(page.totalCount).toBe(39692);
    expect(page.records.map((r) => r.id)).toEqual(['DiffSynth-Studio/Qwen-Image-Edit-F2P', 'inkbrush/Ink-Landscape-FLUX']);
    expect(page.skipped.map((s) => [s.index, s.id, s.reason, s.issues.map((i) => i.path)])).toEqual([
      [2, 'KookYan/Kook_Qwen_JIZHIZHENSHI', 'malformed', ['Data.Model.Models[2].Downloads']],
      [3, null, 'malformed', ['Data.Model.Models[3].Path', 'Data.Model.Models[3].Name', 'Data.Model.Models[3].Tags']],
    ]);
  });

  it('leaves out checkpoints the tag filter let through', () => {
    const payload = fixture();
    payload.Data.Model.Models[0]!.AigcType = 'Checkpoint';
    const page = okPage(payload);
    expect(page.records.map((r) => r.id)).toEqual(['inkbrush/Ink-Landscape-FLUX']);
    expect(page.skipped[0]).toMatchObject({ index: 0, reason: 'not-lora' });
  });

  it('converts times: seconds at the top level, milliseconds in MuseInfo, either guarded by magnitude', () => {
    expect(epochToIso(1760696097, 's')).toBe('2025-10-17T10:14:57.000Z');
    expect(epochToIso(1762255609000, 'ms')).toBe('2025-11-04T11:26:49.000Z');
    expect(epochToIso(1762255609000, 's')).toBe('2025-11-04T11:26:49.000Z');
    expect(epochToIso(0, 's')).toBeNull();
    expect(epochToIso(-62135596800, 's')).toBeNull();
    const payload = fixture();
    delete payload.Data.Model.Models[0]!.LastUpdatedTime;
    expect(okPage(payload).records[0]!.updated_at).toBe('2025-11-04T11:26:49.000Z');
  });

  it('finds covers in MuseInfo versions first, then in top-level CoverImages (strings or {url})', () => {
    const item = modelItemSchema.parse({ Path: 'o', Name: 'n', Downloads: 1, CoverImages: ['not a url', { Url: 'https://x/c.png' }], MuseInfo: { versions: [{ coverImages: [] }, { coverImages: [{ url: '' }] }] } });
    expect(coverUrlOf(item)).toBe('https://x/c.png');
    const muse = modelItemSchema.parse({ Path: 'o', Name: 'n', Downloads: 1, CoverImages: ['https://x/top.png'], MuseInfo: { versions: [{ coverImages: null }, { coverImages: [{ url: 'https://x/muse.jpg' }] }] } });
    expect(coverUrlOf(muse)).toBe('https://x/muse.jpg');
  });

  it('reads trigger words from the version JSON string when the top level has none', () => {
    const payload = fixture();
    const item = payload.Data.Model.Models[0]!;
    item.TriggerWords = null;
    ((item.MuseInfo as { versions: Array<{ modelVersion: Record<string, unknown> }> }).versions[0]!.modelVersion).triggerWords = '["ink wash","水墨"]';
    expect(okPage(payload).records[0]!.trigger_words).toEqual(['ink wash', '水墨']);
  });

  it('reports a drifted envelope as a contract error naming the JSON path', () => {
    const cases: Array<[(p: Record<string, unknown>) => void, string]> = [
      [(p) => { const data = p.Data as Record<string, unknown>; data.ModelList = data.Model; delete data.Model; }, 'Data.Model'],
      [(p) => { ((p.Data as Record<string, unknown>).Model as Record<string, unknown>).Models = {}; }, 'Data.Model.Models'],
      [(p) => { p.Code = '200'; }, 'Code'],
      [(p) => { p.Data = null; }, 'Data'],
    ];
    for (const [drift, jsonPath] of cases) {
      const payload = fixture();
      drift(payload);
      let caught: unknown;
      try {
        normalizeModelsPage(payload, 't');
      } catch (error) {
        caught = error;
      }
      expect(caught, jsonPath).toBeInstanceOf(ContractError);
      expect((caught as ContractError).issues.map((i) => i.path)).toContain(jsonPath);
      expect((caught as ContractError).message).toContain(`${jsonPath}:`);
    }
  });

  it('recognizes the unauthorized envelope and other refusals', () => {
    expect(normalizeModelsPage({ Code: 10010101004, Message: 'get model info failed, err: unauthorized permission', RequestId: '', Success: false }, 't')).toEqual({
      ok: false, code: 10010101004, message: 'get model info failed, err: unauthorized permission', unauthorized: true,
    });
    expect(normalizeModelsPage({ Code: 500, Message: 'busy', Success: false }, 't')).toMatchObject({ ok: false, unauthorized: false });
  });

  it('ingest inspect --source modelscope --endpoint models prints the records and the skipped paths', async () => {
    const lines: string[] = [];
    const run = (file: string) => inspectCommand.run({ flags: { source: 'modelscope', endpoint: 'models', file }, out: (l: string) => lines.push(l) } as never);
    expect(await run(fixtureFile)).toBe(0);
    const printed = JSON.parse(lines.join('\n')) as { results: TopLora[]; skipped: unknown[] };
    expect(printed.results).toHaveLength(2);
    expect(printed.skipped).toHaveLength(2);
    const drifted = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-ms-inspect-')), 'drift.json');
    const payload = fixture();
    payload.Code = '200';
    fs.writeFileSync(drifted, JSON.stringify(payload));
    lines.length = 0;
    expect(await run(drifted)).toBe(1);
    expect(lines.join('\n')).toContain('Code: Invalid input: expected number');
    fs.rmSync(path.dirname(drifted), { recursive: true, force: true });
  });
});
