// The fake Civitai speaks docs/upstream.md §1: cursor paging, NSFW masks, meta only with withMeta, the
// page-number cap, 404s, auth, faults and the request log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CivitaiCatalogue } from './catalogue.ts';
import { startFakeCivitai, TOO_MANY_PAGES, type FakeCivitai } from './server.ts';

let fake: FakeCivitai;
beforeAll(async () => {
  fake = await startFakeCivitai();
});
afterAll(() => fake.close());

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(fake.origin + path, { headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body, headers: response.headers };
}

describe('fake Civitai', () => {
  it('is deterministic per seed', () => {
    const a = new CivitaiCatalogue({ seed: 9 });
    const b = new CivitaiCatalogue({ seed: 9 });
    expect(JSON.stringify(a.images, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).toBe(JSON.stringify(b.images, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    expect(a.images.length).toBeGreaterThan(100);
    expect(a.images.some((i) => i.sharedUrl) && a.images.some((i) => i.sharedFrom && !i.sharedUrl) && a.images.some((i) => i.leaks)).toBe(true);
  });

  it('walks every visible image exactly once by cursor, through empty pages, ending without a cursor', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let empties = 0;
    for (let guard = 0; guard < 200; guard++) {
      const { status, body } = await get(`/api/v1/images?limit=9&sort=Newest&nsfw=X${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(status).toBe(200);
      if (body.items.length === 0) empties++;
      seen.push(...body.items.map((i: { id: number }) => i.id));
      if (body.metadata.nextCursor === undefined) break;
      expect(body.metadata.nextPage).toContain(`cursor=${encodeURIComponent(String(body.metadata.nextCursor))}`);
      cursor = String(body.metadata.nextCursor);
    }
    expect(empties).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(fake.catalogue.images.length);
  });

  it('applies NSFW masks (browsingLevel overrides nsfw; default PG only) and leaks a few items anyway', async () => {
    const levels = async (query: string) => (await get(`/api/v1/images?limit=200&${query}`)).body.items.filter((i: { id: number }) => !fake.catalogue.image(i.id)!.leaks).map((i: { browsingLevel: number }) => i.browsingLevel);
    expect(new Set(await levels(''))).toEqual(new Set([1]));
    expect(new Set(await levels('nsfw=Soft'))).toEqual(new Set([1, 2]));
    expect(new Set(await levels('nsfw=true'))).toEqual(new Set([4, 8, 16]));
    expect(new Set(await levels('nsfw=None&browsingLevel=4'))).toEqual(new Set([4]));
    const leaked = (await get('/api/v1/images?limit=200')).body.items.filter((i: { browsingLevel: number }) => i.browsingLevel !== 1);
    expect(leaked.length).toBeGreaterThan(0);
    expect(leaked[0].nsfwLevel).not.toBe('None');
  });

  it('sends meta only with withMeta=true, as {id, meta} on the legacy path unless flatMeta', async () => {
    const image = fake.catalogue.images.find((i) => i.meta && i.browsingLevel === 1 && i.modelId)!;
    expect((await get(`/api/v1/images?imageId=${image.id}`)).body.items[0].meta).toBeNull();
    expect((await get(`/api/v1/images?imageId=${image.id}&withMeta=true`)).body.items[0].meta).toEqual({ id: image.id, meta: expect.objectContaining({ prompt: image.meta!.prompt }) });
    expect((await get(`/api/v1/images?imageId=${image.id}&withMeta=true&flatMeta=true`)).body.items[0].meta).toMatchObject({ prompt: image.meta!.prompt });
    expect((await get(`/api/v1/images?modelVersionId=${image.versionId}&nsfw=X&limit=200&withMeta=true`)).body.items.find((i: { id: number }) => i.id === image.id).meta).toMatchObject({ prompt: image.meta!.prompt });
  });

  it('caps page numbers, refuses bad params and foreign cursors', async () => {
    expect(await get('/api/v1/images?limit=100&page=11')).toMatchObject({ status: 429, body: { error: TOO_MANY_PAGES } });
    const byPage = await get('/api/v1/images?limit=100&page=2&nsfw=X');
    expect(byPage.body.metadata).toMatchObject({ currentPage: 2, pageSize: 100 });
    expect((await get('/api/v1/images?limit=500')).status).toBe(400);
    expect((await get('/api/v1/images?nsfw=Spicy')).body.issues[0].path).toEqual(['nsfw']);
    expect((await get('/api/v1/images?cursor=nope')).status).toBe(400);
    let feed: string | null = null;
    let cursor = '';
    for (let i = 0; i < 6 && !feed; i++) {
      const page = await get(`/api/v1/images?limit=2&sort=Newest${cursor}`);
      const next = String(page.body.metadata.nextCursor);
      if (next.startsWith('feed:')) feed = next;
      cursor = `&cursor=${encodeURIComponent(next)}`;
    }
    expect(feed).not.toBeNull();
    expect((await get(`/api/v1/images?limit=2&sort=Oldest&cursor=${encodeURIComponent(feed!)}`)).body).toEqual({ message: 'This cursor cannot be continued with these filters' });
  });

  it('serves models, versions and image files; unknown ids are 404', async () => {
    const model = fake.catalogue.models[0]!;
    const body = (await get(`/api/v1/models/${model.id}`)).body;
    expect(body).toMatchObject({ id: model.id, name: model.name, type: model.type, creator: { username: model.creator.username } });
    expect(body.modelVersions).toHaveLength(model.versions.length);
    const version = (await get(`/api/v1/model-versions/${model.versions[0]!.id}`)).body;
    expect(version).toMatchObject({ id: model.versions[0]!.id, modelId: model.id, model: { name: model.name } });
    expect(await get('/api/v1/models/1')).toMatchObject({ status: 404, body: { error: 'No model with id 1' } });
    expect((await get('/api/v1/model-versions/1')).status).toBe(404);
    const image = fake.catalogue.images.find((i) => i.type === 'image')!;
    const file = await fetch(fake.imageUrl(image));
    expect(file.headers.get('content-type')).toMatch(/^image\//);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it('checks API keys when configured, records requests, and injects faults', async () => {
    const locked = await startFakeCivitai({ auth: { keys: ['k1'], forbidden: ['k2'], required: true }, faults: { list: { schedule: ['503', '429'] } } });
    try {
      const call = (headers: Record<string, string>) => fetch(`${locked.origin}/api/v1/images`, { headers });
      const busy = await call({ authorization: 'Bearer k1' });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('2');
      expect(await busy.json()).toEqual({ error: 'Server busy, please retry shortly.' });
      expect((await call({ authorization: 'Bearer k1' })).status).toBe(429);
      expect((await call({ authorization: 'Bearer k1' })).status).toBe(200);
      expect((await call({})).status).toBe(401);
      expect((await call({ authorization: 'Bearer zz' })).status).toBe(401);
      expect((await call({ authorization: 'Bearer k2' })).status).toBe(403);
      expect(locked.requests.map((r) => [r.status, r.fault, r.authorization])).toEqual([
        [503, '503', 'Bearer k1'], [429, '429', 'Bearer k1'], [200, null, 'Bearer k1'], [401, null, null], [401, null, 'Bearer zz'], [403, null, 'Bearer k2'],
      ]);
      expect(locked.maxInFlight('images')).toBeGreaterThanOrEqual(1);
    } finally {
      await locked.close();
    }
  });
});
