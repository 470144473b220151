import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/core/blob/local-blob-store.ts';
import { UserFacingError } from '../../src/core/errors.ts';
import { openMigratedStore, type MigratableStore } from '../../src/core/store/create-store.ts';
import type { Work } from '../../src/core/store/store.ts';
import { errorKindOf, HttpStatusError } from '../http/errors.ts';
import { MediaError } from '../../src/core/media/media-error.ts';
import { LIBLIB_MEDIA_KEY_TEMPLATE } from '../../src/core/media/media-key.ts';
import { MediaPipeline, originalMetadata, type MediaContext } from './media-pipeline.ts';
import { fetchHttpClient, startServer, type TestServer } from './test-helpers.ts';
import { readAll, isWebp, makeImage } from '../../src/core/testing/images.ts';
import { makeVideo } from '../../src/core/testing/videos.ts';
import { DEFAULT_VIDEO_LIMITS } from '../../src/core/media/video-probe.ts';
import { previewKey } from '../../src/core/media/video-derivatives.ts';

let server: TestServer;
let car: Buffer; // 1200×800 PNG, served under .jpg URLs
let small: Buffer; // 240×160 JPEG, narrower than every thumbnail width
let clip: Buffer; // 64×48 WebM, 1 s
let face: Buffer; // 64×64 PNG: an avatar
let root: string;
let tmpDir: string;
let store: MigratableStore;
let blobs: LocalBlobStore;
let pipeline: MediaPipeline;
const http = fetchHttpClient();
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  car = await makeImage(1200, 800, 'png');
  small = await makeImage(240, 160, 'jpeg');
  face = await makeImage(64, 64, 'png');
  const clipDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-media-clip-'));
  clip = await makeVideo(path.join(clipDir, 'clip.webm'), { container: 'webm' });
  await fsp.rm(clipDir, { recursive: true, force: true });
  server = await startServer({
    '/clip.mp4': { body: clip, contentType: 'video/mp4' }, // a WebM under an .mp4 name: the bytes decide
    '/cut.webm': { body: clip.subarray(0, Math.floor(clip.length / 2)), contentType: 'video/webm' },
    '/a/car.jpg': { body: car, contentType: 'image/jpeg' },
    '/b/same-car.jpg': { body: car, contentType: 'image/jpeg' }, // identical content, another URL
    '/small.jpg': { body: small, contentType: 'image/jpeg' },
    '/avatar/1.png': { body: face, contentType: 'image/png' },
    '/qlogo/ek_qqapp/abc/100': { body: face, contentType: 'image/png' }, // the same picture, no extension
    '/error.jpg': { body: '<!doctype html><html><body>403 Forbidden</body></html>', contentType: 'text/html' },
    '/truncated.png': { body: car.subarray(0, Math.floor(car.length / 3)), contentType: 'image/png' },
    '/huge.png': { body: car, contentType: 'image/png', chunked: true },
  });
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-media-pipeline-'));
  tmpDir = path.join(root, 'tmp');
  store = await openMigratedStore({ kind: 'sqlite', file: path.join(root, 'huaku.db') });
  blobs = new LocalBlobStore({ driver: 'local', dir: path.join(root, 'blobs'), publicBaseUrl: '/media' });
  pipeline = new MediaPipeline({
    http, blobs, store, tmpDir, logger,
    keyTemplate: LIBLIB_MEDIA_KEY_TEMPLATE,
    thumbnailWidths: [320, 960],
    maxBytes: 5 * 1024 * 1024,
  });
});

afterEach(async () => {
  // No download may leave a temp file behind, whatever the outcome.
  expect(await fsp.readdir(tmpDir).catch(() => [])).toEqual([]);
  await store.close();
  await blobs.close();
  await fsp.rm(root, { recursive: true, force: true });
});

async function work(slug: string, publishedAt: Date | null = new Date('2025-06-30T22:15:00Z')): Promise<Work> {
  return store.works.upsert({ source: 'liblib', externalId: slug, slug, title: `作品 ${slug}`, publishedAt });
}

