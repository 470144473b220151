// The snapshot writer on both storage backends: every file validates with the site's readers, the
// content of works, authors and LoRAs, determinism, the diff, multi-chunk output and atomic replacement.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readSnapshotAuthors, readSnapshotDiff, readSnapshotLoras, readSnapshotManifest, readSnapshotWorks,
} from '../../src/core/snapshot/read-snapshot.ts';
import type { SnapshotWork } from '../../src/core/snapshot/schema.ts';
import type { Lora, Store, Work } from '../../src/core/store/store.ts';
import { previewKey } from '../../src/core/media/video-derivatives.ts';
import { thumbnailKey } from '../../src/core/media/thumbnails.ts';
import { BACKENDS, type TestBackend } from '../testing/backends.ts';
import { BASE_MODEL_DEFAULTS } from './suggested-params.ts';
import { formatDiffSummary, thumbSet, writeSnapshot, type WriteSnapshotOptions } from './write-snapshot.ts';

const CHUNK = 10;
const options: WriteSnapshotOptions = { chunkSize: CHUNK, pageSize: 7, thumbnailWidths: [320, 960] };
const minute = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 60_000);
/** The snapshot's files that must not depend on when it was written. */
const STABLE_FILES = ['authors.json', 'loras.json', 'works/works-0001.json', 'works/works-0002.json', 'works/works-0003.json'];

