import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidInputError, ServiceUnavailableError } from '../errors.ts';
import { uniqueSuffix } from '../testing/services.ts';
import { describeBlobStoreContract, INVALID_KEYS, randomStream } from './blob-store.contract.ts';
import { readAll } from '../testing/images.ts';
import { createBlobStore } from './create-blob-store.ts';
import { LocalBlobStore, resolveInside } from './local-blob-store.ts';

/** A fresh parent directory with the store's root `blobs/` inside, so writes escaping the root show up. */
async function makeStore(publicBaseUrl = '/media') {
  const parent = await fsp.mkdtemp(path.join(os.tmpdir(), `huaku-blob-${uniqueSuffix()}-`));
  const dir = path.join(parent, 'blobs');
  const store = new LocalBlobStore({ driver: 'local', dir, publicBaseUrl });
  return {
    parent,
    dir,
    store,
    /** Everything under the parent (the root, its sidecars and temp files, and anything that escaped). */
    listRaw: async () => ((await fsp.readdir(parent, { recursive: true })) as string[]).sort(),
    cleanup: () => fsp.rm(parent, { recursive: true, force: true }),
  };
}

describeBlobStoreContract('local directory', async () => {
  const { store, listRaw, cleanup } = await makeStore();
  return {
    store,
    listRaw,
    cleanup: async () => {
      await store.close();
      await cleanup();
    },
  };
});

/** A stream that yields some bytes and then fails, like a download cut off midway. */
function failingStream(bytesBeforeFailure: number): Readable {
  return Readable.from(
    (async function* failing() {
      yield Buffer.alloc(bytesBeforeFailure, 7);
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('upstream connection reset');
    })(),
    { objectMode: false },
  );
}

const tempFiles = (entries: string[]) => entries.filter((entry) => entry.endsWith('.tmp'));

