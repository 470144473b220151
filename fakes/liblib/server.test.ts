import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCatalogue, OTHER_TAG_IDS, serializeCatalogue, TAG_AUTOMOTIVE, type FakeImage, type FakeWork } from './catalogue.ts';
import { sniffImageFormat } from './images.ts';
import { LIBLIB_CODES } from './payloads.ts';
import { DEFAULT_NULL_PAGES, listPageAction, SORT_HOT, SORT_LATEST, startFakeLiblib, type FakeLiblib } from './server.ts';

interface Raw {
  status: number;
  headers: Headers;
  text: string;
}

async function post(url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Raw> {
  const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

interface ListData {
  page: number;
  total: number;
  pageSize: number;
  data: Record<string, unknown>[] | null;
  hasMore: boolean;
  abtest: unknown;
  traceId: string;
}

/** Pages through the list the way listPageAction says a client should. */
async function crawlList(fake: FakeLiblib, body: Record<string, unknown>): Promise<{ uuids: string[]; requests: number; nullPages: number }> {
  const uuids: string[] = [];
  let page = 1;
  let retries = 0;
  let requests = 0;
  let nullPages = 0;
  for (;;) {
    const res = await post(`${fake.urls.search}?timestamp=${Date.now()}`, { ...body, page });
    requests++;
    expect(res.status).toBe(200);
    const env = JSON.parse(res.text) as { code: number; data: ListData };
    expect(env.code).toBe(0);
    if (env.data.data === null) nullPages++;
    for (const item of env.data.data ?? []) uuids.push(item.uuid as string);
    const action = listPageAction(env.data, retries);
    if (action === 'stop') break;
    if (action === 'retry') {
      retries++;
      continue;
    }
    retries = 0;
    page++;
    if (requests > 500) throw new Error('runaway pagination');
  }
  return { uuids, requests, nullPages };
}

let fake: FakeLiblib;

beforeAll(async () => {
  fake = await startFakeLiblib({ seed: 'test' });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.setFaults({});
  fake.setNullPages(DEFAULT_NULL_PAGES);
  fake.clearRequests();
});

describe('catalogue', () => {
  // No wall-clock bound here: on a shared machine it fails by load, not by code (speed belongs in bench/).
  it('is deterministic: same seed → same JSON, other seed → other JSON', () => {
    const a = createCatalogue({ seed: 42 });
    const b = createCatalogue({ seed: 42 });
    const c = createCatalogue({ seed: 43 });
    expect(serializeCatalogue(a)).toBe(serializeCatalogue(b));
    expect(serializeCatalogue(a)).not.toBe(serializeCatalogue(c));
    a.addWorks(7);
    b.addWorks(7);
    expect(serializeCatalogue(a)).toBe(serializeCatalogue(b));
  });

  it('has ≥ 1,200 works in 汽车交通, a few in other tags, 1–6 images each, ~80 authors, checkpoints and LoRAs', () => {
    const cat = fake.catalogue;
    const auto = cat.newestFirst(TAG_AUTOMOTIVE);
    expect(auto.length).toBeGreaterThanOrEqual(1200);
    const others = cat.works.filter((w) => !w.tags.some((t) => t.id === TAG_AUTOMOTIVE));
    expect(others.length).toBeGreaterThan(0);
    for (const w of others) expect(w.tags.some((t) => OTHER_TAG_IDS.includes(t.id))).toBe(true);
    for (const w of cat.works) {
      expect(w.images.length).toBeGreaterThanOrEqual(1);
      expect(w.images.length).toBeLessThanOrEqual(6);
    }
    expect(new Set(cat.works.map((w) => w.author.uuid)).size).toBeGreaterThan(60);
    expect(cat.authors.length).toBe(80);
    expect(cat.checkpoints.every((m) => m.modelType === 1 && m.modelTypeLable === 'Checkpoint')).toBe(true);
    expect(cat.loras.every((m) => m.modelType === 5 && m.modelTypeLable === 'LORA')).toBe(true);
    // Titles and prompts: Chinese with English mixed in.
    expect(cat.works.some((w) => /[\u4e00-\u9fff]/.test(w.gen.prompt) && /[a-z]{3,}/.test(w.gen.prompt))).toBe(true);
    expect(cat.works.some((w) => w.title === '')).toBe(true);
    // Some ids and seeds beyond 2^53; some images shared between works.
    const images = cat.works.flatMap((w) => w.images);
    expect(images.some((i) => i.id > 2n ** 53n)).toBe(true);
    expect(images.some((i) => i.id < 2n ** 53n)).toBe(true);
    expect(images.some((i) => BigInt(i.seed) > 2n ** 53n)).toBe(true);
    expect(images.some((i) => i.sharedFrom?.mode === 'url')).toBe(true);
    expect(images.some((i) => i.sharedFrom?.mode === 'bytes')).toBe(true);
    // createTime strictly decreasing in the newest-first order.
    for (let i = 1; i < auto.length; i++) expect(auto[i - 1]!.createTime).toBeGreaterThanOrEqual(auto[i]!.createTime);
  });
});

describe('list: POST /api/www/img/group/search', () => {
  it('pages newest-first to the end, yielding every 汽车交通 work exactly once (null pages retried)', async () => {
    const { uuids, nullPages } = await crawlList(fake, { tagId: TAG_AUTOMOTIVE, pageSize: 30, sort: SORT_LATEST, cid: '', requestId: '' });
    const expected = fake.catalogue.newestFirst(TAG_AUTOMOTIVE).map((w) => w.uuid);
    expect(uuids).toEqual(expected);
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(nullPages).toBe(Math.floor(Math.ceil(expected.length / 30) / DEFAULT_NULL_PAGES.every));
    expect(fake.requests.filter((r) => r.quirk === 'null-page').length).toBe(nullPages);
  });

  it('pages the hot order (sort 0) to the end with every work once', async () => {
    fake.setNullPages(false);
    const { uuids, nullPages } = await crawlList(fake, { tagId: TAG_AUTOMOTIVE, pageSize: 50, sort: SORT_HOT });
    expect(nullPages).toBe(0);
    expect(new Set(uuids)).toEqual(new Set(fake.catalogue.newestFirst(TAG_AUTOMOTIVE).map((w) => w.uuid)));
    expect(uuids.length).toBe(fake.catalogue.newestFirst(TAG_AUTOMOTIVE).length);
  });

  it('speaks the envelope: total unreliable (0), traceId, abtest string or array, tagsLabel joined with "，"', async () => {
    const r1 = JSON.parse((await post(fake.urls.search, { tagId: TAG_AUTOMOTIVE, page: 1, pageSize: 30, sort: SORT_LATEST })).text);
    const r2 = JSON.parse((await post(fake.urls.search, { tagId: TAG_AUTOMOTIVE, page: 2, pageSize: 30, sort: SORT_LATEST })).text);
    expect(r1).toMatchObject({ code: 0, msg: null, data: { page: 1, total: 0, pageSize: 30, hasMore: true, userIp: '', rankExpId: '' } });
    expect(Array.isArray(r1.data.abtest)).toBe(true);
    expect(r2.data.abtest).toBe('list2');
    expect(r1.data.traceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    const item = r1.data.data[0];
    expect(item.uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(item.tagsId).toContain(TAG_AUTOMOTIVE);
    expect(item.tagsLabel.split('，')).toContain('汽车交通');
    expect(item.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+00:00$/);
    expect(item.recommendOtherRes).toMatchObject({ item_uuid: item.uuid, item_type: '2' });
    const all = r1.data.data.concat(r2.data.data);
    expect(all.some((i: { likeCount: unknown }) => i.likeCount === null) || all.every((i: { likeCount: unknown }) => typeof i.likeCount === 'number')).toBe(true);
  });

  it('returns an empty page for an unknown tagId, and the unfiltered feed for tagId null', async () => {
    const unknown = JSON.parse((await post(fake.urls.search, { tagId: 999999, page: 1, pageSize: 30, sort: 0 })).text);
    expect(unknown.code).toBe(0);
    expect(unknown.data.data).toEqual([]);
    expect(unknown.data.hasMore).toBe(false);
    const all = JSON.parse((await post(fake.urls.search, { tagId: null, page: 1, pageSize: 30, sort: 0 })).text);
    expect(all.data.data).toHaveLength(30);
    expect(all.data.total).toBe(30);
  });

  it('emits big ids as bare JSON numbers with > 15 digits', async () => {
    const res = await post(fake.urls.search, { tagId: TAG_AUTOMOTIVE, page: 1, pageSize: 30, sort: SORT_LATEST });
    const m = /"coverId":(\d{16,})[,}]/.exec(res.text);
    expect(m).not.toBeNull();
    const digits = m![1]!;
    const work = fake.catalogue.newestFirst(TAG_AUTOMOTIVE).find((w) => w.images[0]!.id.toString() === digits);
    expect(work).toBeDefined();
    // A plain JSON.parse would lose the exact value.
    expect(BigInt(Math.round(Number(digits)))).not.toBe(BigInt(digits));
    const detail = await post(fake.urls.detail(work!.uuid), { timestamp: Date.now() });
    expect(detail.text).toContain(`"imageId":${digits},`);
    expect(detail.text).toContain(`"coverId":${digits},`);
  });
});

describe('detail: POST /api/www/img/group/get/{uuid}', () => {
  function findWork(pred: (w: FakeWork) => boolean): FakeWork {
    const w = fake.catalogue.works.find(pred);
    if (!w) throw new Error('no such work in the catalogue');
    return w;
  }

  it('returns every documented field; metainformation is a JSON string with string A1111 values and the real seed', async () => {
    const work = findWork((w) => !w.gen.hidden && w.gen.imageSource === 1 && w.gen.loras.length >= 2 && w.images.length >= 2 && BigInt(w.gen.seed) > 2n ** 53n);
    const res = await post(`${fake.urls.detail(work.uuid)}?timestamp=${Date.now()}`, { timestamp: Date.now() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const { code, data } = JSON.parse(res.text);
    expect(code).toBe(0);
    for (const key of ['id', 'uuid', 'title', 'userId', 'modelId', 'coverId', 'coverUrl', 'images', 'imagesV2', 'tags', 'counter', 'createTime', 'auditTime']) {
      expect(data).toHaveProperty(key);
    }
    expect(data.uuid).toBe(work.uuid);
    expect(data.imagesV2).toHaveLength(work.images.length);
    expect(data.tags).toContainEqual(expect.objectContaining({ id: 1773, tagLabel: '汽车交通', parentTag: 0, tagType: 2 }));
    expect(data.counter).toMatchObject({ likeCount: work.likeCount, commentCount: work.comments.length, hitCount: work.hitCount });
    const img = data.images[1];
    expect(img.originalImageUrl).toBe(fake.origin + work.images[1]!.path);
    const gi = img.generateInfo;
    expect(gi.seed).toBe(-1);
    expect(typeof gi.samplingStep).toBe('number');
    expect(typeof gi.metainformation).toBe('string');
    expect(typeof gi.pngInfo).toBe('string');
    const meta = JSON.parse(gi.metainformation) as Record<string, unknown>;
    const a1111 = Object.keys(meta).filter((k) => /^(prompt|Negative prompt|Steps|Sampler|CFG scale|Seed|Size|Model hash|Model|Lora( Hash| Weight)? \d+|Clip skip|Denoising strength)$/.test(k));
    expect(a1111.length).toBeGreaterThanOrEqual(9 + 3 * work.gen.loras.length);
    for (const k of a1111) expect(typeof meta[k]).toBe('string');
    expect(meta.Seed).toBe(work.images[1]!.seed);
    expect(BigInt(meta.Seed as string)).toBeGreaterThan(2n ** 53n);
    expect(meta.Seed).toBe((BigInt(work.gen.seed) + 1n).toString());
    expect(meta.Size).toBe(`${work.gen.width}x${work.gen.height}`);
    expect(meta['Lora 1']).toBe(work.gen.loras[0]!.model.modelName);
    expect(meta.seed).toBe(-1);
    const png = JSON.parse(gi.pngInfo);
    expect(png.checkpointId).toBe(work.gen.checkpoint.versionId);
    const models = img.models as { modelType: number; modelTypeLable: string; imageId: unknown; weight: number | null }[];
    expect(models[0]).toMatchObject({ modelType: 1, modelTypeLable: 'Checkpoint', weight: null });
    expect(models.slice(1).every((m) => m.modelType === 5 && m.modelTypeLable === 'LORA' && typeof m.weight === 'number')).toBe(true);
  });

  it('answers an unknown uuid with HTTP 200, a non-zero code and data null', async () => {
    const res = await post(fake.urls.detail('0'.repeat(32)), { timestamp: 1 });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ code: LIBLIB_CODES.workNotFound, msg: expect.any(String), data: null });
  });

  it('checks requests like a real site: 415 without a JSON content-type, 400 for malformed JSON, 405 for GET', async () => {
    const uuid = fake.catalogue.works[0]!.uuid;
    expect((await post(fake.urls.search, '{"page":1}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(fake.urls.search, '{"page":1,', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post(fake.urls.search, '', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post(fake.urls.search, { page: 'abc' })).status).toBe(400);
    expect((await post(fake.urls.search, [1, 2])).status).toBe(400);
    expect((await post(fake.urls.detail(uuid), '{"timestamp":', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post(fake.urls.detail(uuid), '', {})).status).toBe(200);
    const get = await fetch(fake.urls.detail(uuid));
    expect(get.status).toBe(405);
    const err = JSON.parse(await get.text());
    expect(err).toMatchObject({ status: 405, error: 'Method Not Allowed' });
  });
});

describe('author and comments (unverified contracts)', () => {
  it('author: {code:0, data:{uuid, nickname, avatar, profileUrl, workCount, …}}; unknown → non-zero code', async () => {
    const work = fake.catalogue.works[10]!;
    const res = JSON.parse((await post(fake.urls.author(work.author.uuid), { timestamp: 1 })).text);
    expect(res.code).toBe(0);
    expect(res.data).toMatchObject({ uuid: work.author.uuid, nickname: work.author.nickname, avatar: fake.origin + work.author.avatarPath });
    expect(res.data.workCount).toBeGreaterThanOrEqual(1);
    const page = await fetch(res.data.profileUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(work.author.nickname);
    const avatar = await fetch(res.data.avatar);
    expect(avatar.status).toBe(work.author.avatarDead ? 404 : 200);
    // Some authors' avatars are dead (404 forever) while their payloads still name them.
    const deadAvatar = fake.catalogue.authors.find((a) => a.avatarDead);
    expect(deadAvatar).toBeDefined();
    expect((await fetch(fake.origin + deadAvatar!.avatarPath)).status).toBe(404);
    const unknown = JSON.parse((await post(fake.urls.author('f'.repeat(32)), {})).text);
    expect(unknown.code).toBe(LIBLIB_CODES.userNotFound);
    expect(unknown.data).toBeNull();
  });

  it('comments: {code:0, data:{list, hasMore}} by workId (number or uuid), paged', async () => {
    const work = fake.catalogue.works.find((w) => w.comments.length >= 5)!;
    const p1 = JSON.parse((await post(fake.urls.comments, { workId: work.id, page: 1, pageSize: 3, sortType: 'new' })).text);
    expect(p1.code).toBe(0);
    expect(p1.data.list).toHaveLength(3);
    expect(p1.data.hasMore).toBe(true);
    expect(p1.data.list[0]).toMatchObject({ content: expect.any(String), nickname: expect.any(String), userUuid: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const p2 = JSON.parse((await post(fake.urls.comments, { uuid: work.uuid, page: 2, pageSize: 3 })).text);
    expect(p1.data.list.length + p2.data.list.length).toBe(Math.min(6, work.comments.length));
    expect(p2.data.hasMore).toBe(work.comments.length > 6);
    const none = JSON.parse((await post(fake.urls.comments, { workId: 'ffffffffffffffffffffffffffffffff', page: 1, pageSize: 10 })).text);
    expect(none.data).toMatchObject({ list: [], hasMore: false });
    expect((await post(fake.urls.comments, { page: 1 })).status).toBe(400);
  });
});

describe('images', () => {
  async function get(url: string): Promise<{ status: number; type: string | null; length: string | null; bytes: Buffer }> {
    const res = await fetch(url);
    return { status: res.status, type: res.headers.get('content-type'), length: res.headers.get('content-length'), bytes: Buffer.from(await res.arrayBuffer()) };
  }

  it('decode with sharp, and magic bytes match the Content-Type even when the URL extension lies', async () => {
    const images = fake.catalogue.works.flatMap((w) => w.images).filter((i) => !i.dead);
    const ext = (i: FakeImage): string => i.path.split('.').pop()!;
    const picks = [
      images.find((i) => i.content.format === 'png' && ext(i) === 'png'),
      images.find((i) => i.content.format === 'jpeg' && ext(i) === 'png'),
      images.find((i) => i.content.format === 'webp'),
      images.find((i) => i.content.format === 'png' && ext(i) !== 'png'),
    ];
    const urls = picks.map((i) => fake.origin + i!.path);
    urls.push(fake.origin + fake.catalogue.servedImages().find((s) => s.content.format === 'gif')!.path);
    urls.push(fake.origin + fake.catalogue.servedImages().find((s) => s.path.startsWith('/qlogo/'))!.path);
    const seen = new Set<string>();
    for (const url of urls) {
      const r = await get(url);
      expect(r.status).toBe(200);
      expect(Number(r.length)).toBe(r.bytes.length);
      const sniffed = sniffImageFormat(r.bytes);
      expect(sniffed).not.toBeNull();
      expect(r.type).toBe(`image/${sniffed}`);
      const meta = await sharp(r.bytes).metadata();
      expect(meta.format === 'jpeg' ? 'jpeg' : meta.format).toBe(sniffed);
      seen.add(sniffed!);
    }
    expect(seen).toEqual(new Set(['png', 'jpeg', 'webp', 'gif']));
    // The payload's width/height are the pixel size of the bytes.
    const img = picks[0]!;
    const pngBytes = (await get(fake.origin + img.path)).bytes;
    const meta = await sharp(pngBytes).metadata();
    expect([meta.width, meta.height]).toEqual([img.width, img.height]);
    // Work PNGs carry WebUI's "parameters" text chunk (iTXt, UTF-8) with the seed.
    const withParams = images.find((i) => i.content.format === 'png' && i.content.parameters && !i.sharedFrom)!;
    const text = (await get(fake.origin + withParams.path)).bytes.toString('utf8');
    expect(text).toContain('iTXtparameters');
    expect(text).toContain(`Seed: ${withParams.seed},`);
    // Deterministic bytes: a second fetch (cached) and a fresh server agree.
    const other = await startFakeLiblib({ seed: 'test' });
    try {
      const a = await get(fake.origin + img.path);
      const b = await get(other.origin + img.path);
      expect(createHash('sha256').update(a.bytes).digest('hex')).toBe(createHash('sha256').update(b.bytes).digest('hex'));
    } finally {
      await other.close();
    }
  });

  it('supports x-oss-process resize/format', async () => {
    const img = fake.catalogue.works.flatMap((w) => w.images).find((i) => !i.dead && i.content.format === 'png')!;
    const r = await get(`${fake.origin}${img.path}?x-oss-process=image/resize,w_32/format,webp/quality,q_70`);
    expect(r.type).toBe('image/webp');
    expect(sniffImageFormat(r.bytes)).toBe('webp');
    expect((await sharp(r.bytes).metadata()).width).toBe(32);
  });

  it('shares bytes between works (same URL, or same bytes at another URL)', async () => {
    const images = fake.catalogue.works.flatMap((w) => w.images);
    const byBytes = images.find((i) => i.sharedFrom?.mode === 'bytes')!;
    const source = fake.catalogue.workByUuid(byBytes.sharedFrom!.workUuid)!.images.find((i) => i.content === byBytes.content)!;
    expect(source.path).not.toBe(byBytes.path);
    const a = await get(fake.origin + source.path);
    const b = await get(fake.origin + byBytes.path);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    const byUrl = images.find((i) => i.sharedFrom?.mode === 'url')!;
    expect(images.filter((i) => i.path === byUrl.path).length).toBeGreaterThanOrEqual(2);
  });

  it('serves permanently dead images as 404, every time', async () => {
    const dead = fake.deadImageUrls();
    expect(dead.length).toBeGreaterThan(0);
    const live = new Set(fake.liveImageUrls());
    for (const url of dead.slice(0, 4)) {
      expect(live.has(url)).toBe(false);
      expect((await get(url)).status).toBe(404);
      expect((await get(url)).status).toBe(404);
    }
    expect((await get(`${fake.origin}/img/nope/nope.png`)).status).toBe(404);
  });
});

describe('faults', () => {
  async function authorStatuses(n: number, uuid: string): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await post(fake.urls.author(uuid), {})).status);
    return out;
  }

  it('fire at the configured rates, deterministically per seed, and are recorded in the log', async () => {
    const uuid = fake.catalogue.authors[0]!.uuid;
    const config = { seed: 7, author: { rate5xx: 0.2, rate429: 0.1, retryAfterSeconds: 2 } };
    fake.setFaults(config);
    const statuses = await authorStatuses(400, uuid);
    const n5xx = statuses.filter((s) => s >= 500).length;
    const n429 = statuses.filter((s) => s === 429).length;
    expect(n5xx / 400).toBeGreaterThan(0.14);
    expect(n5xx / 400).toBeLessThan(0.26);
    expect(n429 / 400).toBeGreaterThan(0.06);
    expect(n429 / 400).toBeLessThan(0.14);
    const faulted = fake.requests.filter((r) => r.fault !== null);
    expect(faulted.length).toBe(n5xx + n429);
    expect(faulted.every((r) => r.status === Number(r.fault!.slice(0, 3)))).toBe(true);
    fake.setFaults(config);
    expect(await authorStatuses(400, uuid)).toEqual(statuses);
  });

  it('429 carries Retry-After in seconds or as an HTTP-date; schedules apply in order', async () => {
    fake.setFaults({ detail: { schedule: ['429', '429-date', '503', 'ok'], retryAfterSeconds: 3 } });
    const uuid = fake.catalogue.works[0]!.uuid;
    const r1 = await post(fake.urls.detail(uuid), {});
    const r2 = await post(fake.urls.detail(uuid), {});
    const r3 = await post(fake.urls.detail(uuid), {});
    const r4 = await post(fake.urls.detail(uuid), {});
    expect([r1.status, r2.status, r3.status, r4.status]).toEqual([429, 429, 503, 200]);
    expect(r1.headers.get('retry-after')).toBe('3');
    const date = Date.parse(r2.headers.get('retry-after')!);
    expect(date).toBeGreaterThan(Date.now() + 1000);
    expect(r3.headers.get('content-type')).toMatch(/text\/html/);
    expect(fake.requests.map((r) => r.fault)).toEqual(['429', '429-date', '503', null]);
  });

  it('resets connections, truncates JSON, serves HTML pages with 200 and 502', async () => {
    const uuid = fake.catalogue.works[0]!.uuid;
    fake.setFaults({ detail: { schedule: ['reset', 'truncate', 'html200', 'html502'] } });
    await expect(fetch(fake.urls.detail(uuid), { method: 'POST' })).rejects.toThrow();
    const truncated = await post(fake.urls.detail(uuid), {});
    expect(truncated.status).toBe(200);
    expect(() => JSON.parse(truncated.text)).toThrow();
    const html = await post(fake.urls.detail(uuid), {});
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain('<html');
    const bad = await post(fake.urls.detail(uuid), {});
    expect(bad.status).toBe(502);
    expect(fake.requests.map((r) => r.fault)).toEqual(['reset', 'truncate', 'html200', 'html502']);
    expect(fake.requests[0]!.status).toBeNull();
  });

  it('truncates image bodies mid-transfer', async () => {
    const img = fake.liveImageUrls()[0]!;
    fake.setFaults({ image: { schedule: ['truncate'] } });
    await expect(fetch(img).then((r) => r.arrayBuffer())).rejects.toThrow();
    expect((await fetch(img)).status).toBe(200);
  });

  it('drifts the schema for configured uuids, and fails configured uuids permanently', async () => {
    const [a, b, c] = fake.catalogue.works.filter((w) => !w.gen.hidden);
    fake.setFaults({ drift: { [a!.uuid]: 'samplingStepString', [b!.uuid]: ['imagesMissing', 'coverIdString'] }, failing: { uuids: [c!.uuid] } });
    const da = JSON.parse((await post(fake.urls.detail(a!.uuid), {})).text).data;
    expect(typeof da.images[0].generateInfo.samplingStep).toBe('string');
    const db = JSON.parse((await post(fake.urls.detail(b!.uuid), {})).text).data;
    expect(db.images).toBeUndefined();
    expect(typeof db.coverId).toBe('string');
    for (let i = 0; i < 3; i++) expect((await post(fake.urls.detail(c!.uuid), {})).status).toBe(500);
    expect((await post(fake.urls.comments, { workId: c!.uuid, page: 1, pageSize: 5 })).status).toBe(500);
    expect(fake.requests.map((r) => r.fault)).toEqual(['drift:samplingStepString', 'drift:imagesMissing,coverIdString', 'failing', 'failing', 'failing', 'failing']);
  });

  it('records times, latency and in-flight counts in the request log', async () => {
    fake.setFaults({ detail: { latencyMs: 150, jitterMs: 20 } });
    const uuids = fake.catalogue.works.slice(0, 8).map((w) => w.uuid);
    const t0 = performance.now();
    await Promise.all(uuids.map((u) => post(`${fake.urls.detail(u)}?timestamp=123`, { timestamp: 123 })));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150);
    expect(fake.requests).toHaveLength(8);
    expect(fake.maxInFlight('detail')).toBe(8);
    expect(fake.maxInFlight()).toBe(8);
    expect(fake.maxInFlight('list')).toBe(0);
    expect(fake.inFlight()).toBe(0);
    expect(Math.max(...fake.requests.map((r) => r.inFlightAtStart))).toBe(8);
    for (const r of fake.requests) {
      expect(r).toMatchObject({ method: 'POST', kind: 'detail', status: 200, query: { timestamp: '123' }, body: { timestamp: 123 }, aborted: false });
      expect(r.latencyMs).toBeGreaterThanOrEqual(150);
      expect(r.endTime! - r.time).toBeGreaterThanOrEqual(149);
      expect(r.wallTime).toBeGreaterThan(0);
    }
  });
});

describe('lifecycle', () => {
  it('addWorks makes the new works appear first in the newest-first listing', async () => {
    const own = await startFakeLiblib({ seed: 'add', works: 100, otherWorks: 4 });
    try {
      const before = own.catalogue.newestFirst(TAG_AUTOMOTIVE).length;
      const added = own.addWorks(12);
      expect(added).toHaveLength(12);
      const res = JSON.parse((await post(own.urls.search, { tagId: TAG_AUTOMOTIVE, page: 1, pageSize: 30, sort: SORT_LATEST })).text);
      const first12 = (res.data.data as { uuid: string }[]).slice(0, 12).map((i) => i.uuid);
      expect(new Set(first12)).toEqual(new Set(added.map((w) => w.uuid)));
      expect(first12[0]).toBe(added[added.length - 1]!.uuid);
      expect(own.catalogue.newestFirst(TAG_AUTOMOTIVE).length).toBe(before + 12);
      const detail = JSON.parse((await post(own.urls.detail(added[0]!.uuid), {})).text);
      expect(detail.code).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('close() ends hanging requests', async () => {
    const own = await startFakeLiblib({ seed: 'hang', works: 20, otherWorks: 0, faults: { detail: { hangRate: 1 } } });
    const uuid = own.catalogue.works[0]!.uuid;
    const pending = fetch(own.urls.detail(uuid), { method: 'POST' }).then(
      () => 'resolved',
      () => 'rejected',
    );
    while (own.inFlight('detail') === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect(own.requests[0]!.fault).toBe('hang');
    const t0 = performance.now();
    await own.close();
    expect(await pending).toBe('rejected');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(own.requests[0]!.aborted).toBe(true);
    expect(own.requests[0]!.status).toBeNull();
  });
});
