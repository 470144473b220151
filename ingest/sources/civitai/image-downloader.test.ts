// The ImageDownloader against the offline fake Civitai, through the real polite HTTP client.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExifReader from 'exifreader';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isBrokenVideo, startFakeCivitai, type FakeCivitai } from '../../../fakes/civitai/server.ts';
import type { FakeCivitaiImage } from '../../../fakes/civitai/catalogue.ts';
import { ContractError } from '../../../src/core/errors.ts';
import { createLogger } from '../../../src/core/log.ts';
import { HostPool } from '../../http/host-pool.ts';
import { PoliteHttpClient } from '../../http/polite-http-client.ts';
import { CivitaiAuthError, CivitaiClient, type WalkedPage } from './civitai-client.ts';
import { INDEX_FILE } from './download-index.ts';
import { ImageDownloader, InsufficientDiskSpaceError, type ImageDownloaderOptions } from './image-downloader.ts';
import type { ImageDownloadTask, TaskStatus } from './image-download-task.ts';
import { labelOfBrowsingLevel } from './nsfw.ts';

const logger = createLogger({ logLevel: 'silent' });
const ALL = ['None', 'Soft', 'Mature', 'X'] as const;
let fake: FakeCivitai;
const dirs: string[] = [];
const pools: HostPool[] = [];

