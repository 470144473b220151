import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../src/core/errors.ts';
import { HttpStatusError } from '../http/errors.ts';
import { downloadImage } from './download-image.ts';
import { MediaError } from '../../src/core/media/media-error.ts';
import { fetchHttpClient, startServer, type TestServer } from './test-helpers.ts';
import { makeImage } from '../../src/core/testing/images.ts';

let server: TestServer;
let png: Buffer;
let jpeg: Buffer;
let tmpDir: string;
const http = fetchHttpClient();

beforeAll(async () => {
  png = await makeImage(640, 480, 'png');
  jpeg = await makeImage(300, 200, 'jpeg');
  const rotated = await sharp(await makeImage(400, 200, 'jpeg')).withMetadata({ orientation: 6 }).jpeg().toBuffer();
  server = await startServer({
    '/img/car.jpg': { body: png, contentType: 'image/jpeg' }, // a PNG under a .jpg name, labelled jpeg
    '/img/photo.jpg': { body: jpeg, contentType: 'image/jpeg', chunked: true },
    '/img/rotated.jpg': { body: rotated, contentType: 'image/jpeg' },
    '/img/error.png': { body: '<!DOCTYPE html>\n<html><head><title>访问受限</title></head><body>rate limited</body></html>', contentType: 'text/html; charset=utf-8' },
    '/img/empty.png': { body: Buffer.alloc(0), contentType: 'image/png' },
    '/img/truncated.png': { body: png.subarray(0, Math.floor(png.length / 2)), contentType: 'image/png' },
    '/img/large.png': { body: png, contentType: 'image/png' },
    '/img/large-chunked.png': { body: png, contentType: 'image/png', chunked: true },
    '/video/clip.mp4': {
      body: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\x02\0isommp41', 'latin1'), Buffer.alloc(64)]),
      contentType: 'video/mp4',
    },
  });
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  tmpDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-dl-test-'));
});

afterEach(async () => {
  // No test may leave a temp file behind, whatever its outcome.
  expect(await fsp.readdir(tmpDir)).toEqual([]);
  await fsp.rm(tmpDir, { recursive: true, force: true });
});

describe('downloadImage', () => {
  it('detects the format from the bytes, not the URL or the Content-Type, and hashes while streaming', async () => {
    const image = await downloadImage({ http, url: server.url('/img/car.jpg'), tmpDir });
    try {
      expect(image).toMatchObject({ format: 'png', ext: 'png', contentType: 'image/png', width: 640, height: 480, bytes: png.length });
      expect(image.sha256).toBe(createHash('sha256').update(png).digest('hex'));
      expect(path.dirname(image.path)).toBe(path.resolve(tmpDir));
      expect(await fsp.readFile(image.path)).toEqual(png);
    } finally {
      await image.dispose();
      await image.dispose(); // idempotent
    }
    expect(http.requests.at(-1)).toMatchObject({ stage: 'media', url: server.url('/img/car.jpg') });
  });

  it('streams a chunked body without Content-Length', async () => {
    const image = await downloadImage({ http, url: server.url('/img/photo.jpg'), tmpDir });
    await image.dispose();
    expect(image).toMatchObject({ format: 'jpeg', ext: 'jpg', width: 300, height: 200, bytes: jpeg.length });
  });

  it('reports display dimensions with the EXIF orientation applied', async () => {
    const image = await downloadImage({ http, url: server.url('/img/rotated.jpg'), tmpDir });
    await image.dispose();
    expect(image).toMatchObject({ width: 200, height: 400 });
  });

  it('rejects an HTML page served with 200 as not an image, naming the URL', async () => {
    const error = await downloadImage({ http, url: server.url('/img/error.png'), tmpDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect(error).toMatchObject({ kind: 'media', reason: 'not-image', url: server.url('/img/error.png') });
    expect((error as Error).message).toContain(server.url('/img/error.png'));
    expect((error as Error).message).toMatch(/not an image: content-type text\/html.*an HTML page/);
  });

  it('rejects an empty body', async () => {
    await expect(downloadImage({ http, url: server.url('/img/empty.png'), tmpDir })).rejects.toMatchObject({ reason: 'not-image', message: /empty/ });
  });

  it('rejects a truncated PNG that sharp cannot decode', async () => {
    const error = await downloadImage({ http, url: server.url('/img/truncated.png'), tmpDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect(error).toMatchObject({ reason: 'corrupt', retryable: true });
    expect((error as Error).message).toMatch(/png image cannot be decoded.*truncated\.png/);
  });

  it('rejects a video', async () => {
    await expect(downloadImage({ http, url: server.url('/video/clip.mp4'), tmpDir })).rejects.toMatchObject({ reason: 'unsupported', message: /mp4 video/ });
  });

  it('rejects a body over the size cap, by Content-Length or while streaming', async () => {
    for (const url of [server.url('/img/large.png'), server.url('/img/large-chunked.png')]) {
      const error = await downloadImage({ http, url, tmpDir, maxBytes: 10 * 1024 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MediaError);
      expect(error).toMatchObject({ reason: 'too-large', retryable: false });
      expect((error as Error).message).toMatch(/larger than the 10 KiB limit/);
    }
  });

  it('passes the HttpClient error through for a 404', async () => {
    const error = await downloadImage({ http, url: server.url('/img/missing.png'), tmpDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 404, retryable: false });
  });

  it('creates the temp directory when missing', async () => {
    const nested = path.join(tmpDir, 'a', 'b');
    const image = await downloadImage({ http, url: server.url('/img/photo.jpg'), tmpDir: nested });
    await image.dispose();
    expect(await fsp.readdir(nested)).toEqual([]);
    await fsp.rm(path.join(tmpDir, 'a'), { recursive: true });
  });
});

describe('downloadImage on a full disk', () => {
  let mountPoint: string | undefined;

  afterEach(() => {
    if (mountPoint) execFileSync('umount', [mountPoint]);
    mountPoint = undefined;
  });

  // A real ENOSPC needs a tiny filesystem: a 64 KiB tmpfs, which only root can mount.
  it('surfaces ENOSPC as a clear error and leaves nothing behind', async (ctx) => {
    const dir = path.join(tmpDir, 'full');
    await fsp.mkdir(dir);
    if (process.getuid?.() !== 0) ctx.skip();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
      mountPoint = dir;
    } catch {
      await fsp.rm(dir, { recursive: true });
      ctx.skip();
    }
    const error = await downloadImage({ http, url: server.url('/img/large.png'), tmpDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toMatch(/no space left on the disk holding .*full while downloading .*large\.png/);
    expect(await fsp.readdir(dir)).toEqual([]);
    execFileSync('umount', [dir]);
    mountPoint = undefined;
    await fsp.rm(dir, { recursive: true });
  });
});