for (const backendSpec of BACKENDS) {
  describe(`writeSnapshot (${backendSpec.name})`, () => {
    let backend: TestBackend | null;
    let store: Store;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-snapshot-'));
    const snapshotDir = path.join(dir, 'snapshot');
    const fixture = {} as {
      works: Work[]; inkLora: Lora; fluxLora: Lora; linked: Work[]; mature: Work; community: Work; userTaken: Work; xy: Work[];
    };
    const write = (at: string, extra: WriteSnapshotOptions = {}, on: Store = store) =>
      writeSnapshot(on, backend!.blobs, snapshotDir, new Date(at), { ...options, ...extra });
    const url = (key: string) => backend!.blobs.publicUrl(key);
    const read = (name: string) => fs.readFileSync(path.join(snapshotDir, name), 'utf8');

    beforeAll(async () => {
      backend = await backendSpec.open();
      if (!backend) return;
      store = backend.store;
      const blobs = backend.blobs;
      const liblib = await store.authors.upsert({ source: 'liblib', externalId: 'a1', name: '车迷阿明', profileUrl: 'https://www.liblib.art/userpage/a1' });
      // Two Civitai usernames that authorUsername() maps to the same URL key, and a Liblib author whose key a user holds.
      const xSpace = await store.authors.upsert({ source: 'civitai', externalId: 'x y', name: 'x y' });
      const xSlash = await store.authors.upsert({ source: 'civitai', externalId: 'x/y', name: 'x/y' });
      // An upstream avatar URL is never exported: a1's stored copy is, and taken's (not downloaded) is nothing.
      await store.authors.upsert({ source: 'liblib', externalId: 'a1', name: '车迷阿明', avatarUrl: 'https://liblibai-online.liblib.cloud/img/a1/face.png' });
      await store.authors.setAvatar(liblib.id, {
        from: 'https://liblibai-online.liblib.cloud/img/a1/face.png', key: 'avatars/liblib/0123456789abcdef.png', width: 100, height: 100,
        thumbnails: [{ key: 'thumbs/48/avatars/liblib/0123456789abcdef.webp', width: 48 }, { key: 'thumbs/144/avatars/liblib/0123456789abcdef.webp', width: 100 }],
      });
      const taken = await store.authors.upsert({ source: 'liblib', externalId: 'taken', name: 'upstream', avatarUrl: 'https://thirdqq.qlogo.cn/ek_qqapp/x/100' });
      await store.users.create({ username: 'liblib-taken', name: 'squatter' });
      const alice = await store.users.create({ username: 'alice', name: '爱丽丝', profilePic: '/media/avatars/alice.png' });

      fixture.works = [];
      for (let i = 0; i < 22; i++) {
        const work = await store.works.upsert({
          source: i % 2 ? 'liblib' : 'civitai', externalId: `w${i}`, slug: `w${i}`, title: `作品 ${i}`, tags: i % 2 ? ['汽车交通'] : null,
          publishedAt: minute(i), authorId: i % 2 ? liblib.id : null, seed: '18446744073709551615',
          sampler: i < 5 ? 'Euler a' : 'DPM++ 2M', steps: 20 + i, cfgScale: 7, width: 832, height: 1216, sourceUrl: `https://www.liblib.art/imageinfo/w${i}`,
        });
        const image = await store.images.ensure(work.id, 0, `https://img/${i}.png`);
        if (i % 3) {
          // w20 is a video: its original is the clip, its thumbnails the poster's.
          const ext = i === 20 ? 'mp4' : 'png';
          await store.images.markOk(image.id, {
            blobKey: `liblib/x/${i}.${ext}`, width: 64, height: 48, format: ext, contentHash: `${i}`, sizeBytes: 10, thumbnails: { '320': `thumbs/320/liblib/x/${i}.webp` },
          });
        }
        fixture.works.push(work);
      }
      fixture.mature = await store.works.upsert({ source: 'civitai', externalId: 'mature', slug: 'mature', publishedAt: minute(30), authorId: xSpace.id, nsfwLevel: 'Mature', tags: ['portrait'] });
      fixture.xy = [fixture.mature, await store.works.upsert({ source: 'civitai', externalId: 'xy2', slug: 'xy2', publishedAt: minute(31), authorId: xSlash.id })];
      fixture.userTaken = await store.works.upsert({ source: 'liblib', externalId: 'by-taken', slug: 'by-taken', publishedAt: minute(32), authorId: taken.id });
      fixture.community = await store.works.upsert({ source: 'community', externalId: 'c1', slug: 'c1', publishedAt: minute(33), ownerUserId: alice.id });
      await store.works.upsert({ source: 'community', externalId: 'draft', slug: 'draft', status: 'draft', ownerUserId: alice.id });

      // An SDXL LoRA with a stored cover and thumbnail, referenced by four works (three linked); a FLUX one with neither.
      const coverKey = 'modelscope/loras/owner/ink/0_abc.png';
      await blobs.put(coverKey, Buffer.from('png'), { contentType: 'image/png', metadata: { width: '640', height: '960' } });
      await blobs.put(thumbnailKey(coverKey, 320), Buffer.from('webp'), { contentType: 'image/webp' });
      fixture.inkLora = await store.loras.upsert({
        source: 'modelscope', externalId: 'owner/ink', titleCn: '墨韵山水', coverKey, downloads: 500, baseModels: ['SDXL'], visionFoundation: 'SDXL',
        pageUrl: 'https://modelscope.cn/models/owner/ink', tagsCn: ['山水'], triggerWords: ['ink wash'], task: 'text-to-image-synthesis',
      });
      fixture.fluxLora = await store.loras.upsert({ source: 'modelscope', externalId: 'owner/flux', downloads: 900, baseModels: ['black-forest-labs/FLUX.1-dev'], visionFoundation: 'FLUX_1' });
      fixture.linked = [fixture.works[3]!, fixture.works[4]!, fixture.works[12]!];
      for (const work of [...fixture.linked, fixture.works[13]!]) {
        await store.works.replaceModels(work.id, [{ modelType: 'CHECKPOINT', modelName: 'SDXL 1.0' }, { modelType: 'LORA', modelName: '墨韵山水' }]);
      }
      const refs = await store.works.listModelsByWorks(fixture.linked.map((w) => w.id));
      await store.loras.replaceLinks([fixture.inkLora.id], refs.filter((r) => r.modelType === 'LORA').map((r) => ({
        loraId: fixture.inkLora.id, workModelId: r.id, method: 'name' as const, matched: '墨韵山水',
      })));
    });
    afterAll(async () => {
      await backend?.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('writes every file valid, published works newest first in chunks, counts per source, and a first-snapshot diff', async (context) => {
      if (!backend) return context.skip();
      const result = await write('2026-01-01T00:00:00Z');
      expect(result).toMatchObject({ works: 26, chunks: 3, authors: 5, loras: 2 });
      const works = await readSnapshotWorks(snapshotDir);
      expect(works).toHaveLength(26);
      expect(fs.readdirSync(path.join(snapshotDir, 'works')).sort()).toEqual(['works-0001.json', 'works-0002.json', 'works-0003.json']);
      expect(JSON.parse(read('works/works-0001.json'))).toHaveLength(CHUNK);
      expect(works.some((w) => w.externalId === 'draft')).toBe(false);
      const times = works.map((w) => Date.parse(w.publishedAt!));
      expect(times).toEqual([...times].sort((a, b) => b - a));

      const manifest = await readSnapshotManifest(snapshotDir);
      expect(manifest?.counts).toEqual({
        liblib: { works: 12, authors: 2, images: 7, loras: 0 },
        civitai: { works: 13, authors: 2, images: 7, loras: 0 },
        modelscope: { works: 0, authors: 0, images: 0, loras: 2 },
        community: { works: 1, authors: 1, images: 0, loras: 0 },
      });
      expect(await readSnapshotAuthors(snapshotDir)).toHaveLength(5);
      expect(await readSnapshotLoras(snapshotDir)).toHaveLength(2);
      const diff = await readSnapshotDiff(snapshotDir);
      expect(diff).toMatchObject({ previousGeneratedAt: null, loras: { added: 2, removed: 0, changed: 0 } });
      expect(diff!.works.liblib).toMatchObject({ added: 12, removed: 0, changed: 0 });
      expect(diff!.works.civitai!.addedIds[0]).toBe(String(fixture.xy[1]!.id)); // newest first
    });

    it('fills works: NSFW level, tags, images, author usernames and LoRA ids on model references', async (context) => {
      if (!backend) return context.skip();
      const works = new Map((await readSnapshotWorks(snapshotDir)).map((w) => [w.externalId, w] as [string, SnapshotWork]));
      expect(works.get('mature')).toMatchObject({ nsfwLevel: 'Mature', tags: ['portrait'], author: { id: 'civitai:x y', username: 'civitai-x_y', name: 'x y' } });
      expect(works.get('xy2')!.author!.username).toBe(`civitai-x_y~${fixture.xy[1]!.authorId}`);
      expect(works.get('by-taken')!.author).toMatchObject({ username: `liblib-taken~${fixture.userTaken.authorId}`, avatarUrl: null });
      expect(works.get('by-taken')!.author!.avatarThumbs).toBeUndefined();
      expect(works.get('c1')!.author).toEqual({ id: 'user:alice', username: 'alice', name: '爱丽丝', avatarUrl: '/media/avatars/alice.png' });
      expect(works.get('w1')).toMatchObject({
        source: 'liblib', nsfwLevel: 'None', tags: ['汽车交通'],
        author: {
          id: 'liblib:a1', username: 'liblib-a1', name: '车迷阿明', avatarUrl: url('avatars/liblib/0123456789abcdef.png'),
          avatarThumbs: [{ url: url('thumbs/48/avatars/liblib/0123456789abcdef.webp'), width: 48 }, { url: url('thumbs/144/avatars/liblib/0123456789abcdef.webp'), width: 100 }],
        },
        params: { seed: '18446744073709551615', width: 832, height: 1216 },
        images: [{ index: 0, url: url('liblib/x/1.png'), thumbUrl: url('thumbs/320/liblib/x/1.webp'), width: 64, height: 48 }],
      });
      expect(works.get('w1')!.images[0]!.video).toBeUndefined();
      expect(works.get('w20')!.images).toEqual([{
        index: 0, url: url('liblib/x/20.mp4'), thumbUrl: url('thumbs/320/liblib/x/20.webp'), width: 64, height: 48, recipe: null,
        // The poster's thumbnail, no wider than the 64 px poster itself.
        thumbs: [{ url: url('thumbs/320/liblib/x/20.webp'), width: 64 }],
        video: { contentType: 'video/mp4', previewUrl: url(previewKey('liblib/x/20.mp4')) },
      }]);
      expect(works.get('w0')!.images).toEqual([]); // not downloaded: not shown
      expect(works.get('w0')!.tags).toEqual([]);
      expect(works.get('w3')!.models).toEqual([
        { type: 'CHECKPOINT', name: 'SDXL 1.0', url: null, loraId: null, weight: null },
        { type: 'LORA', name: '墨韵山水', url: null, loraId: String(fixture.inkLora.id), weight: null },
      ]);
      expect(works.get('w3')!.completeness).toBe('partial'); // no recipe on its images: judged by its summary
      expect(works.get('w13')!.models[1]!.loraId).toBeNull(); // referenced but not linked
    });

    it('lists every author with works (source, profile, count) and every LoRA with cover, linked works and suggested parameters', async (context) => {
      if (!backend) return context.skip();
      const authors = await readSnapshotAuthors(snapshotDir);
      expect(authors.map((a) => a.username)).toEqual([...authors.map((a) => a.username)].sort());
      expect(authors.find((a) => a.username === 'liblib-a1')).toEqual({
        id: 'liblib:a1', username: 'liblib-a1', name: '车迷阿明', avatarUrl: url('avatars/liblib/0123456789abcdef.png'),
        avatarThumbs: [{ url: url('thumbs/48/avatars/liblib/0123456789abcdef.webp'), width: 48 }, { url: url('thumbs/144/avatars/liblib/0123456789abcdef.webp'), width: 100 }],
        source: 'liblib', profileUrl: 'https://www.liblib.art/userpage/a1', workCount: 11,
      });
      // No export names an upstream avatar.
      expect(read('authors.json')).not.toMatch(/liblib\.cloud|qlogo/);
      expect(authors.find((a) => a.username === 'alice')).toMatchObject({ source: 'community', workCount: 1, profileUrl: null });
      expect(authors.some((a) => a.name === 'squatter')).toBe(false); // a user without works

      const [flux, ink] = await readSnapshotLoras(snapshotDir); // most downloaded first
      expect(ink).toMatchObject({
        id: String(fixture.inkLora.id), externalId: 'owner/ink', titleCn: '墨韵山水', tagsCn: ['山水'], triggerWords: ['ink wash'],
        coverUrl: url('modelscope/loras/owner/ink/0_abc.png'), coverThumbUrl: url('thumbs/320/modelscope/loras/owner/ink/0_abc.webp'),
        coverWidth: 640, coverHeight: 960, pageUrl: 'https://modelscope.cn/models/owner/ink',
        // newest first; w13 references the name but was not linked
        workIds: [fixture.works[12]!.id, fixture.works[4]!.id, fixture.works[3]!.id].map(String),
        // steps 23, 24, 32 → median 24; samplers Euler a (w3, w4) and DPM++ 2M (w12) → Euler a
        suggestedParams: { basedOn: 'works', sampleSize: 3, steps: 24, cfgScale: 7, sampler: 'Euler a', width: 832, height: 1216, weight: BASE_MODEL_DEFAULTS.sdxl.weight },
      });
      expect(flux).toMatchObject({
        coverUrl: null, coverThumbUrl: null, coverWidth: null, coverHeight: null, workIds: [],
        suggestedParams: { ...BASE_MODEL_DEFAULTS.flux, basedOn: 'defaults', sampleSize: 0 },
      });
    });

    it('is deterministic: the same Store gives byte-identical files apart from generatedAt', async (context) => {
      if (!backend) return context.skip();
      const before = Object.fromEntries(STABLE_FILES.map((name) => [name, read(name)]));
      const manifestBefore = JSON.parse(read('manifest.json'));
      fs.writeFileSync(path.join(snapshotDir, 'works', 'works-0009.json'), '[]'); // a stale chunk must not survive
      const result = await write('2026-01-02T00:00:00Z');
      for (const name of STABLE_FILES) expect(read(name), name).toBe(before[name]);
      expect({ ...JSON.parse(read('manifest.json')), generatedAt: 'x' }).toEqual({ ...manifestBefore, generatedAt: 'x' });
      expect(fs.readdirSync(path.join(snapshotDir, 'works')).sort()).toEqual(['works-0001.json', 'works-0002.json', 'works-0003.json']);
      expect(fs.readdirSync(dir).filter((name) => name.includes('staging') || name.includes('previous'))).toEqual([]);
      // nothing changed since the first snapshot
      expect(result.diff).toMatchObject({ previousGeneratedAt: '2026-01-01T00:00:00.000Z', loras: { added: 0, removed: 0, changed: 0 } });
      expect(Object.values(result.diff.works).map((d) => [d!.added, d!.removed, d!.changed])).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    });

    it('reports added, removed and changed works and LoRAs per source against the previous snapshot', async (context) => {
      if (!backend) return context.skip();
      const added = await store.works.upsert({ source: 'liblib', externalId: 'new', slug: 'new', publishedAt: minute(40) });
      await store.works.setStatus(fixture.works[0]!.id, 'draft'); // civitai w0 leaves the site
      await store.works.upsert({ source: 'liblib', externalId: 'w5', slug: 'w5', title: '改过的标题' });
      await store.loras.upsert({ source: 'modelscope', externalId: 'owner/flux', downloads: 901 });
      const newLora = await store.loras.upsert({ source: 'modelscope', externalId: 'owner/new', downloads: 1 });
      const result = await write('2026-01-03T00:00:00Z');
      const diff = await readSnapshotDiff(snapshotDir);
      expect(diff).toEqual(result.diff);
      expect(diff!.previousGeneratedAt).toBe('2026-01-02T00:00:00.000Z');
      expect(diff!.works.liblib).toEqual({ added: 1, removed: 0, changed: 1, addedIds: [String(added.id)], removedIds: [], changedIds: [String(fixture.works[5]!.id)] });
      expect(diff!.works.civitai).toMatchObject({ added: 0, removed: 1, changed: 0, removedIds: [String(fixture.works[0]!.id)] });
      expect(diff!.works.community).toMatchObject({ added: 0, removed: 0, changed: 0 });
      expect(diff!.loras).toEqual({ added: 1, removed: 0, changed: 1, addedIds: [String(newLora.id)], removedIds: [], changedIds: [String(fixture.fluxLora.id)] });
      expect(formatDiffSummary(diff!)).toBe('liblib +1 −0 ~1, civitai +0 −1 ~0, community +0 −0 ~0, loras +1 −0 ~1');
    });

    it('leaves the previous snapshot whole when writing fails midway', async (context) => {
      if (!backend) return context.skip();
      const before = Object.fromEntries(['manifest.json', 'diff.json', ...STABLE_FILES].map((name) => [name, read(name)]));
      let calls = 0;
      const failing: Store = {
        ...store,
        images: { ...store.images, listByWorks: async (ids) => (++calls === 3 ? Promise.reject(new Error('database went away')) : store.images.listByWorks(ids)) },
      };
      await expect(write('2026-01-04T00:00:00Z', {}, failing)).rejects.toThrow('database went away');
      expect(calls).toBe(3); // a chunk was already written to staging
      for (const [name, text] of Object.entries(before)) expect(read(name), name).toBe(text);
      expect(fs.readdirSync(dir).filter((name) => name.includes('staging') || name.includes('previous'))).toEqual([]);
    });
  });
}

describe('thumbSet', () => {
  it('lists every stored thumbnail once by pixel width, narrowest first, never wider than the original', () => {
    expect(thumbSet({ '960': 'thumbs/960/a.webp', '320': 'thumbs/320/a.webp' }, 2048)).toEqual([
      { key: 'thumbs/320/a.webp', width: 320 },
      { key: 'thumbs/960/a.webp', width: 960 },
    ]);
    // A 300 px original: both widths point at one object of the original's width.
    expect(thumbSet({ '320': 'thumbs/320/a.webp', '960': 'thumbs/320/a.webp' }, 300)).toEqual([{ key: 'thumbs/320/a.webp', width: 300 }]);
    expect(thumbSet({ '320': 'thumbs/320/a.webp' }, null)).toEqual([{ key: 'thumbs/320/a.webp', width: 320 }]);
    expect(thumbSet(null, 1024)).toEqual([]);
  });
});