beforeAll(async () => {
  fake = await startFakeCivitai({ busyRetryAfterSeconds: 0 });
});
afterEach(async () => {
  fake.setFaults({});
  fake.setDrift({});
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await fake.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-civitai-'));
  dirs.push(dir);
  return dir;
}

function http(): HostPool {
  const pool = new HostPool(() => new PoliteHttpClient({ rps: 500, burst: 20, logger, maxRetries: 4, baseDelayMs: 5, maxDelayMs: 40, headersTimeoutMs: 1500, bodyTimeoutMs: 1500, stageConcurrency: { media: 8 } }));
  pools.push(pool);
  return pool;
}

function downloader(options: ImageDownloaderOptions & { apiKey?: string } = {}): ImageDownloader {
  const pool = http();
  return new ImageDownloader({ outputPath: tempDir(), pageSize: 7, http: pool, api: new CivitaiClient(pool, { apiBase: fake.apiBaseUrl, apiKey: options.apiKey }), ...options });
}

/** What the API would list for a filter at these levels (before our per-item check), newest first. */
function expected(filter: (image: FakeCivitaiImage) => boolean, levels: readonly string[] = ['None', 'Soft']): FakeCivitaiImage[] {
  return fake.catalogue.images
    .filter(filter)
    .filter((image) => levels.includes(labelOfBrowsingLevel(image.browsingLevel)))
    .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
}

const biggestModel = () => [...fake.catalogue.models].sort((a, b) => b.versions.flatMap((v) => v.imageIds).length - a.versions.flatMap((v) => v.imageIds).length)[0]!;
const imageRequests = () => fake.requests.filter((r) => r.endpoint === 'image-file');
const listRequests = () => fake.requests.filter((r) => r.endpoint === 'images');

describe('download modes', () => {
  it('downloads a video item as .mp4 with a WebP thumbnail of its poster frame; a clip cut short fails; video: null skips them', async () => {
    const listed = (i: FakeCivitaiImage) => i.type === 'video' && i.modelId !== null && ['None', 'Soft'].includes(labelOfBrowsingLevel(i.browsingLevel));
    const video = fake.catalogue.images.find((i) => listed(i) && !isBrokenVideo(i.id))!;
    const d = downloader({ generateThumbnails: true });
    await d.downloadModelImages(video.modelId!);
    const task = d.getAllTasks().find((t) => t.imageId === video.id)!;
    expect(task.status, task.error ?? '').toBe('done');
    expect(task.imagePath).toMatch(/\.mp4$/);
    expect(fs.readFileSync(task.imagePath!).subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect((await sharp(task.thumbnailPath!).metadata()).format).toBe('webp');
    for (const broken of d.getAllTasks().filter((t) => isBrokenVideo(t.imageId) && fake.catalogue.image(t.imageId)!.type === 'video')) {
      expect(broken.status).toBe('failed');
    }
    const stills = downloader({ video: null });
    await stills.downloadModelImages(video.modelId!);
    expect(stills.getAllTasks().find((t) => t.imageId === video.id)).toMatchObject({ status: 'skipped', skipReason: 'not-an-image' });
  });

  it('downloadModelImages: every image of the model within the NSFW filter, at {model_id}/{id}, with json metadata', async () => {
    const model = biggestModel();
    const d = downloader();
    const ids = await d.downloadModelImages(model.id);
    // Videos are downloaded too (a clip the fake serves cut short fails its task).
    const want = expected((image) => image.modelId === model.id);
    expect(want.length).toBeGreaterThan(5);
    const done = d.getAllTasks().filter((t) => t.status === 'done');
    const wanted = new Set(want.map((w) => w.id));
    expect(done.every((t) => wanted.has(t.imageId))).toBe(true);
    expect(d.getAllTasks().filter((t) => t.status === 'skipped').every((t) => t.skipReason?.startsWith('duplicate') || t.skipReason === 'not-an-image')).toBe(true);
    expect(ids).toHaveLength(d.getAllTasks().length);
    expect(done.length).toBeGreaterThan(5);
    for (const task of done) {
      expect(path.relative(d.config.outputPath, task.imagePath!)).toMatch(new RegExp(`^${model.id}/${task.imageId}\\.(png|jpg|webp|mp4)$`));
      const json = JSON.parse(fs.readFileSync(task.metadataPath!, 'utf8'));
      expect(json).toMatchObject({ id: task.imageId, modelId: model.id, modelName: model.name, source: 'civitai' });
      expect(json).toHaveProperty('meta');
      expect(task.modelName).toBe(model.name);
    }
    // every listed image became a task, and nothing outside the filter did
    const listed = new Set(expected((image) => image.modelId === model.id).map((w) => w.id));
    for (const task of d.getAllTasks()) expect(listed.has(task.imageId) || fake.catalogue.image(task.imageId)!.leaks).toBe(true);
    expect(d.getAllTasks().filter((t) => t.status === 'failed')).toEqual([]);
  });

  it('downloadVersionImages, downloadCreatorImages (default limit 20), downloadFilteredImages and downloadSingleImage', async () => {
    const d = downloader({ pathTemplate: 'by-creator' });
    const version = biggestModel().versions.find((v) => v.imageIds.length > 3)!;
    const versionIds = await d.downloadVersionImages(version.id, { nsfwLevels: 'all' });
    expect(versionIds.map((id) => d.getTask(id)!.imageId).sort()).toEqual(
      expected((image) => image.versionId === version.id, ALL).map((i) => i.id).sort(),
    );
    expect(d.getTask(versionIds[0]!)!.versionId).toBe(version.id);

    const creator = fake.catalogue.creators[0]!;
    const creatorIds = await d.downloadCreatorImages(creator.username, { nsfwLevels: 'all' });
    expect(creatorIds.length).toBe(Math.min(20, expected((image) => image.creator === creator, ALL).length));
    expect(creatorIds.every((id) => d.getTask(id)!.creator === creator.username)).toBe(true);

    const post = fake.catalogue.images.find((image) => image.browsingLevel === 1)!.postId;
    const filtered = await d.downloadFilteredImages({ postId: post });
    expect(filtered.map((id) => d.getTask(id)!.imageId).sort()).toEqual(expected((image) => image.postId === post).map((i) => i.id).sort());
    await expect(d.downloadFilteredImages({ cursor: 'x' })).rejects.toThrow(/set by the downloader/);

    const single = fake.catalogue.images.find((image) => image.type === 'image' && image.browsingLevel === 1 && !image.sharedFrom)!;
    const custom = path.join(tempDir(), 'picked', 'my-image.jpg');
    const fresh = downloader();
    const task = fresh.getTask(await fresh.downloadSingleImage(single.id, { outputPath: custom }))!;
    expect(task.status).toBe('done');
    expect(task.imagePath).toBe(custom.replace(/\.jpg$/, `.${single.content.format === 'jpeg' ? 'jpg' : single.content.format}`));
    expect(fs.existsSync(task.metadataPath!)).toBe(true);
    const hidden = fake.catalogue.images.find((image) => image.browsingLevel >= 8 && !image.leaks)!;
    await expect(d.downloadSingleImage(hidden.id)).rejects.toThrow(/no image .* within the NSFW levels None, Soft/);
  });
});

describe('cursor paging', () => {
  it('passes each nextCursor back unchanged, goes on after an empty page with a cursor, and stops at the last page', async () => {
    const model = biggestModel();
    const client = new CivitaiClient(http(), { apiBase: fake.apiBaseUrl });
    fake.clearRequests();
    const pages: WalkedPage[] = [];
    for await (const page of client.pages({ filters: { modelId: model.id, sort: 'Newest' }, levels: ALL, pageSize: 3 })) pages.push(page);
    const requests = listRequests();
    expect(requests).toHaveLength(pages.length);
    expect(requests[0]!.query.cursor).toBeUndefined();
    pages.slice(1).forEach((page, i) => {
      expect(page.cursor).toBe(pages[i]!.nextCursor);
      expect(requests[i + 1]!.query.cursor).toBe(pages[i]!.nextCursor);
    });
    expect(pages.some((p) => p.items.length === 0 && p.nextCursor)).toBe(true); // the fake's empty page
    expect(new Set(pages.map((p) => p.nextCursor?.split(/[:|]/)[0]))).toContain('feed'); // opaque forms vary
    expect(pages.at(-1)!.nextCursor).toBeNull();
    const ids = pages.flatMap((p) => p.items.map((i) => i.id));
    expect(ids).toEqual(expected((image) => image.modelId === model.id, ALL).map((i) => i.id).filter((id) => ids.includes(id)));
    expect(new Set(ids).size).toBe(ids.length);
    expect(requests.every((r) => r.query.withMeta === 'true' && r.query.browsingLevel === '31' && r.query.page === undefined)).toBe(true);
  });

  it('stops at the limit in the middle of a page, without asking for more pages', async () => {
    const d = downloader({ pageSize: 4 });
    fake.clearRequests();
    const ids = await d.downloadModelImages(biggestModel().id, { limit: 6, nsfwLevels: 'all' });
    expect(ids).toHaveLength(6);
    // pages of 4: the 6th image is on the 2nd (or, after the fake's empty page, 3rd) page; nothing after
    expect(listRequests().length).toBeLessThanOrEqual(3);
    expect(listRequests().every((r) => r.query.limit === '4')).toBe(true);
  });

  it('follows the cursor inside nextPage when nextCursor is null (the early-2024 bug)', async () => {
    const quirky = await startFakeCivitai({ cursorOnlyInNextPage: true, emptyPages: false });
    try {
      const client = new CivitaiClient(http(), { apiBase: quirky.apiBaseUrl });
      const seen: number[] = [];
      for await (const page of client.pages({ filters: { sort: 'Most Reactions' }, levels: ['None'], pageSize: 50 })) {
        expect(page.nextCursor).toBeNull();
        seen.push(...page.items.map((i) => i.id));
      }
      expect(seen.length).toBe(quirky.catalogue.images.filter((i) => i.browsingLevel === 1 || i.leaks).length);
    } finally {
      await quirky.close();
    }
  });
});

describe('NSFW filtering', () => {
  it('asks for the levels and drops items the API returned beyond them', async () => {
    const d = downloader();
    fake.clearRequests();
    await d.downloadFilteredImages({ sort: 'Newest' }, { limit: 0, nsfwLevels: ['None'] });
    expect(listRequests()[0]!.query).toMatchObject({ browsingLevel: '1', nsfw: 'None' });
    const leaked = fake.catalogue.images.filter((i) => i.leaks && i.browsingLevel !== 1);
    expect(leaked.length).toBeGreaterThan(0);
    expect(d.summary().filteredByNsfw).toBe(leaked.length);
    for (const task of d.getAllTasks()) expect(task.nsfwLevel).toBe('None');
    expect(d.getAllTasks()).toHaveLength(fake.catalogue.images.filter((i) => i.browsingLevel === 1).length);
  });
});

describe('metadata formats', () => {
  it('txt is the A1111 parameters layout; exif is embedded and reads back', async () => {
    const model = biggestModel();
    const txt = downloader({ metadataFormat: 'txt' });
    await txt.downloadModelImages(model.id, { limit: 8 });
    const withPrompt = txt.getAllTasks().filter((t) => t.status === 'done' && t.metadata?.steps !== null && t.metadata?.prompt);
    expect(withPrompt.length).toBeGreaterThan(0);
    for (const task of withPrompt) {
      const lines = fs.readFileSync(task.metadataPath!, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe(task.metadata!.prompt);
      expect(lines.at(-1)).toMatch(/^Steps: \d+, Sampler: .+, CFG scale: [\d.]+, Seed: \d+, Size: \d+x\d+/);
    }

    const exif = downloader({ metadataFormat: 'exif' });
    await exif.downloadModelImages(model.id, { limit: 8 });
    const tasks = exif.getAllTasks().filter((t) => t.status === 'done');
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      expect(task.metadataPath).toBe(task.imagePath);
      const bytes = fs.readFileSync(task.imagePath!);
      const tags = ExifReader.load(bytes);
      expect(tags.XPTitle?.description).toBe(`https://civitai.com/images/${task.imageId}`);
      if (task.metadata!.prompt) expect(tags.XPComment?.description.split('\n')[0]).toBe(task.metadata!.prompt);
      await sharp(bytes).stats(); // still a valid image
      expect(task.sha256).toBe(JSON.parse(fs.readFileSync(path.join(exif.config.outputPath, INDEX_FILE), 'utf8').split('\n').find((l) => l.includes(`"imageId":${task.imageId},`))!).sha256);
    }
  });
});

describe('dedupe and skip-existing', () => {
  const sharedUrl = () => fake.catalogue.images.find((i) => i.sharedUrl)!;
  const sharedContent = () => fake.catalogue.images.find((i) => i.sharedFrom !== null && !i.sharedUrl)!;

  it('skips on a second run without any image request', async () => {
    const d = downloader();
    const model = biggestModel();
    await d.downloadModelImages(model.id, { limit: 10 });
    const first = d.summary();
    fake.clearRequests();
    const again = downloader({ outputPath: d.config.outputPath });
    await again.downloadModelImages(model.id, { limit: 10 });
    expect(imageRequests()).toHaveLength(0);
    expect(again.summary().skipped).toBe(10);
    expect(again.getAllTasks().filter((t) => t.skipReason === 'exists').length).toBe(first.done);
    // --no-skip-existing fetches them again
    const forced = downloader({ outputPath: d.config.outputPath, skipExisting: false });
    await forced.downloadModelImages(model.id, { limit: 3 });
    expect(forced.summary().done).toBe(3);
  });

  for (const [name, pick, reason] of [['URL', sharedUrl, 'duplicate-url'], ['content', sharedContent, 'duplicate-content']] as const) {
    it(`same ${name}: skip, replace and keep-both`, async () => {
      const duplicate = pick();
      const original = fake.catalogue.image(duplicate.sharedFrom!)!;
      const outcomes: Record<string, { task: ImageDownloadTask; files: string[] }> = {};
      for (const policy of ['skip', 'replace', 'keep-both'] as const) {
        const d = downloader({ onDuplicate: policy, defaultNsfwFilter: ALL });
        const first = d.getTask(await d.downloadSingleImage(original.id))!;
        fake.clearRequests();
        const second = d.getTask(await d.downloadSingleImage(duplicate.id))!;
        const files = fs.readdirSync(d.config.outputPath, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(png|jpg|webp)$/.test(f)).sort();
        outcomes[policy] = { task: second, files };
        expect(first.status).toBe('done');
        if (reason === 'duplicate-url') expect(imageRequests()).toHaveLength(0); // never fetched again
      }
      expect(outcomes.skip!.task).toMatchObject({ status: 'skipped', skipReason: reason, duplicateOf: original.id });
      expect(outcomes.skip!.files).toHaveLength(1);
      expect(outcomes.replace!.task.status).toBe('done');
      expect(outcomes.replace!.files).toHaveLength(1);
      expect(outcomes.replace!.files[0]).toContain(String(duplicate.id));
      expect(outcomes['keep-both']!.task.status).toBe('done');
      expect(outcomes['keep-both']!.files).toHaveLength(2);
    });
  }
});

describe('tasks, callbacks, faults, limits', () => {
  it('fires the callback exactly once per image and moves tasks through their states, failures included', async () => {
    const model = biggestModel();
    const victim = expected((image) => image.modelId === model.id && image.type === 'image' && !image.sharedFrom)[0]!;
    fake.setFaults({ failing: { paths: [victim.path], status: 404 } });
    const history = new Map<string, TaskStatus[]>();
    const d = downloader({
      progress: { onTask: (task) => { const h = history.get(task.id) ?? []; if (h.at(-1) !== task.status) h.push(task.status); history.set(task.id, h); } },
    });
    const calls = new Map<string, number>();
    d.onImageDownloaded((task) => void calls.set(task.id, (calls.get(task.id) ?? 0) + 1));
    d.registerImageDownloadedCallback(() => { throw new Error('a broken callback does not break the download'); });
    const ids = await d.downloadModelImages(model.id);
    expect([...calls.keys()].sort()).toEqual([...ids].sort());
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    const failed = d.getAllTasks().find((t) => t.imageId === victim.id)!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/HTTP 404/);
    expect(history.get(failed.id)).toEqual(['queued', 'downloading', 'failed']);
    for (const task of d.getAllTasks().filter((t) => t.status === 'done')) expect(history.get(task.id)).toEqual(['queued', 'downloading', 'done']);
  });

  it('gets through 5xx, 503 Retry-After, 429, resets and truncated images, at most max_concurrent downloads at once', async () => {
    fake.setFaults({
      seed: 3,
      list: { schedule: ['503', '500', '429'], rate5xx: 0.1, retryAfterSeconds: 0 },
      image: { schedule: ['reset', 'truncate', 'html200'], rate5xx: 0.1, resetRate: 0.05, latencyMs: 5 },
    });
    const d = downloader({ maxConcurrent: 3, retryDelayMs: 5 });
    fake.clearRequests();
    await d.downloadModelImages(biggestModel().id);
    expect(d.summary().failed).toBe(0);
    expect(d.summary().done).toBeGreaterThan(5);
    expect(fake.requests.filter((r) => r.fault !== null).length).toBeGreaterThanOrEqual(6);
    expect(fake.maxInFlight('image-file')).toBeLessThanOrEqual(3);
  });

  it('refuses a batch when the disk is too full, with a clear error and no download', async () => {
    const d = downloader({ freeBytes: async () => 50 * 1024 * 1024 });
    fake.clearRequests();
    const error = await d.downloadModelImages(biggestModel().id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientDiskSpaceError);
    expect((error as Error).message).toMatch(/not enough free disk space in .*: 50 MiB free, the next \d+ image\(s\) need about \d+ MiB/);
    expect(imageRequests()).toHaveLength(0);
    expect(d.getAllTasks().every((t) => t.status === 'failed')).toBe(true);
  });

  it('writes thumbnails fitted in the configured box', async () => {
    const d = downloader({ generateThumbnails: true, thumbnailSize: [64, 48] });
    await d.downloadModelImages(biggestModel().id, { limit: 4 });
    for (const task of d.getAllTasks().filter((t) => t.status === 'done')) {
      expect(task.thumbnailPath).toContain(`${path.sep}thumbnails${path.sep}`);
      const meta = await sharp(task.thumbnailPath!).metadata();
      expect(meta.format).toBe('webp');
      expect(meta.width).toBeLessThanOrEqual(64);
      expect(meta.height).toBeLessThanOrEqual(48);
    }
  });

  it('sends CIVITAI_API_KEY as a Bearer token; 401 and 403 say what is wrong', async () => {
    const locked = await startFakeCivitai({ auth: { keys: ['good-key'], forbidden: ['weak-key'], required: true } });
    try {
      const make = (apiKey?: string) => {
        const pool = http();
        return new ImageDownloader({ outputPath: tempDir(), http: pool, api: new CivitaiClient(pool, { apiBase: locked.apiBaseUrl, apiKey }) });
      };
      await make('good-key').downloadModelImages(locked.catalogue.models[0]!.id, { limit: 2 });
      const api = locked.requests.filter((r) => r.endpoint !== 'image-file');
      expect(api.every((r) => r.authorization === 'Bearer good-key')).toBe(true);
      expect(locked.requests.filter((r) => r.endpoint === 'image-file').every((r) => r.authorization === null)).toBe(true);
      const missing = await make().downloadModelImages(locked.catalogue.models[0]!.id).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(CivitaiAuthError);
      expect((missing as Error).message).toMatch(/401 Unauthorized.*CIVITAI_API_KEY is not set/);
      const wrong = await make('bad-key').downloadCreatorImages('x').catch((e: unknown) => e);
      expect((wrong as Error).message).toMatch(/refused the API key.*wrong or revoked/);
      const weak = await make('weak-key').downloadCreatorImages('x').catch((e: unknown) => e);
      expect((weak as Error).message).toMatch(/403 Forbidden.*lacks the rights/);
    } finally {
      await locked.close();
    }
  });

  it('rejects a drifted page as a ContractError naming the JSON path', async () => {
    const model = biggestModel();
    const first = expected((image) => image.modelId === model.id)[0]!;
    fake.setDrift({ [first.id]: 'idString' });
    const error = await downloader().downloadModelImages(model.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).issues[0]!.path).toMatch(/^items\[\d+\]\.id$/);
  });
});
