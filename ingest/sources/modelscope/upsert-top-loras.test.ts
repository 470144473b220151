// Top-LoRAs into the catalogue on both backends (SQLite + local blobs; MariaDB + s3rver when configured):
// rows, cover blobs, WebP thumbnails, idempotent reruns, and links from works' LoRA references.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModelScope, type FakeModelScope } from '../../../fakes/modelscope/server.ts';
import { loadConfig } from '../../../src/core/env.ts';
import { detectFormat } from '../../../src/core/media/image-format.ts';
import { thumbnailKey } from '../../../src/core/media/thumbnails.ts';
import { previewKey } from '../../../src/core/media/video-derivatives.ts';
import { BACKENDS, type TestBackend } from '../../testing/backends.ts';
import { cachePaths } from './cache-file.ts';
import { normalizeModelName } from './link-loras.ts';
import type { TopLora } from './normalize.ts';
import { runTopLoras, type TopLorasOptions } from './top-loras.ts';

const TASK = 'text-to-image-synthesis';
const silent = pino({ level: 'silent' });

/** A record none of whose names another record shares (so a name link to it is unambiguous). */
function uniquelyNamed(records: TopLora[], skip: TopLora[] = []): TopLora {
  const names = (r: TopLora) => [r.title_cn, r.title_en, ...r.model_files.map((f) => f.name)].map(normalizeModelName);
  return records.find((r) => !skip.includes(r) && r.title_cn !== r.title_en && !records.some((o) => o !== r && names(o).includes(normalizeModelName(r.title_cn))))!;
}

