// The Liblib crawl end to end against the offline fake, on both storage backends.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLiblib, type FakeLiblib } from '../../../fakes/liblib/server.ts';
import { isVideoWork, type FakeWork } from '../../../fakes/liblib/catalogue.ts';
import { previewKey } from '../../../src/core/media/video-derivatives.ts';
import { loadConfig } from '../../../src/core/env.ts';
import { runProgressSchema } from '../../../src/core/progress/run-progress.ts';
import { createLogger } from '../../../src/core/log.ts';
import type { Store } from '../../../src/core/store/store.ts';
import { BACKENDS, type TestBackend } from '../../testing/backends.ts';
import { runLiblib, type LiblibRunOptions } from './run-liblib.ts';

const TAG = 1773;
const RPS = 60;
/** Works in the category: enough pages and requests to hit every fault and the rate limit, few enough to stay quick. */
const WORKS = 60;

export function testRunOptions(overrides: Partial<LiblibRunOptions['crawl']> = {}, command: LiblibRunOptions['command'] = 'crawl'): LiblibRunOptions {
  return {
    command,
    rps: RPS,
    maxAttempts: 6,
    retryBaseMs: 30,
    httpOptions: { maxRetries: 3, baseDelayMs: 20, maxDelayMs: 200, headersTimeoutMs: 1500, bodyTimeoutMs: 1500 },
    crawl: {
      category: { name: '汽车交通', tagId: TAG, slug: 'transportation' },
      sort: 'latest',
      keyword: null,
      mode: 'full',
      pages: { from: 1, to: null },
      pageSize: 30,
      maxWorks: null,
      incrementalWindow: 30,
      comments: false,
      authors: true,
      pnginfo: false,
      concurrency: { list: 2, detail: 5, author: 2, comments: 2, media: 8 },
      ...overrides,
    },
  };
}

