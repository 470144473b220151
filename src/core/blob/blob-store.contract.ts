// The behaviour every BlobStore driver must share. local-blob-store.test.ts and s3-blob-store.test.ts run
// this same suite, so code written against the local directory behaves the same on a bucket.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { readAll } from '../testing/images.ts';
import type { BlobStore } from './blob-store.ts';

export interface BlobStoreFixture {
  store: BlobStore;
  cleanup(): Promise<void>;
  /**
   * Every name physically present in the store's backing storage (files under the directory including
   * sidecars and temp files, or object keys in the bucket), to prove that rejected input wrote nothing.
   */
  listRaw?(): Promise<string[]>;
}

/** Enough to make lib-storage switch to a multipart upload (5 MiB parts) and end on a short last part. */
export const STREAM_BYTES = 11 * 1024 * 1024 + 12_345;

/** The keys the ingest writes for every image (seed 000), with values like the real ones. */
export const SEED_METADATA = {
  original_url: 'https://liblibai-online.liblib.cloud/img/0f3c9a/7e1d.png?x-oss-process=image/resize,w_1024&v=2',
  work_slug: '赛博朋克-城市夜景-霓虹',
  image_index: '0',
  width: '1024',
  height: '1536',
} as const;

export const INVALID_KEYS = ['../x', '/abs', 'a/../b', 'a\\b', 'a\u0000b', ''];