for (const spec of BACKENDS) {
  describe(`Top-LoRAs into the catalogue (${spec.name})`, () => {
    let backend: TestBackend | null;
    let fake: FakeModelScope;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-toploras-db-'));
    const config = () => loadConfig({ LOG_LEVEL: 'silent', INGEST_RPS: '200', MODELSCOPE_API_BASE: fake.apiBaseUrl, INGEST_THUMBNAIL_WIDTHS: '320,960' }, dir);
    const options = (overrides: Partial<TopLorasOptions> = {}): TopLorasOptions => ({
      task: TASK, limit: 20, forceRefresh: true, covers: true, baseDir: dir, ...cachePaths({ task: TASK, baseDir: dir }),
      httpOptions: { maxRetries: 1, baseDelayMs: 10, headersTimeoutMs: 1500, bodyTimeoutMs: 1500 }, ...overrides,
    });

    beforeAll(async () => {
      backend = await spec.open();
      fake = await startFakeModelScope();
    });
    afterAll(async () => {
      await fake?.close();
      await backend?.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('upserts the LoRAs with cover blobs and WebP thumbnails; reruns change nothing', async (context) => {
      if (!backend) return context.skip();
      const { store, blobs } = backend;
      const result = await runTopLoras({ config: config(), log: silent, store, blobs }, options());
      const rows = await store.loras.list({ task: TASK, limit: 100 });
      expect(rows.map((r) => r.externalId).sort()).toEqual(result.results.map((r) => r.id).sort());
      expect(rows.map((r) => r.downloads)).toEqual(result.results.map((r) => r.downloads)); // list orders by downloads too

      const saved = result.results.filter((r) => r.cover_local);
      expect(saved.length).toBeGreaterThan(10);
      for (const record of result.results) {
        const row = rows.find((r) => r.externalId === record.id)!;
        expect(row).toMatchObject({
          source: 'modelscope', titleCn: record.title_cn, titleEn: record.title_en, author: record.author, userName: record.user_name,
          avatarUrl: record.avatar, coverUrl: record.cover_url, likes: record.likes, license: record.license, tagsCn: record.tags_cn,
          tagsEn: record.tags_en, baseModels: record.base_models, triggerWords: record.trigger_words, visionFoundation: record.vision_foundation,
          task: TASK, pageUrl: record.modelscope_url,
        });
        expect(row.upstreamUpdatedAt?.toISOString()).toBe(record.updated_at);
        if (!record.cover_local) {
          expect(row.coverKey).toBeNull();
          continue;
        }
        const format = detectFormat(fs.readFileSync(path.join(dir, record.cover_local)))!;
        expect(row.coverKey).toMatch(new RegExp(`^modelscope/loras/[^/]+/0_[0-9a-f]{16}\\.${format.ext}$`));
        expect((await blobs.head(row.coverKey!))?.contentType).toBe(format.contentType);
        const thumb = await blobs.head(thumbnailKey(row.coverKey!, 320));
        expect(thumb?.contentType).toBe('image/webp');
        expect(Number(thumb?.metadata.width)).toBeLessThanOrEqual(320);
      }
      expect(result.catalogue).toMatchObject({ coversStored: saved.length });
      expect(result.catalogue!.thumbnailsStored).toBeGreaterThanOrEqual(saved.length);
      const run = await store.runs.get(result.runId!);
      expect(run).toMatchObject({ source: 'modelscope', command: `toploras:${TASK}`, status: 'SUCCESS', pagesFetched: 1, imagesDownloaded: saved.length });

      const keys = await backend.listBlobKeys();
      const reused = await runTopLoras({ config: config(), log: silent, store, blobs }, options({ forceRefresh: false }));
      expect(reused.reused).toBe(true);
      expect(reused.catalogue).toMatchObject({ coversStored: 0, thumbnailsStored: 0 });
      const refetched = await runTopLoras({ config: config(), log: silent, store, blobs }, options());
      expect(refetched.catalogue).toMatchObject({ coversStored: 0, thumbnailsStored: 0 });
      expect(await backend.listBlobKeys()).toEqual(keys);
      expect((await store.loras.list({ task: TASK, limit: 100 })).map((r) => [r.id, r.coverKey])).toEqual(rows.map((r) => [r.id, r.coverKey]));
    });

    it('keeps the real .mp4 extension of a video LoRA\'s cover and stores it with a poster and a preview', async (context) => {
      if (!backend) return context.skip();
      const { store, blobs } = backend;
      const task = 'image-to-video';
      const result = await runTopLoras({ config: config(), log: silent, store, blobs }, options({ task, limit: 3, ...cachePaths({ task, baseDir: dir, perTaskCache: true }) }));
      const videos = result.results.filter((r) => r.cover_local?.endsWith('.mp4'));
      expect(videos.length).toBeGreaterThan(0);
      for (const record of videos) {
        const row = await store.loras.findByExternalId('modelscope', record.id);
        expect(row!.coverKey).toMatch(/^modelscope\/loras\/[^/]+\/0_[0-9a-f]{16}\.mp4$/);
        expect((await blobs.head(row!.coverKey!))?.contentType).toBe('video/mp4');
        expect((await blobs.head(thumbnailKey(row!.coverKey!, 320)))?.contentType).toBe('image/webp');
        expect((await blobs.head(previewKey(row!.coverKey!)))?.contentType).toBe('video/mp4');
      }
    });

    it('links LoRA references of Liblib and Civitai works by id, file hash or name, and says how', async (context) => {
      if (!backend) return context.skip();
      const { store, blobs } = backend;
      const first = await runTopLoras({ config: config(), log: silent, store, blobs }, options({ forceRefresh: false }));
      const byName = uniquelyNamed(first.results);
      const byHash = first.results.find((r) => r !== byName && r.model_files[0]?.sha256)!;
      const byId = first.results.find((r) => r !== byName && r !== byHash)!;
      const liblib = await store.works.upsert({ source: 'liblib', externalId: 'ms-link-1', slug: 'ms-link-1' });
      await store.works.replaceModels(liblib.id, [
        { modelType: 'CHECKPOINT', modelName: byName.title_cn },
        { modelType: 'LORA', modelName: `${byName.title_cn} · v1.0`, externalModelId: 'a-liblib-version-uuid' },
        { modelType: 'LORA', modelName: 'Something else entirely' },
      ]);
      const civitai = await store.works.upsert({ source: 'civitai', externalId: 'ms-link-2', slug: 'ms-link-2' });
      await store.works.replaceModels(civitai.id, [
        { modelType: 'LORA', modelName: 'renamed on civitai', externalModelId: byHash.model_files[0]!.sha256!.slice(0, 10).toUpperCase() },
        { modelType: 'LORA', modelName: 'a mirror', modelUrl: `https://modelscope.cn/models/${byId.id}` },
      ]);
      const community = await store.works.upsert({ source: 'community', externalId: 'ms-link-3', slug: 'ms-link-3' });
      await store.works.replaceModels(community.id, [{ modelType: 'LORA', modelName: byName.title_cn }]);

      const result = await runTopLoras({ config: config(), log: silent, store, blobs }, options({ forceRefresh: false }));
      const rows = new Map((await store.loras.list({ task: TASK, limit: 100 })).map((r) => [r.externalId, r.id]));
      const links = result.catalogue!.links;
      expect(links.scanned).toBe(4);
      expect(links.links.map((l) => [l.workSource, l.workId, l.loraExternalId, l.loraId, l.method, l.matched])).toEqual([
        ['liblib', liblib.id, byName.id, rows.get(byName.id), 'name', normalizeModelName(byName.title_cn)],
        ['civitai', civitai.id, byHash.id, rows.get(byHash.id), 'hash', byHash.model_files[0]!.sha256!.slice(0, 10)],
        ['civitai', civitai.id, byId.id, rows.get(byId.id), 'id', byId.id],
      ]);
      const refs = await store.works.listModels(civitai.id);
      expect(links.links.slice(1).map((l) => l.workModelId)).toEqual(refs.map((r) => r.id));
      expect((await store.runs.get(result.runId!))?.errorSummary).toContain('3 work references linked');
      // stored with how each was made, for the LoRA pages
      expect((await store.loras.listLinks(rows.get(byHash.id)!)).map((l) => [l.workId, l.method])).toEqual([[civitai.id, 'hash']]);
      expect((await store.loras.listLinks(rows.get(byName.id)!)).map((l) => [l.workId, l.method])).toEqual([[liblib.id, 'name']]);
      // the weight files and their SHA-256 are stored (the model catalogue links by them)
      expect((await store.loras.findByExternalId('modelscope', byHash.id))?.files).toEqual(
        byHash.model_files.map((f) => ({ name: f.name, sha256: f.sha256, autoV2: f.sha256?.slice(0, 10) ?? null, sizeBytes: f.size })),
      );
    });
  });
}