describe('LocalBlobStore', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  async function fresh(publicBaseUrl?: string) {
    const made = await makeStore(publicBaseUrl);
    cleanups.push(made.cleanup);
    return made;
  }

  it('createBlobStore picks the local driver', () => {
    const store = createBlobStore({ driver: 'local', dir: '/tmp/x', publicBaseUrl: '/media' });
    expect(store).toBeInstanceOf(LocalBlobStore);
    expect(store.driver).toBe('local');
  });

  it('stores the object at the key path and its sidecar in the parallel .meta tree', async () => {
    const { store, dir } = await fresh();
    await store.put('works/猫/1.png', Buffer.from('png'), { contentType: 'image/png', metadata: { width: '1' } });
    expect(await fsp.readFile(path.join(dir, 'works', '猫', '1.png'), 'utf8')).toBe('png');
    const sidecar = JSON.parse(await fsp.readFile(path.join(dir, '.meta', 'works', '猫', '1.png'), 'utf8'));
    expect(sidecar).toEqual({ version: 1, contentType: 'image/png', metadata: { width: '1' } });
  });

  it('a failed stream put leaves no temp file and keeps the previous object', async () => {
    const { store, listRaw } = await fresh();
    await store.put('works/1.png', Buffer.from('previous'), { metadata: { version: 'old' } });
    const before = await listRaw();

    await expect(store.put('works/1.png', failingStream(256 * 1024), { metadata: { version: 'new' } })).rejects.toThrow(
      'upstream connection reset',
    );
    await expect(store.put('works/2.png', failingStream(1))).rejects.toThrow('upstream connection reset');

    expect(tempFiles(await listRaw())).toEqual([]);
    expect(await listRaw()).toEqual(before);
    expect(await store.head('works/2.png')).toBeNull();
    const object = await store.get('works/1.png');
    expect((await readAll(object!.body)).toString()).toBe('previous');
    expect(object!.metadata).toEqual({ version: 'old' });
  });

  it('a full disk (ENOSPC) during put is a clear ServiceUnavailableError and leaves no temp file', async () => {
    const { store, dir, listRaw } = await fresh();
    await store.put('works/1.png', Buffer.from('previous'));
    const before = await listRaw();

    // Fault injection: the temp file is really created, then the second write fails like a full disk.
    const createWriteStream = fs.createWriteStream;
    vi.spyOn(fs, 'createWriteStream').mockImplementation(((file: fs.PathLike, options?: unknown) => {
      const stream = createWriteStream(file, options as Parameters<typeof fs.createWriteStream>[1]);
      const enospc = () =>
        Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      let writes = 0;
      const write = stream._write.bind(stream);
      stream._write = (chunk, encoding, callback) =>
        ++writes > 1 ? callback(enospc()) : write(chunk, encoding, callback);
      (stream as Writable)._writev = (_chunks, callback) => callback(enospc());
      return stream;
    }) as typeof fs.createWriteStream);

    const { stream } = randomStream(3 * 1024 * 1024, 64 * 1024);
    const error = await store.put('works/1.png', stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).message).toContain('no space left');
    expect((error as ServiceUnavailableError).message).toContain(dir);
    expect((error as ServiceUnavailableError).message).toContain('works/1.png');
    expect((error as ServiceUnavailableError).format()).toMatch(/Free disk space/);

    vi.restoreAllMocks();
    expect(tempFiles(await listRaw())).toEqual([]);
    expect(await listRaw()).toEqual(before);
    expect((await readAll((await store.get('works/1.png'))!.body)).toString()).toBe('previous');
  });

  it('resolved paths stay inside the root, and invalid keys write nothing outside it', async () => {
    const { store, parent, dir } = await fresh();
    expect(resolveInside('/srv/blobs', 'a/b.png')).toBe('/srv/blobs/a/b.png');
    // Defence in depth, below the key validation: even a key that slipped through cannot leave the root.
    expect(() => resolveInside('/srv/blobs', '../x')).toThrow(InvalidInputError);
    expect(() => resolveInside('/srv/blobs', 'a/../../x')).toThrow(InvalidInputError);
    expect(() => resolveInside('/srv/blobs', '.')).toThrow(InvalidInputError);

    for (const key of INVALID_KEYS) await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(InvalidInputError);
    // The .meta tree cannot be reached through a key.
    await expect(store.put('.meta/x', Buffer.from('x'))).rejects.toThrow(InvalidInputError);
    await expect(store.head('.meta/x')).rejects.toThrow(InvalidInputError);
    expect(await fsp.readdir(parent)).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('keys that need a file and a directory at the same path conflict with InvalidInputError', async () => {
    const { store, listRaw } = await fresh();
    await store.put('a', Buffer.from('file'));
    await expect(store.put('a/b', Buffer.from('x'))).rejects.toThrow(InvalidInputError);
    await store.put('c/d', Buffer.from('x'));
    await expect(store.put('c', Buffer.from('x'))).rejects.toThrow(/other keys use it as a prefix/);
    expect(tempFiles(await listRaw())).toEqual([]);
    expect((await readAll((await store.get('a'))!.body)).toString()).toBe('file');
  });

  it('an orphaned sidecar is invisible, and a file without sidecar reads with defaults', async () => {
    const { store, dir } = await fresh();
    await fsp.mkdir(path.join(dir, '.meta'), { recursive: true });
    await fsp.writeFile(path.join(dir, '.meta', 'orphan'), JSON.stringify({ version: 1, contentType: 'x/y', metadata: {} }));
    expect(await store.head('orphan')).toBeNull();

    await fsp.writeFile(path.join(dir, 'by-hand.jpg'), 'jpeg');
    expect(await store.head('by-hand.jpg')).toMatchObject({
      size: 4,
      contentType: 'application/octet-stream',
      metadata: {},
    });
  });

  it('a corrupt sidecar is reported with its path instead of being ignored', async () => {
    const { store, dir } = await fresh();
    await store.put('k', Buffer.from('x'));
    await fsp.writeFile(path.join(dir, '.meta', 'k'), '{not json');
    await expect(store.head('k')).rejects.toThrow(path.join(dir, '.meta', 'k'));
  });

  it('publicUrl joins MEDIA_BASE_URL and the encoded key', async () => {
    expect((await fresh('/media')).store.publicUrl('作品/1 2.png')).toBe('/media/%E4%BD%9C%E5%93%81/1%202.png');
    expect((await fresh('https://cdn.example.com/media/')).store.publicUrl('a/b.png')).toBe(
      'https://cdn.example.com/media/a/b.png',
    );
  });

  it('ping creates a missing directory', async () => {
    const { store, dir, listRaw } = await fresh();
    await store.ping();
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(tempFiles(await listRaw())).toEqual([]);
  });

  it('ping on a path under a regular file is a ServiceUnavailableError naming the directory', async () => {
    const { parent } = await fresh();
    const file = path.join(parent, 'not-a-dir');
    await fsp.writeFile(file, 'x');
    for (const dir of [path.join(file, 'blobs'), file]) {
      const store = new LocalBlobStore({ driver: 'local', dir, publicBaseUrl: '/media' });
      const error = await store.ping().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((error as ServiceUnavailableError).message).toContain(dir);
      expect((error as ServiceUnavailableError).message).toMatch(/regular file/);
      expect((error as ServiceUnavailableError).format()).toContain('BLOB_LOCAL_DIR');
    }
  });
});