/** A stream of `total` random bytes in odd-sized chunks, and the sha256 of what it produced. */
export function randomStream(total: number, chunkSize = 100_003): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  const stream = Readable.from(
    (function* generate() {
      for (let sent = 0; sent < total; sent += chunkSize) {
        const chunk = randomBytes(Math.min(chunkSize, total - sent));
        hash.update(chunk);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
  return { stream, sha256: () => hash.digest('hex') };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function describeBlobStoreContract(name: string, factory: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let fixture: BlobStoreFixture;
    let store: BlobStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('ping succeeds', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('put of a Buffer, then get returns the same bytes', async () => {
      const bytes = randomBytes(4096);
      const head = await store.put('works/1/original.png', bytes, { contentType: 'image/png' });
      expect(head).toMatchObject({ key: 'works/1/original.png', size: 4096, contentType: 'image/png', metadata: {} });

      const object = await store.get('works/1/original.png');
      expect(object).not.toBeNull();
      expect(object!.size).toBe(4096);
      expect(object!.contentType).toBe('image/png');
      expect((await readAll(object!.body)).equals(bytes)).toBe(true);
    });

    it('put of a Uint8Array and of an empty body', async () => {
      await store.put('bytes/u8', new Uint8Array([1, 2, 3]));
      expect([...(await readAll((await store.get('bytes/u8'))!.body))]).toEqual([1, 2, 3]);

      await store.put('bytes/empty', Buffer.alloc(0));
      expect((await store.head('bytes/empty'))!.size).toBe(0);
      expect((await readAll((await store.get('bytes/empty'))!.body)).length).toBe(0);
    });

    it('put of a stream (multipart-sized) keeps size and sha256', async () => {
      const { stream, sha256: expected } = randomStream(STREAM_BYTES);
      const head = await store.put('streams/big.bin', stream, { contentType: 'application/octet-stream' });
      const expectedHash = expected();
      expect(head.size).toBe(STREAM_BYTES);

      expect((await store.head('streams/big.bin'))!.size).toBe(STREAM_BYTES);
      const object = await store.get('streams/big.bin');
      const bytes = await readAll(object!.body);
      expect(bytes.length).toBe(STREAM_BYTES);
      expect(sha256(bytes)).toBe(expectedHash);
    });

    it('put of a small stream (one part)', async () => {
      const { stream, sha256: expected } = randomStream(70_000, 7_000);
      const head = await store.put('streams/small.bin', stream);
      expect(head.size).toBe(70_000);
      expect(sha256(await readAll((await store.get('streams/small.bin'))!.body))).toBe(expected());
    });

    it('head returns size, content type, metadata and a modification date', async () => {
      await store.put('heads/a.webp', Buffer.from('webp bytes'), {
        contentType: 'image/webp',
        metadata: { width: '640', height: '480' },
      });
      const head = await store.head('heads/a.webp');
      expect(head).toMatchObject({
        key: 'heads/a.webp',
        size: 10,
        contentType: 'image/webp',
        metadata: { width: '640', height: '480' },
      });
      expect(head!.lastModified).toBeInstanceOf(Date);
      expect(Math.abs(head!.lastModified!.getTime() - Date.now())).toBeLessThan(10 * 60_000);
    });

    it('a put without a content type reads back as application/octet-stream', async () => {
      await store.put('heads/untyped', Buffer.from('x'));
      expect((await store.head('heads/untyped'))!.contentType).toBe('application/octet-stream');
    });

    it("metadata round-trips, the seed's keys and Chinese values included", async () => {
      const metadata = {
        ...SEED_METADATA,
        title: '雨夜的猫 · 第二张',
        emoji: 'palette 🎨',
        padded: '  surrounding spaces  ',
        empty: '',
        percent: '100%25 literal %E4',
        marker_like: '~u8~%E4%B8%AD',
      };
      const put = await store.put('meta/seed.png', Buffer.from('png'), { contentType: 'image/png', metadata });
      expect(put.metadata).toEqual(metadata);
      expect((await store.head('meta/seed.png'))!.metadata).toEqual(metadata);
      const object = await store.get('meta/seed.png');
      expect(object!.metadata).toEqual(metadata);
      object!.body.destroy();
    });

    it('metadata keys that S3 would rename are rejected on every driver', async () => {
      await expect(store.put('meta/bad', Buffer.from('x'), { metadata: { workSlug: 'x' } })).rejects.toThrow(
        InvalidInputError,
      );
      await expect(store.put('meta/bad', Buffer.from('x'), { metadata: { 'has space': 'x' } })).rejects.toThrow(
        InvalidInputError,
      );
      await expect(store.put('meta/bad', Buffer.from('x'), { metadata: { big: 'x'.repeat(3000) } })).rejects.toThrow(
        InvalidInputError,
      );
      expect(await store.head('meta/bad')).toBeNull();
    });

    it('overwrite replaces content, content type and metadata (no merge)', async () => {
      await store.put('over/1', Buffer.from('first version'), { contentType: 'text/plain', metadata: { a: '1', b: '2' } });
      const second = randomBytes(1000);
      await store.put('over/1', second, { contentType: 'image/jpeg', metadata: { c: '3' } });
      const head = await store.head('over/1');
      expect(head).toMatchObject({ size: 1000, contentType: 'image/jpeg', metadata: { c: '3' } });
      expect((await readAll((await store.get('over/1'))!.body)).equals(second)).toBe(true);
    });

    it('head and get of a missing key return null', async () => {
      expect(await store.head('missing/nothing.png')).toBeNull();
      expect(await store.get('missing/nothing.png')).toBeNull();
    });

    it('a key that is only a prefix of other keys is not an object', async () => {
      await store.put('prefix/child', Buffer.from('x'));
      expect(await store.head('prefix')).toBeNull();
      expect(await store.get('prefix')).toBeNull();
      await expect(store.delete('prefix')).resolves.toBeUndefined();
      expect(await store.head('prefix/child')).not.toBeNull();
    });

    it('delete removes the object; deleting a missing key is not an error', async () => {
      await store.put('del/1', Buffer.from('x'), { metadata: { a: '1' } });
      await store.delete('del/1');
      expect(await store.head('del/1')).toBeNull();
      expect(await store.get('del/1')).toBeNull();
      await expect(store.delete('del/1')).resolves.toBeUndefined();
      await expect(store.delete('del/never-existed')).resolves.toBeUndefined();

      // A new object under a deleted key starts without the old metadata.
      await store.put('del/1', Buffer.from('y'));
      expect((await store.head('del/1'))!.metadata).toEqual({});
    });

    it('invalid keys are rejected with InvalidInputError by every method, and nothing is written', async () => {
      await store.put('valid/seed', Buffer.from('keeps the store non-empty'));
      const before = await fixture.listRaw?.();
      for (const key of INVALID_KEYS) {
        await expect(store.put(key, Buffer.from('evil')), key).rejects.toThrow(InvalidInputError);
        await expect(store.put(key, Readable.from([Buffer.from('evil')])), key).rejects.toThrow(InvalidInputError);
        await expect(store.head(key), key).rejects.toThrow(InvalidInputError);
        await expect(store.get(key), key).rejects.toThrow(InvalidInputError);
        await expect(store.delete(key), key).rejects.toThrow(InvalidInputError);
        expect(() => store.publicUrl(key), key).toThrow(InvalidInputError);
      }
      expect(await store.head('b')).toBeNull();
      expect(await store.head('x')).toBeNull();
      if (fixture.listRaw) expect(await fixture.listRaw()).toEqual(before);
    });

    it('a Chinese key works for put, head, get, delete', async () => {
      const key = '作品/赛博朋克 城市/第1张.png';
      await store.put(key, Buffer.from('中文内容'), { contentType: 'image/png', metadata: { work_slug: '赛博朋克-城市' } });
      const head = await store.head(key);
      expect(head).toMatchObject({ key, size: Buffer.byteLength('中文内容'), metadata: { work_slug: '赛博朋克-城市' } });
      expect((await readAll((await store.get(key))!.body)).toString('utf8')).toBe('中文内容');
      await store.delete(key);
      expect(await store.head(key)).toBeNull();
    });

    it('publicUrl is stable, percent-encoded per segment, and decodes back to the key', async () => {
      const key = '作品/a b/c#d?e%f.png';
      const url = store.publicUrl(key);
      expect(store.publicUrl(key)).toBe(url);
      // Nothing outside the URL-safe ASCII set; "/" stays a separator, the reserved characters are encoded.
      expect(url).toMatch(/^[A-Za-z0-9\-._~%/:]+$/);
      expect(url).not.toContain('%2F');
      expect(url).toContain('/%E4%BD%9C%E5%93%81/a%20b/c%23d%3Fe%25f.png');
      const pathname = new URL(url, 'http://relative.invalid').pathname;
      expect(decodeURIComponent(pathname).endsWith(`/${key}`)).toBe(true);
      // Independent of whether the object exists.
      await store.put(key, Buffer.from('x'));
      expect(store.publicUrl(key)).toBe(url);
    });
  });
}
