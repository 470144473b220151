// `--catalog`: Civitai images into the Store and BlobStore against the fake, on both storage backends.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBrokenVideo, startFakeCivitai, type FakeCivitai } from '../../../fakes/civitai/server.ts';
import { loadConfig } from '../../../src/core/env.ts';
import { createLogger } from '../../../src/core/log.ts';
import { writeSnapshot } from '../../snapshot/write-snapshot.ts';
import { BACKENDS, type TestBackend } from '../../testing/backends.ts';
import { CivitaiAuthError } from './civitai-client.ts';
import { runCivitaiCrawl, type CivitaiCrawlRunOptions } from './run-civitai-crawl.ts';
import { labelOfBrowsingLevel } from './nsfw.ts';

function options(filters: Record<string, string | number>, overrides: Partial<CivitaiCrawlRunOptions['crawl']> = {}): CivitaiCrawlRunOptions {
  return {
    command: 'crawl',
    rps: 200,
    maxAttempts: 4,
    retryBaseMs: 20,
    httpOptions: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50, headersTimeoutMs: 1500, bodyTimeoutMs: 1500 },
    crawl: { filters: { sort: 'Newest', ...filters }, levels: ['None', 'Soft'], limit: 0, pageSize: 6, concurrency: { list: 1, models: 2, media: 4 }, ...overrides },
  };
}