/** Requests in the busiest one-second window, measured at the fake. */
export function peakRequestsPerSecond(fake: FakeLiblib): number {
  const times = fake.requests.map((r) => r.time).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

export async function storedState(store: Store) {
  const works = await store.works.list({ source: 'liblib', limit: 100_000 });
  const images = (await Promise.all(works.map((w) => store.images.listByWork(w.id)))).flat();
  return { works, images };
}

for (const backendSpec of BACKENDS) {
  describe(`Liblib crawl against the fake (${backendSpec.name})`, () => {
    let backend: TestBackend | null;
    let fake: FakeLiblib;
    const reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-reports-'));
    const config = loadConfig({ LOG_LEVEL: 'silent', REPORTS_DIR: reportsDir, INGEST_THUMBNAIL_WIDTHS: '320' }, reportsDir);
    const log = createLogger(config);

    beforeAll(async () => {
      backend = await backendSpec.open();
      // A few dead avatars (a stream of their own: the works do not change): the crawl must get past them.
      fake = await startFakeLiblib({ works: WORKS, otherWorks: 10, authors: 20, deadAvatarRate: 0.25 });
    });
    afterAll(async () => {
      await fake?.close();
      await backend?.cleanup();
      fs.rmSync(reportsDir, { recursive: true, force: true });
    });

    const run = (options: LiblibRunOptions) =>
      runLiblib({ config: { ...config, ingest: { ...config.ingest, liblibApiBase: fake.apiBaseUrl } }, store: backend!.store, blobs: backend!.blobs, log }, options);

    it('crawls every work completely through faults, within the politeness limits measured at the server', async (context) => {
      if (!backend) return context.skip();
      fake.setFaults({
        seed: 7,
        all: { latencyMs: 2, jitterMs: 8, rate5xx: 0.04, rate429: 0.01, retryAfterSeconds: 1, retryAfterForm: 'mixed', resetRate: 0.02, truncateRate: 0.02, htmlRate: 0.02 },
        detail: { schedule: ['hang'] },
      });
      const report = await run(testRunOptions());
      const expected = fake.catalogue.newestFirst(TAG);
      expect(expected).toHaveLength(WORKS);
      const { works, images } = await storedState(backend.store);

      // every work, once, with its parameters and images
      expect(works.map((w) => w.externalId).sort()).toEqual(expected.map((w) => w.uuid).sort());
      const byUuid = new Map(works.map((w) => [w.externalId, w]));
      for (const fakeWork of expected) {
        const work = byUuid.get(fakeWork.uuid)!;
        if (!fakeWork.gen.hidden) expect(work.prompt, fakeWork.uuid).toBe(fakeWork.gen.prompt.trim());
        const rows = images.filter((i) => i.workId === work.id);
        expect(rows.map((i) => i.imageIndex)).toEqual(fakeWork.images.map((_, index) => index));
        rows.forEach((row, index) => expect(row.status, `${fakeWork.uuid}:${index}`).toBe(fakeWork.images[index]!.dead ? 'FAILED' : 'OK'));
      }

      // identical content is stored once; every stored object is referenced
      const ok = images.filter((i) => i.status === 'OK');
      const originals = new Set(ok.map((i) => i.blobKey));
      expect(originals.size).toBe(new Set(ok.map((i) => i.contentHash)).size);
      // Every video work serves the same tiny clip: one stored original for all of them.
      const contentOf = (w: FakeWork, i: FakeWork['images'][number]) => (isVideoWork(w) ? 'the fake clip' : i.content.key);
      expect(new Set(fake.catalogue.newestFirst(TAG).flatMap((w) => w.images.filter((i) => !i.dead).map((i) => contentOf(w, i)))).size).toBe(originals.size);
      const keys = await backend.listBlobKeys();
      expect(keys.filter((k) => !/^(thumbs|previews|avatars)\//.test(k)).sort()).toEqual([...originals].sort());
      // A video's preview sits beside its poster thumbnails.
      const videos = ok.filter((i) => i.format === 'mp4');
      expect(videos).toHaveLength(expected.filter(isVideoWork).flatMap((w) => w.images.filter((i) => !i.dead)).length);
      for (const video of videos) expect(keys).toContain(previewKey(video.blobKey!));
      for (const key of originals) expect(key).toMatch(/^liblib\/transportation\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f]{32}\/\d+_[0-9a-f]{16}\.(png|jpg|webp|mp4)$/);
      const head = await backend.blobs.head([...originals][0]!);
      expect(Object.keys(head!.metadata)).toEqual(expect.arrayContaining(['original_url', 'work_slug', 'image_index', 'width', 'height']));

      // avatars: every live one stored once per content (the shared defaults too) with its thumbnails, under
      // /media-able keys; a dead one leaves the author without (the site draws the initial)
      const fakeAuthors = [...new Map(expected.map((w) => [w.author.uuid, w.author])).values()];
      const deadAvatars = fakeAuthors.filter((a) => a.avatarDead);
      expect(deadAvatars.length).toBeGreaterThan(0);
      for (const fakeAuthor of fakeAuthors) {
        const row = await backend.store.authors.findByExternalId('liblib', fakeAuthor.uuid);
        expect(row?.avatarUrl).toBe(fake.origin + fakeAuthor.avatarPath);
        if (fakeAuthor.avatarDead) {
          expect(row!.avatar, fakeAuthor.uuid).toBeNull();
          continue;
        }
        expect(row!.avatar, fakeAuthor.uuid).toMatchObject({ from: row!.avatarUrl, key: expect.stringMatching(/^avatars\/liblib\/[0-9a-f]{16}\.(png|jpg|webp)$/) });
        expect(row!.avatar!.thumbnails.map((t) => t.key)).toEqual([`thumbs/48/${row!.avatar!.key.replace(/\.\w+$/, '')}.webp`, `thumbs/144/${row!.avatar!.key.replace(/\.\w+$/, '')}.webp`]);
        for (const key of [row!.avatar!.key, ...row!.avatar!.thumbnails.map((t) => t.key)]) expect(keys).toContain(key);
      }
      const liveAvatarPaths = new Set(fakeAuthors.filter((a) => !a.avatarDead).map((a) => a.avatarPath));
      expect(keys.filter((k) => k.startsWith('avatars/'))).toHaveLength(liveAvatarPaths.size);
      expect(report.stages.avatar).toMatchObject({ done: fakeAuthors.length - deadAvatars.length, unresolved: deadAvatars.length });

      // the only unresolved units are the fake's permanently dead images and avatars (404: never in the rate)
      const dead = expected.flatMap((w) => w.images.filter((i) => i.dead)).length;
      expect(report.unresolved).toBe(dead + deadAvatars.length);
      expect(report.permanent).toBeGreaterThanOrEqual(deadAvatars.length);
      expect(report.ledger.detail).toEqual({ pending: 0, done: WORKS, failed: 0 });
      expect(report.counters.requests).toBeGreaterThanOrEqual(fake.requests.length - 1);
      expect(report.counters.retries).toBeGreaterThan(0); // the faults really fired
      expect(report.counters.rateLimited).toBeGreaterThan(0);

      // the live progress (what /admin/runs shows) was saved and ends with the run's own figures
      const saved = runProgressSchema.parse((await backend.store.runProgress.get(report.runId))?.progress);
      expect(saved).toMatchObject({ runId: report.runId, source: 'liblib', finished: true, requests: report.counters.requests });
      expect(saved.stages.find((s) => s.name === 'detail')).toMatchObject({ done: WORKS, pending: 0, finished: true });

      // politeness at the server: one host, ≤ RPS per second; stage concurrency never exceeded
      expect(peakRequestsPerSecond(fake)).toBeLessThanOrEqual(RPS + 1);
      expect(fake.maxInFlight('detail')).toBeLessThanOrEqual(5);
      expect(fake.maxInFlight('list')).toBeLessThanOrEqual(2);
      expect(fake.maxInFlight('image')).toBeLessThanOrEqual(8);
    }, 120_000);

    it('reruns without changing anything or asking for known work again', async (context) => {
      if (!backend) return context.skip();
      fake.setFaults({});
      const before = await storedState(backend.store);
      const keysBefore = await backend.listBlobKeys();
      fake.clearRequests();
      await run(testRunOptions());
      const after = await storedState(backend.store);
      expect(after.works.map((w) => [w.id, w.externalId, w.title, w.seed])).toEqual(before.works.map((w) => [w.id, w.externalId, w.title, w.seed]));
      expect(after.images.map((i) => [i.id, i.status, i.blobKey])).toEqual(before.images.map((i) => [i.id, i.status, i.blobKey]));
      expect(await backend.listBlobKeys()).toEqual(keysBefore);
      expect(fake.requests.filter((r) => r.kind === 'detail')).toHaveLength(0);
    }, 60_000);

    it('records a drifted payload as a contract failure, writes no partial row, and compensates after the fix', async (context) => {
      if (!backend) return context.skip();
      const added = fake.addWorks(6);
      fake.setFaults({ drift: { [added[0]!.uuid]: 'samplingStepString', [added[1]!.uuid]: 'imagesMissing' } });
      const report = await run(testRunOptions({ mode: 'incremental' }));
      expect(report.failuresByKind.contract).toBe(2);
      expect(await backend.store.works.findByExternalId('liblib', added[0]!.uuid)).toBeNull();
      expect(await backend.store.works.findByExternalId('liblib', added[1]!.uuid)).toBeNull();
      expect(await backend.store.works.findByExternalId('liblib', added[2]!.uuid)).not.toBeNull();
      const failed = await backend.store.ledger.get('liblib', 'detail', added[0]!.uuid);
      expect(failed).toMatchObject({ status: 'failed', errorKind: 'contract', nextAttemptAt: null });
      expect(failed!.errorMessage).toContain('samplingStep');

      fake.setFaults({}); // upstream fixed (or our schema updated)
      expect(await backend.store.ledger.requeueFailed('liblib', { stage: 'detail' })).toBe(2);
      const retry = await run(testRunOptions({}, 'retry-failed'));
      expect(retry.stages.detail).toMatchObject({ done: 2, unresolved: 0 });
      expect(await backend.store.works.findByExternalId('liblib', added[0]!.uuid)).not.toBeNull();
    });

    it('alerts the webhook and fails the run when too many units fail', async (context) => {
      if (!backend) return context.skip();
      const received: unknown[] = [];
      const webhook = http.createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
        req.on('end', () => { received.push(JSON.parse(body)); res.end('ok'); });
      });
      await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
      try {
        fake.addWorks(4);
        fake.setFaults({ image: { rate5xx: 1 } }); // the image host is down
        const alerting = { ...config, ingest: { ...config.ingest, liblibApiBase: fake.apiBaseUrl, alertWebhookUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`, alertFailureRate: 0.05 } };
        const options = testRunOptions({ mode: 'incremental', maxWorks: 4 });
        const report = await runLiblib({ config: alerting, store: backend.store, blobs: backend.blobs, log }, { ...options, maxAttempts: 2 });
        expect(report.status).toBe('FAILED');
        expect(report.alerted).toBe(true);
        expect(received).toHaveLength(1);
        expect(received[0]).toMatchObject({ type: 'huaku.ingest.failure_rate', source: 'liblib', runId: report.runId, failuresByKind: { http: expect.any(Number) } });
        expect((received[0] as { failureRate: number }).failureRate).toBeGreaterThan(0.05);
        expect((await backend.store.runs.get(report.runId))?.status).toBe('FAILED');
        expect(fs.existsSync(path.join(reportsDir, `${report.runId}.md`))).toBe(true);
        // the failed images wait in the queue; once the host is back, compensation completes them
        fake.setFaults({});
        await backend.store.ledger.requeueFailed('liblib', { stage: 'media' });
        const retry = await run(testRunOptions({}, 'retry-failed'));
        expect(retry.stages.media!.done).toBeGreaterThan(0);
      } finally {
        webhook.close();
      }
    }, 60_000);

    it('in incremental mode fetches only the works added since', async (context) => {
      if (!backend) return context.skip();
      const added = fake.addWorks(12);
      fake.clearRequests();
      const report = await run(testRunOptions({ mode: 'incremental', incrementalWindow: 10 }));
      // which works were asked for (a unit retried after a transient failure may ask twice)
      const details = new Set(fake.requests.filter((r) => r.kind === 'detail').map((r) => decodeURIComponent(r.path.split('/').pop()!)));
      expect([...details].sort()).toEqual(added.map((w) => w.uuid).sort());
      expect(report.counters.pages).toBeLessThanOrEqual(2);
    });
  });
}