function context(w: Work): MediaContext {
  return { source: 'liblib', category: 'transportation', slug: w.slug, publishedAt: w.publishedAt };
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Every object key in the local store (sidecars and temp names excluded). */
async function objectKeys(): Promise<string[]> {
  const dir = path.join(root, 'blobs');
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((key) => !key.split('/').some((segment) => segment.startsWith('.')))
    .sort();
}

describe('MediaPipeline.processImage', () => {
  it('stores the original under the template key with metadata, makes WebP thumbnails, and marks the row OK', async () => {
    const w = await work('d8f3c1a2b4e5');
    const image = await store.images.ensure(w.id, 0, server.url('/a/car.jpg'));
    const result = await pipeline.processImage(image, context(w));

    const hash = sha(car);
    const key = `liblib/transportation/2025/06/30/d8f3c1a2b4e5/0_${hash.slice(0, 16)}.png`;
    expect(result).toMatchObject({ status: 'ok', key, bytes: car.length, contentHash: hash, format: 'png', width: 1200, height: 800 });
    expect(result.thumbnails).toEqual({
      '320': `thumbs/320/liblib/transportation/2025/06/30/d8f3c1a2b4e5/0_${hash.slice(0, 16)}.webp`,
      '960': `thumbs/960/liblib/transportation/2025/06/30/d8f3c1a2b4e5/0_${hash.slice(0, 16)}.webp`,
    });

    const original = await blobs.get(key);
    expect(original).not.toBeNull();
    expect(await readAll(original!.body)).toEqual(car);
    expect(original!.contentType).toBe('image/png');
    expect(original!.metadata).toEqual({
      original_url: server.url('/a/car.jpg'),
      work_slug: 'd8f3c1a2b4e5',
      image_index: '0',
      width: '1200',
      height: '800',
      content_sha256: hash,
    });

    for (const [width, thumbKey] of Object.entries(result.thumbnails)) {
      const object = await blobs.get(thumbKey);
      const bytes = await readAll(object!.body);
      expect(isWebp(bytes)).toBe(true);
      const meta = await sharp(bytes).metadata();
      expect(meta.width).toBeLessThanOrEqual(Number(width));
      expect(meta.width).toBe(Number(width)); // 1200 px wide: both are real downscales
    }
    expect(result.uploadedBytes).toBeGreaterThan(car.length);

    const [row] = await store.images.listByWork(w.id);
    expect(row).toMatchObject({
      id: image.id, status: 'OK', blobKey: key, width: 1200, height: 800, format: 'png', contentHash: hash, sizeBytes: car.length, thumbnails: result.thumbnails,
    });
    expect(row!.downloadedAt).toBeInstanceOf(Date);
  });

  it('keeps narrow images at their own width and stores one thumbnail for both widths', async () => {
    const w = await work('narrow');
    const image = await store.images.ensure(w.id, 1, server.url('/small.jpg'));
    const result = await pipeline.processImage(image, context(w));
    expect(result.key).toMatch(/^liblib\/transportation\/2025\/06\/30\/narrow\/1_[0-9a-f]{16}\.jpg$/);
    expect(result.thumbnails['320']).toBe(result.thumbnails['960']);
    const bytes = await readAll((await blobs.get(result.thumbnails['960']!))!.body);
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'webp', width: 240, height: 160 });
  });

  it('stores identical content once, across URLs and works', async () => {
    const first = await work('first');
    const second = await work('second', new Date('2025-07-02T08:00:00Z'));
    const a = await store.images.ensure(first.id, 0, server.url('/a/car.jpg'));
    const b = await store.images.ensure(second.id, 3, server.url('/b/same-car.jpg'));

    const ra = await pipeline.processImage(a, context(first));
    const keysAfterFirst = await objectKeys();
    const rb = await pipeline.processImage(b, context(second));

    expect(ra.status).toBe('ok');
    expect(rb).toMatchObject({ status: 'deduped', key: ra.key, thumbnails: ra.thumbnails, uploadedBytes: 0, dedupedFrom: a.id, bytes: car.length });
    expect(await objectKeys()).toEqual(keysAfterFirst);
    expect(keysAfterFirst.filter((k) => !k.startsWith('thumbs/'))).toEqual([ra.key]); // one original blob
    const rowB = (await store.images.listByWork(second.id))[0]!;
    expect(rowB).toMatchObject({ status: 'OK', blobKey: ra.key, contentHash: sha(car), thumbnails: ra.thumbnails, imageIndex: 3 });
  });

  it('stores identical content once even when both downloads run at the same time', async () => {
    const first = await work('p1');
    const second = await work('p2');
    const a = await store.images.ensure(first.id, 0, server.url('/a/car.jpg'));
    const b = await store.images.ensure(second.id, 0, server.url('/b/same-car.jpg'));
    const results = await Promise.all([pipeline.processImage(a, context(first)), pipeline.processImage(b, context(second))]);
    expect(results.map((r) => r.status).sort()).toEqual(['deduped', 'ok']);
    expect(results[0]!.key).toBe(results[1]!.key);
    expect((await objectKeys()).filter((k) => !k.startsWith('thumbs/'))).toHaveLength(1);
  });

  it('is idempotent: a rerun keeps the same keys and the same row', async () => {
    const w = await work('rerun');
    const image = await store.images.ensure(w.id, 0, server.url('/a/car.jpg'));
    const first = await pipeline.processImage(image, context(w));
    const rowBefore = (await store.images.listByWork(w.id))[0]!;
    const keysBefore = await objectKeys();

    const again = await store.images.ensure(w.id, 0, server.url('/a/car.jpg'));
    expect(again.id).toBe(image.id);
    const second = await pipeline.processImage(again, context(w));
    expect(second).toMatchObject({ status: 'deduped', key: first.key, thumbnails: first.thumbnails, dedupedFrom: image.id });
    const rowsAfter = await store.images.listByWork(w.id);
    expect(rowsAfter).toHaveLength(1);
    const { downloadedAt: _a, ...before } = rowBefore;
    const { downloadedAt: _b, ...after } = rowsAfter[0]!;
    expect(after).toEqual(before);
    expect(await objectKeys()).toEqual(keysBefore);
  });

  it('repairs a crash between upload and markOk by overwriting the same keys', async () => {
    const w = await work('crash');
    const image = await store.images.ensure(w.id, 0, server.url('/a/car.jpg'));
    const first = await pipeline.processImage(image, context(w));
    // Simulate the crash: the objects exist but the row never became OK; a thumbnail was lost too.
    const fresh = await openMigratedStore({ kind: 'sqlite', file: path.join(root, 'other.db') });
    try {
      const w2 = await fresh.works.upsert({ source: 'liblib', externalId: 'crash', slug: 'crash', publishedAt: w.publishedAt });
      const row = await fresh.images.ensure(w2.id, 0, server.url('/a/car.jpg'));
      await blobs.delete(first.thumbnails['960']!);
      const rerun = new MediaPipeline({ http, blobs, store: fresh, tmpDir, keyTemplate: LIBLIB_MEDIA_KEY_TEMPLATE });
      const result = await rerun.processImage(row, context(w));
      expect(result).toMatchObject({ status: 'ok', key: first.key, thumbnails: first.thumbnails });
      expect(await blobs.head(first.thumbnails['960']!)).not.toBeNull();
      expect(await readAll((await blobs.get(first.key))!.body)).toEqual(car);
    } finally {
      await fresh.close();
    }
  });

  it('re-uploads a deduped original that vanished from the blob store, under its existing key', async () => {
    const first = await work('v1');
    const second = await work('v2');
    const a = await store.images.ensure(first.id, 0, server.url('/a/car.jpg'));
    const ra = await pipeline.processImage(a, context(first));
    await blobs.delete(ra.key);
    const b = await store.images.ensure(second.id, 0, server.url('/b/same-car.jpg'));
    const rb = await pipeline.processImage(b, context(second));
    expect(rb).toMatchObject({ status: 'ok', key: ra.key });
    expect(await blobs.head(ra.key)).not.toBeNull();
  });

  it('marks the row FAILED and throws a MediaError for an HTML page served with 200', async () => {
    const w = await work('html');
    const image = await store.images.ensure(w.id, 0, server.url('/error.jpg'));
    const error = await pipeline.processImage(image, context(w)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect(errorKindOf(error)).toBe('media');
    expect((error as Error).message).toContain(server.url('/error.jpg'));
    expect((await store.images.listByWork(w.id))[0]).toMatchObject({ status: 'FAILED', blobKey: null });
    expect(await objectKeys()).toEqual([]);
  });

  it('marks the row FAILED for a truncated image and for a body over the size cap', async () => {
    const w = await work('broken');
    const truncated = await store.images.ensure(w.id, 0, server.url('/truncated.png'));
    await expect(pipeline.processImage(truncated, context(w))).rejects.toMatchObject({ kind: 'media', reason: 'corrupt' });
    const tiny = new MediaPipeline({ http, blobs, store, tmpDir, maxBytes: 64 * 1024 });
    const huge = await store.images.ensure(w.id, 1, server.url('/huge.png'));
    await expect(tiny.processImage(huge, context(w))).rejects.toMatchObject({ kind: 'media', reason: 'too-large' });
    expect((await store.images.listByWork(w.id)).map((r) => r.status)).toEqual(['FAILED', 'FAILED']);
    expect(await objectKeys()).toEqual([]);
  });

  it('stores a video like an image (same key scheme and metadata) with poster thumbnails and a preview; refuses a truncated one', async () => {
    const videos = new MediaPipeline({ http, blobs, store, tmpDir, logger, keyTemplate: LIBLIB_MEDIA_KEY_TEMPLATE, video: DEFAULT_VIDEO_LIMITS });
    const w = await work('moving');
    const image = await store.images.ensure(w.id, 0, server.url('/clip.mp4'));
    const result = await videos.processImage(image, context(w));
    const hash = sha(clip);
    const key = `liblib/transportation/2025/06/30/moving/0_${hash.slice(0, 16)}.webm`;
    expect(result).toMatchObject({ status: 'ok', key, format: 'webm', width: 64, height: 48 });
    // head, not get: an unread body would hold its file open until garbage collection.
    const original = await blobs.head(key);
    expect(original!.contentType).toBe('video/webm');
    expect(original!.metadata).toMatchObject({ work_slug: 'moving', width: '64', height: '48', content_sha256: hash });
    expect(await blobs.head(result.thumbnails['320']!)).toMatchObject({ contentType: 'image/webp' });
    expect(await blobs.head(previewKey(key))).toMatchObject({ contentType: 'video/mp4' });
    expect((await store.images.listByWork(w.id))[0]).toMatchObject({ status: 'OK', format: 'webm', blobKey: key });

    const cut = await store.images.ensure(w.id, 1, server.url('/cut.webm'));
    await expect(videos.processImage(cut, context(w))).rejects.toMatchObject({ kind: 'media', reason: 'corrupt' });
    // Without video limits a video stays refused, as before.
    const other = await work('still-only');
    const refused = await store.images.ensure(other.id, 0, server.url('/clip.mp4'));
    await expect(pipeline.processImage(refused, context(other))).rejects.toMatchObject({ kind: 'media', reason: 'unsupported' });
  });

  it('marks the row FAILED on a 404 and rethrows the HTTP error', async () => {
    const w = await work('gone');
    const image = await store.images.ensure(w.id, 0, server.url('/missing.jpg'));
    const error = await pipeline.processImage(image, context(w)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(errorKindOf(error)).toBe('http');
    expect((await store.images.listByWork(w.id))[0]!.status).toBe('FAILED');
  });

  it('leaves the row PENDING on a transient error (the ledger retries it)', async () => {
    const w = await work('flaky');
    const image = await store.images.ensure(w.id, 0, 'http://127.0.0.1:1/unreachable.jpg');
    await expect(pipeline.processImage(image, context(w))).rejects.toThrow();
    expect((await store.images.listByWork(w.id))[0]!.status).toBe('PENDING');
  });

  it('does not downgrade an image already stored when its URL later fails', async () => {
    const w = await work('rot');
    const image = await store.images.ensure(w.id, 0, server.url('/a/car.jpg'));
    await pipeline.processImage(image, context(w));
    server.set('/a/rotting.jpg', { status: 404, body: 'gone' });
    // Same row, URL changed upstream to one that 404s.
    const row = { ...(await store.images.listByWork(w.id))[0]!, srcUrl: server.url('/a/rotting.jpg') };
    await expect(pipeline.processImage(row, context(w))).rejects.toBeInstanceOf(HttpStatusError);
    expect((await store.images.listByWork(w.id))[0]).toMatchObject({ status: 'OK', blobKey: image.blobKey ?? expect.any(String) });
  });

  it('undated works go under 0000/00/00', async () => {
    const w = await work('undated', null);
    const image = await store.images.ensure(w.id, 0, server.url('/small.jpg'));
    const result = await pipeline.processImage(image, context(w));
    expect(result.key).toMatch(/^liblib\/transportation\/0000\/00\/00\/undated\/0_[0-9a-f]{16}\.jpg$/);
  });

  it('rejects a bad key template at construction', () => {
    expect(() => new MediaPipeline({ http, blobs, store, tmpDir, keyTemplate: 'liblib/{colour}/{hash}.{ext}' })).toThrow(UserFacingError);
    expect(() => new MediaPipeline({ http, blobs, store, tmpDir, thumbnailWidths: [] })).toThrow(/at least one width/);
    expect(fs.existsSync(tmpDir)).toBe(false);
  });
});

describe('MediaPipeline.processAvatar', () => {
  it('stores the avatar content-addressed with 48/144 px thumbnails (never enlarged), once per content', async () => {
    const first = await pipeline.processAvatar(server.url('/avatar/1.png'), { source: 'liblib' });
    const hash = createHash('sha256').update(face).digest('hex');
    const key = `avatars/liblib/${hash.slice(0, 16)}.png`;
    expect(first).toMatchObject({ status: 'ok', bytes: face.length });
    expect(first.avatar).toEqual({
      from: server.url('/avatar/1.png'), key, width: 64, height: 64,
      thumbnails: [{ key: `thumbs/48/avatars/liblib/${hash.slice(0, 16)}.webp`, width: 48 }, { key: `thumbs/144/avatars/liblib/${hash.slice(0, 16)}.webp`, width: 64 }],
    });
    expect((await blobs.head(key))?.metadata).toMatchObject({ original_url: server.url('/avatar/1.png'), content_sha256: hash });
    for (const thumb of first.avatar.thumbnails) expect(isWebp(await readAll((await blobs.get(thumb.key))!.body))).toBe(true);
    // Another URL (another author's), same picture: nothing uploaded, the same objects.
    const again = await pipeline.processAvatar(server.url('/qlogo/ek_qqapp/abc/100'), { source: 'liblib' });
    expect(again).toMatchObject({ status: 'deduped', uploadedBytes: 0, avatar: { ...first.avatar, from: server.url('/qlogo/ek_qqapp/abc/100') } });
  });

  it('rethrows a dead avatar (404) and a non-image body without storing anything', async () => {
    await expect(pipeline.processAvatar(server.url('/missing.png'), { source: 'liblib' })).rejects.toBeInstanceOf(HttpStatusError);
    await expect(pipeline.processAvatar(server.url('/error.jpg'), { source: 'liblib' })).rejects.toBeInstanceOf(MediaError);
    expect(fs.existsSync(path.join(root, 'blobs', 'avatars'))).toBe(false);
  });
});

describe('originalMetadata', () => {
  it('cuts a very long URL to fit S3 metadata limits and redacts credentials', () => {
    const long = `https://cdn.example/img.png?token=secret&x=${'长'.repeat(2000)}`;
    const meta = originalMetadata({ srcUrl: long, imageIndex: 0 }, { slug: 's' }, { width: 1, height: 1, sha256: 'f'.repeat(64) });
    expect(meta.original_url).toMatch(/^https:\/\/cdn\.example\/img\.png\?token=REDACTED/);
    expect(meta.original_url!.length).toBeLessThan(long.length);
    expect(Object.keys(meta)).toEqual(['original_url', 'work_slug', 'image_index', 'width', 'height', 'content_sha256']);
  });
});
