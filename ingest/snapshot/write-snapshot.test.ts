import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/lib/blob/local-blob-store.ts';
import { readSnapshotManifest, readSnapshotWorks } from '../../src/lib/snapshot/read-snapshot.ts';
import { openMigratedStore } from '../../src/lib/store/create-store.ts';
import type { Store } from '../../src/lib/store/store.ts';
import { writeSnapshot } from './write-snapshot.ts';

describe('writeSnapshot', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-snapshot-'));
  const snapshotDir = path.join(dir, 'snapshot');
  let store: Store;
  const blobs = new LocalBlobStore({ driver: 'local', dir: path.join(dir, 'blobs'), publicBaseUrl: '/media' });

  beforeAll(async () => {
    store = await openMigratedStore({ kind: 'sqlite', file: path.join(dir, 'huaku.db') });
    const author = await store.authors.upsert({ source: 'liblib', externalId: 'a1', name: '车迷阿明' });
    await store.transaction(async (tx) => {
      for (let i = 0; i < 1005; i++) {
        const work = await tx.works.upsert({
          source: i % 2 ? 'liblib' : 'civitai', externalId: `w${i}`, slug: `w${i}`, title: `作品 ${i}`,
          publishedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000), authorId: i % 2 ? author.id : null, seed: '18446744073709551615',
        });
        const image = await tx.images.ensure(work.id, 0, `https://img/${i}.png`);
        if (i % 3) await tx.images.markOk(image.id, { blobKey: `liblib/x/${i}.png`, width: 64, height: 48, format: 'png', contentHash: `${i}`, sizeBytes: 10, thumbnails: { '320': `thumbs/320/liblib/x/${i}.webp` } });
      }
      await tx.works.upsert({ source: 'community', externalId: 'draft', slug: 'draft', status: 'draft' });
      const withModels = await tx.works.upsert({ source: 'liblib', externalId: 'w1', slug: 'w1' });
      await tx.works.replaceModels(withModels.id, [{ modelType: 'LORA', modelName: 'Car LoRA' }]);
    });
  });
  afterAll(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes published works newest first in validated chunks, with a manifest written last', async () => {
    const result = await writeSnapshot(store, blobs, snapshotDir, new Date('2026-01-01T00:00:00Z'));
    expect(result).toMatchObject({ works: 1005, chunks: 2 });
    const manifest = await readSnapshotManifest(snapshotDir);
    expect(manifest?.counts).toEqual({ liblib: { works: 502, authors: 1 }, civitai: { works: 503, authors: 0 } });
    const works = await readSnapshotWorks(snapshotDir);
    expect(works).toHaveLength(1005);
    expect(works.some((w) => w.externalId === 'draft')).toBe(false);
    const times = works.map((w) => Date.parse(w.publishedAt!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const w1 = works.find((w) => w.externalId === 'w1')!;
    expect(w1).toMatchObject({
      source: 'liblib',
      author: { name: '车迷阿明' },
      params: { seed: '18446744073709551615', width: null },
      images: [{ index: 0, url: '/media/liblib/x/1.png', thumbUrl: '/media/thumbs/320/liblib/x/1.webp', width: 64, height: 48 }],
      models: [{ type: 'LORA', name: 'Car LoRA', url: null }],
    });
    expect(works.find((w) => w.externalId === 'w0')!.images).toEqual([]); // not downloaded: not shown
  });

  it('is deterministic and replaces the previous snapshot whole', async () => {
    const at = new Date('2026-01-02T00:00:00Z');
    await writeSnapshot(store, blobs, snapshotDir, at);
    const first = fs.readFileSync(path.join(snapshotDir, 'works', 'works-0001.json'), 'utf8');
    fs.writeFileSync(path.join(snapshotDir, 'works', 'works-0009.json'), '[]'); // a stale chunk must not survive
    await writeSnapshot(store, blobs, snapshotDir, at);
    expect(fs.readFileSync(path.join(snapshotDir, 'works', 'works-0001.json'), 'utf8')).toBe(first);
    expect(fs.readdirSync(path.join(snapshotDir, 'works')).sort()).toEqual(['works-0001.json', 'works-0002.json']);
    expect(fs.readdirSync(dir).filter((name) => name.includes('staging') || name.includes('previous'))).toEqual([]);
  });
});