for (const backendSpec of BACKENDS) {
  describe(`Civitai --catalog (${backendSpec.name})`, () => {
    let backend: TestBackend | null;
    let fake: FakeCivitai;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-civitai-crawl-'));
    const base = loadConfig({ LOG_LEVEL: 'silent', REPORTS_DIR: path.join(dir, 'reports'), INGEST_THUMBNAIL_WIDTHS: '320' }, dir);
    const log = createLogger(base);

    beforeAll(async () => {
      backend = await backendSpec.open();
      fake = await startFakeCivitai({ busyRetryAfterSeconds: 0 });
    });
    afterAll(async () => {
      await fake?.close();
      await backend?.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const config = () => ({ ...base, ingest: { ...base.ingest, civitai: { apiBase: fake.apiBaseUrl, apiKey: undefined } } });
    const run = (opts: CivitaiCrawlRunOptions) => runCivitaiCrawl({ config: config(), store: backend!.store, blobs: backend!.blobs, log }, opts);

    it('stores a model\'s images as works with authors, parameters, models/LoRAs and blobs; a rerun changes nothing', async (context) => {
      if (!backend) return context.skip();
      const model = fake.catalogue.models.find((m) => m.type === 'Checkpoint' && m.versions.flatMap((v) => v.imageIds).length > 8)!;
      fake.setFaults({ seed: 5, list: { schedule: ['503'] }, image: { schedule: ['500', 'reset'], retryAfterSeconds: 0 } });
      const report = await run(options({ modelId: model.id }));
      // Videos are works too; a video the fake serves cut short fails its media unit and keeps no blob.
      const wanted = fake.catalogue.images.filter((i) => i.modelId === model.id && ['None', 'Soft'].includes(labelOfBrowsingLevel(i.browsingLevel)));
      const broken = wanted.filter((i) => i.type === 'video' && isBrokenVideo(i.id));
      const failedList = report.status === 'SUCCESS' ? null : await backend.store.ledger.due('civitai', 'list', { now: new Date(Date.now() + 1e9), maxAttempts: 100, limit: 5 });
      expect(report.status, JSON.stringify(failedList)).toBe('SUCCESS');
      const works = await backend.store.works.list({ source: 'civitai', limit: 1000 });
      expect(works.map((w) => w.externalId).sort()).toEqual(wanted.map((i) => String(i.id)).sort());
      for (const image of wanted) {
        const work = works.find((w) => w.externalId === String(image.id))!;
        expect(work.sourceUrl).toBe(`https://civitai.com/images/${image.id}`);
        expect(work.nsfwLevel).toBe(labelOfBrowsingLevel(image.browsingLevel)); // the site blurs by it
        const prompt = image.meta?.prompt;
        expect(work.prompt).toBe(typeof prompt === 'string' ? prompt : null);
        if (image.meta && typeof image.meta.seed === 'bigint') expect(work.seed).toBe(String(image.meta.seed));
        const author = await backend.store.authors.get(work.authorId!);
        expect(author).toMatchObject({ source: 'civitai', name: image.creator.username });
        const rows = await backend.store.images.listByWork(work.id);
        expect(rows).toHaveLength(1);
        if (broken.includes(image)) {
          expect(rows[0]).toMatchObject({ status: 'FAILED', blobKey: null });
          continue;
        }
        expect(rows[0]!.status).toBe('OK');
        expect(rows[0]!.blobKey).toMatch(image.type === 'video' ? /^civitai\/\d{4}\/\d{2}\/\d{2}\/\d+\/0_[0-9a-f]{16}\.mp4$/ : /^civitai\/\d{4}\/\d{2}\/\d{2}\/\d+\/0_[0-9a-f]{16}\.(png|jpg|webp)$/);
        if (image.type === 'video') expect(await backend.store.images.listByWork(work.id)).toMatchObject([{ format: 'mp4' }]);
        const models = await backend.store.works.listModels(work.id);
        const checkpoint = image.resources.find((r) => r.type === 'checkpoint');
        if (image.metaShape === 'civitai-2024' && checkpoint) {
          const version = fake.catalogue.version(checkpoint.versionId)!;
          expect(models.find((m) => m.modelType === 'CHECKPOINT')).toMatchObject({
            modelName: `${fake.catalogue.modelOfVersion(version).name} · ${version.name}`,
            externalModelId: String(version.id),
            modelUrl: `https://civitai.com/models/${version.modelId}?modelVersionId=${version.id}`,
            // The version's base model and counts (the 2023 stats shape, odd model ids, has no thumbs up).
            baseModel: version.baseModel,
            downloads: version.downloads,
            likes: version.modelId % 2 === 1 ? null : version.likes,
          });
          expect(models.filter((m) => m.modelType === 'LORA')).toHaveLength(image.resources.filter((r) => r.type === 'lora').length);
        }
      }
      expect(report.counters.retries).toBeGreaterThan(0);
      expect(report.ledger.list!.done).toBeGreaterThan(1);

      // the site reads it next to Liblib works
      const snapshot = await writeSnapshot(backend.store, backend.blobs, path.join(dir, `snapshot-${backendSpec.name.length}`));
      expect(snapshot.manifest.counts.civitai?.works).toBe(wanted.length);

      fake.setFaults({});
      fake.clearRequests();
      const again = await run(options({ modelId: model.id }));
      expect(again.status).toBe('SUCCESS');
      expect(await backend.store.works.count({ source: 'civitai' })).toBe(wanted.length);
      expect(fake.requests.filter((r) => r.endpoint === 'image-file')).toHaveLength(0); // images already stored
    });

    it('respects the NSFW filter and the limit', async (context) => {
      if (!backend) return context.skip();
      const creator = fake.catalogue.creators[1]!;
      const before = await backend.store.works.count({ source: 'civitai' });
      // Only the works this run adds (the previous test may have stored some of this creator's already).
      const earlier = new Set((await backend.store.works.list({ source: 'civitai', limit: 1000 })).map((w) => w.id));
      await run(options({ username: creator.username }, { levels: ['None'], limit: 3 }));
      const works = await backend.store.works.list({ source: 'civitai', limit: 1000 });
      const added = works.filter((w) => !earlier.has(w.id) && fake.catalogue.image(Number(w.externalId))!.creator === creator);
      expect(added.length).toBeLessThanOrEqual(3);
      expect(await backend.store.works.count({ source: 'civitai' })).toBeLessThanOrEqual(before + 3);
      expect(added.length).toBeGreaterThan(0);
      // leaked Soft/Mature/X items are dropped by the per-item check
      for (const work of added) expect(fake.catalogue.image(Number(work.externalId))!.browsingLevel).toBe(1);
    });

    it('stops at once on 401 and says the key is missing', async (context) => {
      if (!backend) return context.skip();
      const locked = await startFakeCivitai({ auth: { required: true } });
      try {
        const opts = { config: { ...config(), ingest: { ...config().ingest, civitai: { apiBase: locked.apiBaseUrl, apiKey: undefined } } }, store: backend.store, blobs: backend.blobs, log };
        const error = await runCivitaiCrawl(opts, options({ modelVersionId: 1 })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CivitaiAuthError);
        expect((error as Error).message).toMatch(/CIVITAI_API_KEY is not set/);
        expect(locked.requests.length).toBe(1);
      } finally {
        await locked.close();
      }
    });
  });
}
