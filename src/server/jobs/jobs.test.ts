// Both job queues run the same handlers: the thumbnail of an upload and the feed update after publishing.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteArtwork, publishArtwork, unpublishArtwork, updateArtwork, uploadArtwork } from '../community/actions.ts';
import { setPngText } from '../../core/media/png-text.ts';
import { ForbiddenError } from '../../core/errors.ts';
import { parseArtworkFields } from '../community/artwork-input.ts';
import { makeVideo } from '../../core/testing/videos.ts';
import { previewKey } from '../../core/media/video-derivatives.ts';
import { DEFAULT_THUMBNAIL_WIDTHS, thumbnailKey } from '../../core/media/thumbnails.ts';
import { createLogger } from '../../core/log.ts';
import { closedPort } from '../../core/testing/net.ts';
import { redisAvailability, testImage, testRedisPrefix, testServices } from '../testing/community.ts';
import { serviceGate, testConfig } from '../../core/testing/services.ts';
import { BullJobQueue } from './bullmq-job-queue.ts';
import { StoreJobQueue } from './store-job-queue.ts';
import type { JobHandlers } from './job-queue.ts';

const redisRuns = serviceGate('Redis (BullMQ jobs)', await redisAvailability());
const log = createLogger({ logLevel: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function uploadAndPublish(services: Awaited<ReturnType<typeof testServices>>) {
  const user = await services.store.users.create({ username: 'jobs_user', name: 'j' });
  const { work } = await uploadArtwork(services, user, { files: [await testImage('png', 800, 600)], fields: parseArtworkFields({ title: '任务测试' }) });
  await publishArtwork(services, user, work.id);
  await services.jobs.drain(20_000);
  return { user, work };
}

async function expectThumbnail(services: Awaited<ReturnType<typeof testServices>>, workId: number) {
  const [image] = await services.store.images.listByWork(workId);
  expect(image!.blobKey).toMatch(/^artworks\/original\/[0-9a-f-]{36}$/);
  // The ingest's key scheme and widths (an 800 px upload: 320 px and its own 800 px for 960).
  expect(image!.thumbnails).toEqual(Object.fromEntries(DEFAULT_THUMBNAIL_WIDTHS.map((w) => [String(w), thumbnailKey(image!.blobKey!, w)])));
  for (const key of Object.values(image!.thumbnails!)) expect(await services.blobs.head(key)).toMatchObject({ contentType: 'image/webp' });
}

describe('jobs', () => {
  it('in process: makes the thumbnail after an upload and warms the feed after publishing', async () => {
    const services = await testServices();
    cleanups.push(services.cleanup);
    expect(services.jobs.kind).toBe('store');
    const { work } = await uploadAndPublish(services);
    await expectThumbnail(services, work.id);
    expect(await services.store.jobs.countByStatus('thumbnail')).toMatchObject({ succeeded: 1, failed: 0 });
    expect(await services.store.jobs.countByStatus('feed.update')).toMatchObject({ succeeded: 1 });
  });

  it('in process: one work of several images with their recipes; edit, unpublish, delete; the files go after the grace period', async () => {
    const services = await testServices({ UPLOAD_DELETE_GRACE_HOURS: '0' });
    cleanups.push(services.cleanup);
    const user = await services.store.users.create({ username: 'poster', name: 'p' });
    const other = await services.store.users.create({ username: 'other', name: 'o' });
    const second = setPngText(await testImage('png', 64, 48), { parameters: 'second image\nSteps: 12, Sampler: Euler a, CFG scale: 5, Seed: 7' });
    const fields = parseArtworkFields({ title: '两张', prompt: 'first', seed: '1', loras: [{ name: 'Car LoRA', weight: 0.7 }], tags: ['汽车'], nsfwLevel: 'Soft' });
    const { work } = await uploadArtwork(services, user, { files: [await testImage('jpeg', 80, 60), second], fields });
    expect(work).toMatchObject({ status: 'draft', prompt: 'first', seed: '1', tags: ['汽车'], nsfwLevel: 'Soft' });
    const images = await services.store.images.listByWork(work.id);
    expect(images.map((i) => [i.imageIndex, i.recipe?.prompt, i.recipe?.seed])).toEqual([[0, 'first', '1'], [1, 'second image', '7']]);
    expect((await services.store.works.listModels(work.id)).map((m) => [m.modelType, m.modelName])).toEqual([['LORA', 'Car LoRA']]);

    await expect(updateArtwork(services, other, work.id, { steps: 0 })).rejects.toThrow('作品不存在'); // a draft: not even visible
    await expect(updateArtwork(services, user, work.id, { steps: 0 })).rejects.toThrow('步数须为 1 到 150 的整数');
    const edited = await updateArtwork(services, user, work.id, { title: '改过', prompt: 'edited', steps: 30, nsfwLevel: 'None' });
    expect(edited).toMatchObject({ title: '改过', prompt: 'edited', steps: 30, seed: null, tags: [], nsfwLevel: 'None' });
    expect((await services.store.images.listByWork(work.id))[0]!.recipe).toMatchObject({ prompt: 'edited', steps: 30, resources: [] });
    expect(await services.store.works.listModels(work.id)).toEqual([]);

    await publishArtwork(services, user, work.id);
    await expect(unpublishArtwork(services, other, work.id)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await unpublishArtwork(services, user, work.id)).status).toBe('draft');
    await services.jobs.drain(20_000);
    // Small images: every width points at the smallest thumbnail's one object (never upscaled).
    const keys = [...new Set((await services.store.images.listByWork(work.id)).flatMap((i) => [i.blobKey!, ...Object.values(i.thumbnails ?? {})]))];
    expect(keys).toHaveLength(2 + 2);
    for (const key of keys) expect(await services.blobs.head(key)).not.toBeNull();

    expect(await deleteArtwork(services, user, work.id)).toMatchObject({ files: keys.length });
    expect(await services.store.works.get(work.id)).toBeNull();
    await services.jobs.drain(20_000);
    for (const key of keys) expect(await services.blobs.head(key)).toBeNull();
    expect(await services.store.jobs.countByStatus('blobs.delete')).toMatchObject({ succeeded: 1 });
  });

  it('in process: a deletion\'s files job waits for the grace period', async () => {
    const services = await testServices({ UPLOAD_DELETE_GRACE_HOURS: '24' }, { startWorkers: false });
    cleanups.push(services.cleanup);
    const user = await services.store.users.create({ username: 'graceful', name: 'g' });
    const { work } = await uploadArtwork(services, user, { files: [await testImage('png')], fields: parseArtworkFields({}) });
    const { removeAfter } = await deleteArtwork(services, user, work.id);
    const job = await services.store.jobs.get(`blobs.delete-work-${work.id}`);
    expect(job).toMatchObject({ status: 'queued', payload: { keys: [expect.stringMatching(/^artworks\/original\//)] } });
    expect(job!.runAt.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect(removeAfter.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  });

  it('in process: a video cover and an image in one draft; the video gets its poster and preview, publishes like an image, and its files go on deletion', async () => {
    const services = await testServices({ UPLOAD_DELETE_GRACE_HOURS: '0' });
    cleanups.push(services.cleanup);
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-video-upload-'));
    cleanups.push(() => fsp.rm(dir, { recursive: true, force: true }));
    const clip = await makeVideo(path.join(dir, 'clip.webm'), { container: 'webm', width: 64, height: 48 });
    const still = setPngText(await testImage('png', 64, 48), { parameters: 'the still\nSteps: 12, Sampler: Euler a, CFG scale: 5, Seed: 7' });
    const user = await services.store.users.create({ username: 'video_user', name: 'v' });
    const { work } = await uploadArtwork(services, user, { files: [clip, still], fields: parseArtworkFields({ title: '视频' }) });
    expect(work.status).toBe('draft');
    await publishArtwork(services, user, work.id);
    await services.jobs.drain(20_000);
    const [image, second] = await services.store.images.listByWork(work.id);
    // The video carries no recipe (its metadata is dropped unread); the image keeps its own.
    expect(image).toMatchObject({ format: 'webm', width: 64, height: 48, status: 'OK', recipe: null });
    expect(second).toMatchObject({ format: 'png', recipe: { prompt: 'the still', seed: '7' } });
    expect(await services.blobs.head(image!.blobKey!)).toMatchObject({ contentType: 'video/webm' });
    // A 64 px poster: every configured width points at the smallest one's object (never upscaled).
    const smallest = thumbnailKey(image!.blobKey!, DEFAULT_THUMBNAIL_WIDTHS[0]!);
    expect(image!.thumbnails).toEqual(Object.fromEntries(DEFAULT_THUMBNAIL_WIDTHS.map((w) => [String(w), smallest])));
    for (const key of new Set(Object.values(image!.thumbnails!))) expect(await services.blobs.head(key)).toMatchObject({ contentType: 'image/webp' });
    expect(await services.blobs.head(previewKey(image!.blobKey!))).toMatchObject({ contentType: 'video/mp4' });
    expect((await services.store.works.get(work.id))?.status).toBe('published');
    expect(await services.store.jobs.countByStatus('thumbnail')).toMatchObject({ succeeded: 2, failed: 0 });

    await deleteArtwork(services, user, work.id);
    await services.jobs.drain(20_000);
    for (const key of [image!.blobKey!, smallest, previewKey(image!.blobKey!), second!.blobKey!]) expect(await services.blobs.head(key)).toBeNull();
  });

  it('in process: enqueueing with the same id is idempotent, and failures are recorded', async () => {
    const services = await testServices({}, { startWorkers: false });
    cleanups.push(services.cleanup);
    let runs = 0;
    const handlers: JobHandlers = {
      thumbnail: async () => {
        runs++;
        throw new Error('decoder exploded');
      },
      'feed.update': async () => ({}),
    };
    const queue = new StoreJobQueue({ store: services.store, handlers, log });
    cleanups.push(() => queue.close());
    const first = await queue.enqueue('thumbnail', { workId: 1, imageId: 1 }, { jobId: 'thumbnail-1', maxAttempts: 1 });
    const again = await queue.enqueue('thumbnail', { workId: 1, imageId: 1 }, { jobId: 'thumbnail-1', maxAttempts: 1 });
    expect(again).toBe(first);
    queue.start();
    await queue.drain(10_000);
    expect(runs).toBe(1);
    expect(await services.store.jobs.get(first)).toMatchObject({ status: 'failed', error: 'decoder exploded', attempts: 1 });
  });

  it('BullMQ with Redis unreachable: jobs go to the database queue and still run', async () => {
    const services = await testServices({}, { startWorkers: false });
    cleanups.push(services.cleanup);
    const handlers: JobHandlers = { thumbnail: async () => ({ ran: true }), 'feed.update': async () => ({}) };
    const fallback = new StoreJobQueue({ store: services.store, handlers, log });
    const queue = new BullJobQueue({ redisUrl: `redis://127.0.0.1:${await closedPort()}`, keyPrefix: 'x:', handlers, fallback, log });
    cleanups.push(() => queue.close());
    fallback.start();
    const id = await queue.enqueue('thumbnail', { workId: 1, imageId: 2 });
    await fallback.drain(10_000);
    expect(await services.store.jobs.get(id)).toMatchObject({ status: 'succeeded', result: { ran: true } });
  });

  it.runIf(redisRuns)('BullMQ: the same handlers make the thumbnail and update the feed', async () => {
    const prefix = testRedisPrefix();
    const services = await testServices({ REDIS_URL: testConfig.testing.redisUrl!, REDIS_KEY_PREFIX: prefix });
    cleanups.push(async () => {
      const keys = await services.redis!.client.keys(`${prefix}*`);
      if (keys.length > 0) await services.redis!.client.del(...keys);
      await services.cleanup();
    });
    expect(services.jobs.kind).toBe('bullmq');
    const { work } = await uploadAndPublish(services);
    await expectThumbnail(services, work.id);
    expect(await services.store.jobs.countByStatus()).toMatchObject({ queued: 0, succeeded: 0 }); // none fell back
    expect(await services.redis!.client.lrange(`${prefix}feed_queue`, 0, 0)).toEqual(['#']);
    expect(await services.redis!.client.lindex(`${prefix}feed_queue`, 1)).toBe(String(work.id));
  });
});
