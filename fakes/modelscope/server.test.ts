import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { sniffImageFormat } from '../liblib/images.ts';
import { ModelScopeCatalogue, TASKS } from './catalogue.ts';
import { MODELS_PATH, startFakeModelScope, type FakeModelScope } from './server.ts';

const TASK = 'text-to-image-synthesis';
const loraQuery = (extra: Record<string, unknown> = {}) => ({
  PageSize: 10, PageNumber: 1, SortBy: 'DownloadsCount', Target: '', Name: '',
  Criterion: [{ category: 'tags', predicate: 'contains', values: ['lora'] }, { category: 'tasks', predicate: 'contains', values: [TASK] }],
  SingleCriterion: [],
  ...extra,
});

type Envelope = { Code: unknown; Success: boolean; Message: string; Data: { Model: { Models: Array<Record<string, unknown>>; TotalCount: number } } };

let fake: FakeModelScope;
beforeAll(async () => {
  fake = await startFakeModelScope({ protectedCoverRate: 0.2 });
});
afterAll(async () => {
  await fake?.close();
});

async function search(body: unknown, headers: Record<string, string> = {}, method = 'PUT') {
  const response = await fetch(fake.modelsUrl, { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'GET' ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Envelope };
}

describe('fake ModelScope catalogue', () => {
  it('is deterministic per seed, with realistic item variety', () => {
    const a = new ModelScopeCatalogue({ seed: 3 });
    const b = new ModelScopeCatalogue({ seed: 3 });
    expect(JSON.stringify(a.models.map((m) => m.item('o')))).toBe(JSON.stringify(b.models.map((m) => m.item('o'))));
    expect(JSON.stringify(new ModelScopeCatalogue({ seed: 4 }).models.map((m) => m.item('o')))).not.toBe(JSON.stringify(a.models.map((m) => m.item('o'))));
    const items = a.models.map((m) => m.item('http://x'));
    expect(items.some((i) => i.MuseInfo === null && i.AigcType === '')).toBe(true);
    expect(items.some((i) => i.MuseInfo !== null && i.AigcType === 'LoRA')).toBe(true);
    expect(items.some((i) => i.ChineseName === '')).toBe(true);
    expect(items.some((i) => /[\u4e00-\u9fff]/.test(String(i.ChineseName)))).toBe(true);
    expect(items.every((i) => typeof i.AigcAttributes === 'string')).toBe(true);
    expect(items.every((i) => Number.isInteger(i.LastUpdatedTime) && (i.LastUpdatedTime as number) < 1e10)).toBe(true);
    const muse = items.find((i) => i.MuseInfo)!.MuseInfo as { model: { gmtModified: number } };
    expect(muse.model.gmtModified).toBeGreaterThan(1e12);
    expect(a.models.some((m) => m.cover?.dead)).toBe(true);
    expect(a.models.some((m) => !m.isLora)).toBe(true);
    expect(new Set(a.models.map((m) => m.task))).toEqual(new Set(TASKS.map((t) => t.name)));
  });
});

describe('fake ModelScope server', () => {
  it('PUT dolphin/models: LoRAs of the task by downloads, paged, with the contract envelope', async () => {
    const page1 = await search(loraQuery());
    const page2 = await search(loraQuery({ PageNumber: 2 }));
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ Code: 200, Success: true, Message: 'success' });
    expect(page1.body.Data).toHaveProperty('FiledAgg');
    const expected = fake.topLoras(TASK);
    expect(page1.body.Data.Model.TotalCount).toBe(expected.length);
    const ids = [...page1.body.Data.Model.Models, ...page2.body.Data.Model.Models].map((i) => `${i.Path as string}/${i.Name as string}`);
    expect(ids).toEqual(expected.slice(0, 20).map((m) => m.id));
    const downloads = [...page1.body.Data.Model.Models, ...page2.body.Data.Model.Models].map((i) => i.Downloads as number);
    expect(downloads).toEqual([...downloads].sort((x, y) => y - x));
    expect(expected.every((m) => m.isLora && m.task === TASK)).toBe(true);
    const beyond = await search(loraQuery({ PageNumber: 99 }));
    expect(beyond.body.Data.Model.Models).toEqual([]);
  });

  it('answers only PUT, and 400 for a body of the wrong shape', async () => {
    expect((await search(null, {}, 'GET')).status).toBe(404);
    expect((await search(loraQuery(), {}, 'POST')).status).toBe(405);
    expect((await search(loraQuery({ PageSize: 'ten' }))).status).toBe(400);
    expect((await search(loraQuery({ Criterion: 'lora' }))).status).toBe(400);
  });

  it('serves real cover images; dead ones 404, protected ones need the token', async () => {
    const covers = fake.catalogue.models.flatMap((m) => m.covers);
    const live = covers.find((c) => !c.dead && !c.protected && !c.video)!;
    const dead = covers.find((c) => c.dead)!;
    const locked = covers.find((c) => c.protected)!;
    const response = await fetch(fake.origin + live.path);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(sniffImageFormat(bytes)).toBe(live.content.format);
    expect(response.headers.get('content-type')).toBe(`image/${live.content.format}`);
    expect((await sharp(bytes).metadata()).width).toBe(live.content.width);
    expect((await fetch(fake.origin + dead.path)).status).toBe(404);
    expect((await fetch(fake.origin + locked.path)).status).toBe(403);
    expect((await fetch(fake.origin + locked.path, { headers: { authorization: 'Bearer nope' } })).status).toBe(403);
    expect((await fetch(fake.origin + locked.path, { headers: { authorization: `Bearer ${fake.token}` } })).status).toBe(200);
    // An image-to-video LoRA's first cover is a real MP4 under an .mp4 name.
    const clip = fake.catalogue.models.find((m) => m.task === 'image-to-video' && m.covers[0] && !m.covers[0].dead && !m.covers[0].protected)!.covers[0]!;
    expect(clip).toMatchObject({ video: true, path: expect.stringMatching(/\.mp4$/) });
    const video = await fetch(fake.origin + clip.path);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await video.arrayBuffer()).subarray(4, 8).toString('latin1')).toBe('ftyp');
  });

  it('401 mode: the documented unauthorized body, unless the token comes as a bearer or the m_session_id cookie', async () => {
    fake.setAuth('required');
    try {
      const refused = await search(loraQuery());
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ Code: 10010101004, Success: false });
      expect((await search(loraQuery(), { authorization: `Bearer ${fake.token}` })).status).toBe(200);
      expect((await search(loraQuery(), { cookie: `a=b; m_session_id=${fake.token}` })).status).toBe(200);
      expect(fake.requests.slice(-3).map((r) => r.auth)).toEqual(['none', 'valid', 'valid']);
    } finally {
      fake.setAuth('anonymous');
    }
  });

  it('slow mode and scheduled faults', async () => {
    fake.setSlow({ api: 300 });
    const started = performance.now();
    await search(loraQuery());
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    fake.setSlow({});
    fake.setFaults({ list: { schedule: ['500', '429', 'reset'] } });
    expect((await search(loraQuery())).status).toBe(500);
    const limited = await fetch(fake.modelsUrl, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(loraQuery()) });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    await expect(search(loraQuery())).rejects.toThrow();
    fake.setFaults({});
    expect((await search(loraQuery())).status).toBe(200);
  });

  it('drifts the envelope and breaks chosen items on request', async () => {
    const top = fake.topLoras(TASK);
    fake.setMalformed({ [top[0]!.id]: 'downloads-string', [top[1]!.id]: 'path-missing' });
    fake.setEnvelopeDrift('code-string');
    try {
      const body = (await search(loraQuery())).body;
      expect(body.Code).toBe('200');
      expect(typeof body.Data.Model.Models[0]!.Downloads).toBe('string');
      expect(body.Data.Model.Models[1]).not.toHaveProperty('Path');
      expect(fake.requests.at(-1)!.fault).toBe('drift:code-string');
      fake.setEnvelopeDrift('model-renamed');
      expect((await search(loraQuery())).body.Data).toHaveProperty('ModelList');
    } finally {
      fake.setEnvelopeDrift(null);
      fake.setMalformed({});
    }
    expect(MODELS_PATH).toBe('/api/v1/dolphin/models');
  });
});
