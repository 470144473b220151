// The community's writes: like/favorite (idempotent, unique per user and work), publish (owner only,
// idempotent), upload (a draft with its checked, re-encoded original). The database is written first and
// is the truth; caches are invalidated and refreshed after; jobs are enqueued last.
import { ConflictError, ForbiddenError } from '../../core/errors.ts';
import type { ReactionCounts } from '../../core/domain/hot-score.ts';
import type { User, Work, WorkModelInput } from '../../core/store/store.ts';
import { artworkNotFound, visibleWork } from './artworks.ts';
import type { CommunityDeps } from './deps.ts';
import { checkUploadedFile, newUploadId, originalKey, slugify } from './uploads.ts';

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

/** Check and store an upload (image or video) as a draft; the thumbnail (a video's poster and preview) is made by a job. */
export async function uploadArtwork(services: CommunityDeps, viewer: User, input: UploadInput): Promise<{ work: Work; imageUrl: string }> {
  const { blobs, config } = services;
  const image = await checkUploadedFile(input.file, { image: config.community.upload, video: config.video });
  const uuid = newUploadId();
  const key = originalKey(uuid);
  await blobs.put(key, image.data, { contentType: image.contentType, metadata: { sha256: image.sha256, owner: String(viewer.id) } });
  try {
    const { work } = await createDraft(services, viewer, {
      externalId: uuid,
      title: input.title,
      recipe: { prompt: input.prompt?.trim() || null },
      image: { blobKey: key, width: image.width, height: image.height, format: image.format, contentHash: image.sha256, sizeBytes: image.data.length },
    });
    return { work, imageUrl: blobs.publicUrl(key) };
  } catch (error) {
    await blobs.delete(key).catch(() => undefined);
    throw error;
  }
}

/** What a draft is made of: an image already in the BlobStore (checked by whoever stored it) and its recipe. */
export interface DraftInput {
  /** Unique among community works: an upload's uuid, `gen-{job}-{n}` for a generated image. */
  externalId: string;
  title?: string | null | undefined;
  recipe?: Partial<Pick<Work, 'prompt' | 'negativePrompt' | 'sampler' | 'steps' | 'cfgScale' | 'seed'>>;
  image: { blobKey: string; width: number; height: number; format: string; contentHash: string; sizeBytes: number };
  /** The checkpoint and LoRAs the image was made with. */
  models?: WorkModelInput[];
}

/**
 * The viewer's draft work with one image, in one transaction; its thumbnail job follows. Idempotent: a draft
 * with this external id that exists already is returned as it is (a published one stays published).
 */
export async function createDraft(services: CommunityDeps, viewer: User, input: DraftInput): Promise<{ work: Work; imageId: number; created: boolean }> {
  const { store, jobs, log } = services;
  const existing = await store.works.findByExternalId('community', input.externalId);
  if (existing) {
    if (existing.ownerUserId !== viewer.id) throw new ForbiddenError('这张图已被他人保存');
    const [image] = await store.images.listByWork(existing.id);
    return { work: existing, imageId: image?.id ?? 0, created: false };
  }
  const { image } = input;
  const stored = await store.transaction(async () => {
    const work = await store.works.upsert({
      source: 'community',
      externalId: input.externalId,
      slug: slugify(input.title),
      title: input.title?.trim() || null,
      ...input.recipe,
      status: 'draft',
      ownerUserId: viewer.id,
      width: image.width,
      height: image.height,
    });
    if (input.models?.length) await store.works.replaceModels(work.id, input.models);
    const row = await store.images.ensure(work.id, 0, `upload:${input.externalId}`);
    await store.images.markOk(row.id, {
      blobKey: image.blobKey, width: image.width, height: image.height, format: image.format, contentHash: image.contentHash, sizeBytes: image.sizeBytes,
    });
    return { work, imageId: row.id };
  });
  await jobs
    .enqueue('thumbnail', { workId: stored.work.id, imageId: stored.imageId }, { jobId: `thumbnail-${stored.imageId}`, userId: viewer.id })
    .catch((error: unknown) => log.warn({ err: error, workId: stored.work.id }, 'cannot enqueue the thumbnail job; the original is shown instead'));
  return { ...stored, created: true };
}
