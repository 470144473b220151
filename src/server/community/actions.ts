// The community's writes: like/favorite (idempotent, unique per user and work), publish (owner only,
// idempotent), upload (a draft with its checked, re-encoded original). The database is written first and
// is the truth; caches are invalidated and refreshed after; jobs are enqueued last.
import { ConflictError, ForbiddenError } from '../../core/errors.ts';
import type { ReactionCounts } from '../../core/domain/hot-score.ts';
import type { User, Work } from '../../core/store/store.ts';
import { artworkNotFound, visibleWork } from './artworks.ts';
import type { CommunityDeps } from './deps.ts';
import { checkUploadedImage, newUploadId, originalKey, slugify } from './uploads.ts';

export type ReactionKind = 'like' | 'favorite';

export interface ReactionResult {
  work: Work;
  active: boolean;
  counts: ReactionCounts;
}

/** Add (`on`) or remove the viewer's like or favorite. Repeating a call changes nothing. */
export async function setReaction(services: CommunityDeps, viewer: User, workId: number, kind: ReactionKind, on: boolean): Promise<ReactionResult> {
  const { store, cache } = services;
  const work = await visibleWork(services, workId, viewer);
  if (work.status !== 'published') throw new ConflictError('作品尚未发布，发布后才能点赞或收藏', { code: 'not_published' });
  const repo = kind === 'like' ? store.likes : store.favorites;
  const changed = on ? await repo.add(viewer.id, work.id) : await repo.remove(viewer.id, work.id);
  if (kind === 'favorite' && changed) await cache.favoritesChanged(viewer.id);
  const counts = changed ? await cache.reactionChanged(work) : ((await store.works.reactionCounts(work.id)) ?? { likes: 0, favorites: 0 });
  return { work, active: on, counts };
}

/** draft → published by its owner; publishing again answers the same. */
export async function publishArtwork(services: CommunityDeps, viewer: User, workId: number): Promise<{ work: Work; changed: boolean }> {
  const { store, cache, jobs, log } = services;
  const work = await visibleWork(services, workId, viewer);
  if (work.ownerUserId !== viewer.id) throw new ForbiddenError('只有作者可以发布这件作品');
  const result = await store.works.publish(work.id);
  if (!result) throw artworkNotFound();
  if (result.changed) {
    // Visible at once: the feed and the owner's list are invalidated now, the job warms them again.
    await Promise.all([cache.feedChanged(), cache.userArtworksChanged(viewer.id), cache.reactionChanged(result.work)]);
    await jobs
      .enqueue('feed.update', { workId: work.id }, { jobId: `feed.update-${work.id}`, userId: viewer.id })
      .catch((error: unknown) => log.warn({ err: error, workId: work.id }, 'cannot enqueue feed.update; the caches refill on the next read'));
  }
  return result;
}

export interface UploadInput {
  file: Uint8Array;
  title?: string | undefined;
  prompt?: string | undefined;
}

/** Check and store an upload as a draft; the thumbnail is made by a job. */
export async function uploadArtwork(services: CommunityDeps, viewer: User, input: UploadInput): Promise<{ work: Work; imageUrl: string }> {
  const { store, blobs, jobs, log, config } = services;
  const image = await checkUploadedImage(input.file, config.community.upload);
  const uuid = newUploadId();
  const key = originalKey(uuid);
  await blobs.put(key, image.data, { contentType: image.contentType, metadata: { sha256: image.sha256, owner: String(viewer.id) } });
  let stored: { work: Work; imageId: number };
  try {
    stored = await store.transaction(async () => {
      const work = await store.works.upsert({
        source: 'community',
        externalId: uuid,
        slug: slugify(input.title),
        title: input.title?.trim() || null,
        prompt: input.prompt?.trim() || null,
        status: 'draft',
        ownerUserId: viewer.id,
        width: image.width,
        height: image.height,
      });
      const row = await store.images.ensure(work.id, 0, `upload:${uuid}`);
      await store.images.markOk(row.id, {
        blobKey: key, width: image.width, height: image.height, format: image.format, contentHash: image.sha256, sizeBytes: image.data.length,
      });
      return { work, imageId: row.id };
    });
  } catch (error) {
    await blobs.delete(key).catch(() => undefined);
    throw error;
  }
  await jobs
    .enqueue('thumbnail', { workId: stored.work.id, imageId: stored.imageId }, { jobId: `thumbnail-${stored.imageId}`, userId: viewer.id })
    .catch((error: unknown) => log.warn({ err: error, workId: stored.work.id }, 'cannot enqueue the thumbnail job; the original is shown instead'));
  return { work: stored.work, imageUrl: blobs.publicUrl(key) };
}
