// Liblib's list modes beyond the category walk, against the offline fake on SQLite (one backend: the walk
// and the ledger are backend-neutral and liblib-crawl.test.ts covers both): 检索 (a keyword search walked
// through the same list walk and ledger), and PNG info (--pnginfo) for works whose detail lacks parameters.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLiblib, type FakeLiblib } from '../../../fakes/liblib/server.ts';
import { loadConfig } from '../../../src/core/env.ts';
import { createLogger } from '../../../src/core/log.ts';
import { BACKENDS, type TestBackend } from '../../testing/backends.ts';
import { runLiblib, type LiblibRunOptions } from './run-liblib.ts';

const TAG = 1773;

function options(crawl: Partial<LiblibRunOptions['crawl']>): LiblibRunOptions {
  return {
    command: 'crawl',
    rps: 200,
    maxAttempts: 3,
    retryBaseMs: 10,
    httpOptions: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 50, headersTimeoutMs: 1500, bodyTimeoutMs: 1500 },
    crawl: {
      category: { name: '汽车交通', tagId: TAG, slug: 'transportation' },
      sort: 'latest', keyword: null, pnginfo: false, mode: 'full', pages: { from: 1, to: null }, pageSize: 4, maxWorks: null,
      incrementalWindow: 30, comments: false, authors: false, concurrency: { list: 1, detail: 4, author: 1, comments: 1, media: 8 },
      ...crawl,
    },
  };
}

describe('Liblib list modes (SQLite + local blobs)', () => {
  let backend: TestBackend | null;
  let fake: FakeLiblib;
  const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-reports-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', REPORTS_DIR: reportsDir, INGEST_THUMBNAIL_WIDTHS: '320' }, reportsDir);
  const log = createLogger(config);
  const run = (o: LiblibRunOptions) =>
    runLiblib({ config: { ...config, ingest: { ...config.ingest, liblibApiBase: fake.apiBaseUrl, liblibBridgeBase: fake.bridgeBaseUrl } }, store: backend!.store, blobs: backend!.blobs, log }, o);

  beforeAll(async () => {
    backend = await BACKENDS[0]!.open();
    fake = await startFakeLiblib({ works: 12, otherWorks: 4, authors: 5, nullPages: false });
  });
  afterAll(async () => {
    await fake?.close();
    await backend?.cleanup();
    fs.rmSync(reportsDir, { recursive: true, force: true });
  });

  it('--keyword walks the search results (检索) through the list walk and ledger, and only them', async () => {
    const keyword = '朋克';
    const matching = fake.catalogue.newestFirst(TAG).filter((w) => w.title.includes(keyword) || w.gen.prompt.includes(keyword) || w.author.nickname.includes(keyword));
    expect(matching.length).toBeGreaterThan(0);
    expect(matching.length).toBeLessThan(fake.catalogue.newestFirst(TAG).length);
    const report = await run(options({ keyword }));
    const works = await backend!.store.works.list({ source: 'liblib', limit: 1000 });
    expect(works.map((w) => w.externalId).sort()).toEqual(matching.map((w) => w.uuid).sort());
    const lists = fake.requests.filter((r) => r.kind === 'list');
    expect(lists.every((r) => (r.body as { keyword?: string }).keyword === keyword)).toBe(true);
    expect(report.ledger.detail).toMatchObject({ done: matching.length, failed: 0 });
    // Its own walk in the ledger: the category walk that follows is not taken for it.
    expect(await backend!.store.ledger.get('liblib', 'list', `full:${TAG}:latest:k=${encodeURIComponent(keyword)}:w${report.runId}:p1`)).toMatchObject({ status: 'done' });
    expect(await backend!.store.ledger.get('liblib', 'list', `full:${TAG}:latest:w${report.runId}:p1`)).toBeNull();
  }, 30_000);

  it('--pnginfo fills the recipe of images whose detail lacks parameters from getPnginfo, marked pnginfo', async () => {
    const added = fake.addWorks(10);
    // A work whose PNGs carry parameters, its detail's generateInfo gone (as for hideGenerateInfo).
    const target = added.find((w) => w.images.length > 0 && w.images.every((i) => i.content.parameters && !i.dead))!;
    expect(target).toBeDefined();
    fake.setFaults({ drift: { [target.uuid]: 'generateInfoNull' } });
    fake.clearRequests();
    await run(options({ mode: 'incremental', pnginfo: true }));
    const work = (await backend!.store.works.findByExternalId('liblib', target.uuid))!;
    expect(work.prompt).toBe(target.gen.prompt.trim());
    const recipes = (await backend!.store.images.listByWork(work.id)).map((i) => i.recipe);
    expect(recipes.map((r) => [r?.origin, r?.seed, r?.steps])).toEqual(target.images.map((i) => ['pnginfo', i.seed, target.gen.steps]));
    // The detail's model references stay, with the hash the text adds.
    expect(recipes[0]!.resources.find((r) => r.type === 'CHECKPOINT')).toMatchObject({ modelName: target.gen.checkpoint.modelName, autoV2: expect.stringMatching(/^[0-9a-f]{10}$/) });
    // Asked only for images lacking parameters: the target's (and any hidden work's), never a complete one.
    const asked = fake.requests.filter((r) => r.kind === 'pnginfo').map((r) => (r.body as { imageUrl: string }).imageUrl);
    expect(asked).toEqual(expect.arrayContaining(target.images.map((i) => fake.origin + i.path)));
    const lacking = new Set(added.filter((w) => w === target || w.gen.hidden).flatMap((w) => w.images.map((i) => fake.origin + i.path)));
    expect(asked.every((url) => lacking.has(url))).toBe(true);
    fake.setFaults({});
  }, 30_000);
});
