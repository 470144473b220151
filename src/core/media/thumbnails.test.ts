import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../blob/local-blob-store.ts';
import { InvalidInputError } from '../errors.ts';
import { MediaError } from './media-error.ts';
import { isWebp, makeImage, storedBytes } from '../testing/images.ts';
import { makeThumbnails, normalizeWidths, renderThumbnail, thumbnailKey } from './thumbnails.ts';

let dir: string;
let blobs: LocalBlobStore;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-thumbs-test-'));
  blobs = new LocalBlobStore({ driver: 'local', dir, publicBaseUrl: '/media' });
});

afterEach(async () => {
  await blobs.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

const stored = (key: string): Promise<Buffer> => storedBytes(blobs, key);

describe('thumbnailKey', () => {
  it('puts thumbs/{width}/ in front and .webp in place of the extension', () => {
    expect(thumbnailKey('liblib/transportation/2025/03/07/abc/0_0123456789abcdef.png', 320)).toBe(
      'thumbs/320/liblib/transportation/2025/03/07/abc/0_0123456789abcdef.webp',
    );
    expect(thumbnailKey('a/b.c/file', 960)).toBe('thumbs/960/a/b.c/file.webp');
    expect(() => thumbnailKey('a.png', 0)).toThrow(InvalidInputError);
  });

  it('normalises the width list', () => {
    expect(normalizeWidths([960, 320, 960])).toEqual([320, 960]);
    expect(() => normalizeWidths([])).toThrow(/at least one/);
    expect(() => normalizeWidths([320.5])).toThrow(/integer/);
  });
});

describe('makeThumbnails', () => {
  it('stores WebP thumbnails at each width, keeping the aspect ratio', async () => {
    const original = await makeImage(1600, 1000, 'jpeg');
    const set = await makeThumbnails({ blobs, input: original, originalKey: 'liblib/x/0_abc.jpg' });
    expect(set.keys).toEqual({ '320': 'thumbs/320/liblib/x/0_abc.webp', '960': 'thumbs/960/liblib/x/0_abc.webp' });
    expect(set.thumbnails.map((t) => [t.requestedWidth, t.width, t.height, t.stored])).toEqual([
      [320, 320, 200],
      [960, 960, 600],
    ].map((row) => [...row, true]));
    for (const thumb of set.thumbnails) {
      const bytes = await stored(thumb.key);
      expect(isWebp(bytes)).toBe(true);
      expect(bytes.length).toBe(thumb.bytes);
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', thumb.width, thumb.height]);
      const head = await blobs.head(thumb.key);
      expect(head).toMatchObject({ contentType: 'image/webp', metadata: { source_key: 'liblib/x/0_abc.jpg', width: String(thumb.width), height: String(thumb.height) } });
    }
  });

  it('never upscales, and stores one object when two widths come out the same', async () => {
    const original = await makeImage(200, 300, 'png');
    const set = await makeThumbnails({ blobs, input: original, originalKey: 'k/small.png', widths: [960, 320] });
    expect(set.keys).toEqual({ '320': 'thumbs/320/k/small.webp', '960': 'thumbs/320/k/small.webp' });
    expect(set.thumbnails.map((t) => [t.width, t.height, t.stored])).toEqual([[200, 300, true], [200, 300, false]]);
    expect(await blobs.head('thumbs/960/k/small.webp')).toBeNull();

    const mid = await makeImage(500, 250, 'webp');
    const midSet = await makeThumbnails({ blobs, input: mid, originalKey: 'k/mid.webp' });
    expect(midSet.thumbnails.map((t) => [t.requestedWidth, t.width, t.height])).toEqual([[320, 320, 160], [960, 500, 250]]);
  });

  it('applies the EXIF orientation', async () => {
    const sideways = await sharp(await makeImage(400, 200, 'jpeg')).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const thumb = await renderThumbnail(sideways, 320);
    expect([thumb.width, thumb.height]).toEqual([200, 400]);
  });

  it('fits inside a box when a height is given, never enlarging', async () => {
    const tall = await makeImage(400, 1000, 'png');
    const boxed = await renderThumbnail(tall, 256, { maxHeight: 256 });
    expect([boxed.width, boxed.height]).toEqual([102, 256]);
    expect(isWebp(boxed.data)).toBe(true);
    const small = await renderThumbnail(await makeImage(100, 50, 'png'), 256, { maxHeight: 256 });
    expect([small.width, small.height]).toEqual([100, 50]);
  });

  it('turns an undecodable input into a MediaError and stores nothing', async () => {
    const png = await makeImage(400, 400, 'png');
    const error = await makeThumbnails({ blobs, input: png.subarray(0, 2000), originalKey: 'k/bad.png', url: 'https://cdn.example/bad.png' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as Error).message).toMatch(/cannot make a 320px thumbnail.*https:\/\/cdn\.example\/bad\.png/);
    expect(await blobs.head('thumbs/320/k/bad.webp')).toBeNull();
  });
});
