// The community's writes: like/favorite (idempotent, unique per user and work), publish, unpublish, edit and
// delete (owner only, idempotent), upload (a draft with its checked, re-encoded originals and their recipes). The database is written first and
// is the truth; caches are invalidated and refreshed after; jobs are enqueued last.
import { ConflictError, ForbiddenError, InvalidInputError } from '../../core/errors.ts';
import { readImageParameters } from '../../core/media/image-parameters.ts';
import { isVideoFormat, previewKey } from '../../core/media/video-derivatives.ts';
import { parseA1111Parameters } from '../../core/recipe/a1111-parameters.ts';
import type { Recipe } from '../../core/recipe/recipe.ts';
import type { ReactionCounts } from '../../core/domain/hot-score.ts';
import type { User, Work, WorkModelInput } from '../../core/store/store.ts';
import { artworkNotFound, visibleWork } from './artworks.ts';
import type { CommunityDeps } from './deps.ts';
import { ARTWORK_LIMITS, hasRecipe, modelsFromRecipe, parseArtworkFields, recipeFromFields, workRecipeColumns, type ArtworkFields } from './artwork-input.ts';
import { checkUploadedFile, isUploadKey, newUploadId, originalKey, slugify } from './uploads.ts';

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
  /** The files (each an image or a video), cover first (at most ARTWORK_LIMITS.images). */
  files: Uint8Array[];
  fields: ArtworkFields;
}

/**
 * Check and store an upload (each file an image or a video) as a draft; thumbnails (a video's poster and
 * preview) are made by jobs. Every file is checked before anything is written. Each image keeps the recipe
 * its own file carried (A1111 PNG chunk or EXIF UserComment, read before re-encoding drops it); the cover's
 * is the creator's form laid over its own (the form wins).
 */
export async function uploadArtwork(services: CommunityDeps, viewer: User, input: UploadInput): Promise<{ work: Work; imageUrl: string }> {
  const { blobs, config } = services;
  if (input.files.length === 0) throw new InvalidInputError('请选择要上传的图片或视频', { code: 'missing_file' });
  if (input.files.length > ARTWORK_LIMITS.images) throw new InvalidInputError(`一件作品最多 ${ARTWORK_LIMITS.images} 个文件`, { code: 'too_many_files' });
  const limits = { image: config.community.upload, video: config.video };
  const checked = [];
  for (const [index, file] of input.files.entries()) {
    try {
      const image = await checkUploadedFile(file, limits);
      // Only an image carries A1111 parameters; a video's metadata is dropped unread.
      const text = 'durationSeconds' in image ? null : readImageParameters(file);
      checked.push({ image, own: text ? parseA1111Parameters(text) : null });
    } catch (error) {
      // Which of several files was refused, in the refusal's own words.
      if (input.files.length > 1 && error instanceof InvalidInputError) error.message = `第 ${index + 1} 个文件：${error.message}`;
      throw error;
    }
  }
  const uuid = newUploadId();
  const keys = checked.map((_, index) => (index === 0 ? originalKey(uuid) : originalKey(`${uuid}-${index}`)));
  const cover = hasRecipe(input.fields) ? recipeFromFields(input.fields, checked[0]!.own) : checked[0]!.own;
  try {
    for (const [index, { image }] of checked.entries()) {
      await blobs.put(keys[index]!, image.data, { contentType: image.contentType, metadata: { sha256: image.sha256, owner: String(viewer.id) } });
    }
    const { work } = await createDraft(services, viewer, {
      externalId: uuid,
      title: input.fields.title,
      recipe: workRecipeColumns(cover),
      tags: input.fields.tags,
      nsfwLevel: input.fields.nsfwLevel,
      images: checked.map(({ image, own }, index) => ({
        blobKey: keys[index]!, width: image.width, height: image.height, format: image.format, contentHash: image.sha256, sizeBytes: image.data.length,
        recipe: index === 0 ? cover : own,
      })),
      models: modelsFromRecipe(cover),
    });
    return { work, imageUrl: blobs.publicUrl(keys[0]!) };
  } catch (error) {
    await Promise.all(keys.map((key) => blobs.delete(key).catch(() => undefined)));
    throw error;
  }
}

/** The viewer's own community work, else 404 (not visible) or 403 (someone else's). */
async function ownWork(services: CommunityDeps, viewer: User, workId: number, action: string): Promise<Work> {
  const work = await visibleWork(services, workId, viewer);
  if (work.ownerUserId !== viewer.id) throw new ForbiddenError(`只有作者可以${action}这件作品`);
  return work;
}

/** Edit title, the cover's recipe, tags and NSFW rating (the images stay); `input` as artwork-input.ts reads it. Other recipe fields the cover had (hashes, scheduler…) are kept. */
export async function updateArtwork(services: CommunityDeps, viewer: User, workId: number, input: unknown): Promise<Work> {
  const { store } = services;
  const work = await ownWork(services, viewer, workId, '编辑');
  // Validated only once the work is known to be the viewer's: nobody else learns anything from a refusal.
  const fields = parseArtworkFields(input);
  const [cover] = await store.images.listByWork(work.id);
  const recipe = hasRecipe(fields) ? recipeFromFields(fields, cover?.recipe ?? null) : null;
  return store.transaction(async () => {
    const updated = await store.works.upsert({
      source: work.source, externalId: work.externalId, slug: work.slug,
      title: fields.title, tags: fields.tags, nsfwLevel: fields.nsfwLevel, ...workRecipeColumns(recipe),
    });
    if (cover) await store.images.setRecipe(work.id, cover.imageIndex, recipe);
    await store.works.replaceModels(work.id, modelsFromRecipe(recipe));
    return updated;
  });
}

/** published → draft by its owner: gone from the feed and the owner's page at once; publishing again restores it. */
export async function unpublishArtwork(services: CommunityDeps, viewer: User, workId: number): Promise<Work> {
  const { store, cache } = services;
  const work = await ownWork(services, viewer, workId, '撤回');
  if (work.status === 'draft') return work;
  const updated = (await store.works.setStatus(work.id, 'draft')) ?? work;
  await Promise.all([cache.feedChanged(), cache.userArtworksChanged(viewer.id)]);
  return updated;
}

/**
 * Delete an own work at once (its rows, reactions included); its uploaded files are removed by a
 * `blobs.delete` job after the grace period (UPLOAD_DELETE_GRACE_HOURS): pages and CDNs cached before the
 * deletion still point at them for a while. Files a generation job owns (a generated draft's) stay with it.
 */
export async function deleteArtwork(services: CommunityDeps, viewer: User, workId: number): Promise<{ files: number; removeAfter: Date }> {
  const { store, cache, jobs, log, config } = services;
  const work = await ownWork(services, viewer, workId, '删除');
  const images = await store.images.listByWork(work.id);
  // A video's derivatives include its preview; a small poster's widths may share one object.
  const keys = [...new Set(images.flatMap((image) => {
    if (!image.blobKey || !isUploadKey(image.blobKey)) return [];
    // Deleting a preview never made is a no-op (blobs.delete).
    const preview = isVideoFormat(image.format) ? [previewKey(image.blobKey)] : [];
    return [image.blobKey, ...Object.values(image.thumbnails ?? {}), ...preview];
  }))];
  await store.works.delete(work.id);
  await Promise.all([cache.feedChanged(), cache.userArtworksChanged(viewer.id), cache.favoritesChanged(viewer.id)]);
  const delayMs = config.community.upload.deleteGraceMs;
  if (keys.length > 0) {
    await jobs
      .enqueue('blobs.delete', { keys }, { jobId: `blobs.delete-work-${work.id}`, userId: viewer.id, delayMs })
      .catch((error: unknown) => log.error({ err: error, workId: work.id, keys }, 'cannot enqueue blobs.delete: these files stay until removed by hand'));
  }
  return { files: keys.length, removeAfter: new Date(Date.now() + delayMs) };
}

/** What a draft is made of: images already in the BlobStore (checked by whoever stored them) and their recipes. */
export interface DraftInput {
  /** Unique among community works: an upload's uuid, `gen-{job}-{n}` for a generated image. */
  externalId: string;
  title?: string | null | undefined;
  recipe?: Partial<Pick<Work, 'prompt' | 'negativePrompt' | 'sampler' | 'steps' | 'cfgScale' | 'seed'>>;
  tags?: string[];
  nsfwLevel?: Work['nsfwLevel'];
  /** Cover first. */
  images: Array<{ blobKey: string; width: number; height: number; format: string; contentHash: string; sizeBytes: number; recipe?: Recipe | null }>;
  /** The checkpoint and LoRAs the image was made with. */
  models?: WorkModelInput[];
}

/**
 * The viewer's draft work with its images, in one transaction; a thumbnail job per image follows. Idempotent:
 * a draft with this external id that exists already is returned as it is (a published one stays published).
 */
export async function createDraft(services: CommunityDeps, viewer: User, input: DraftInput): Promise<{ work: Work; imageId: number; created: boolean }> {
  const { store, jobs, log } = services;
  const existing = await store.works.findByExternalId('community', input.externalId);
  if (existing) {
    if (existing.ownerUserId !== viewer.id) throw new ForbiddenError('这张图已被他人保存');
    const [image] = await store.images.listByWork(existing.id);
    return { work: existing, imageId: image?.id ?? 0, created: false };
  }
  const cover = input.images[0]!;
  const stored = await store.transaction(async () => {
    const work = await store.works.upsert({
      source: 'community',
      externalId: input.externalId,
      slug: slugify(input.title),
      title: input.title?.trim() || null,
      ...input.recipe,
      ...(input.tags?.length ? { tags: input.tags } : {}),
      ...(input.nsfwLevel ? { nsfwLevel: input.nsfwLevel } : {}),
      status: 'draft',
      ownerUserId: viewer.id,
      width: cover.width,
      height: cover.height,
    });
    if (input.models?.length) await store.works.replaceModels(work.id, input.models);
    const imageIds: number[] = [];
    for (const [index, image] of input.images.entries()) {
      const row = await store.images.ensure(work.id, index, index === 0 ? `upload:${input.externalId}` : `upload:${input.externalId}/${index}`);
      await store.images.markOk(row.id, {
        blobKey: image.blobKey, width: image.width, height: image.height, format: image.format, contentHash: image.contentHash, sizeBytes: image.sizeBytes,
      });
      if (image.recipe) await store.images.setRecipe(work.id, index, image.recipe);
      imageIds.push(row.id);
    }
    return { work, imageIds };
  });
  for (const imageId of stored.imageIds) {
    await jobs
      .enqueue('thumbnail', { workId: stored.work.id, imageId }, { jobId: `thumbnail-${imageId}`, userId: viewer.id })
      .catch((error: unknown) => log.warn({ err: error, workId: stored.work.id }, 'cannot enqueue the thumbnail job; the original is shown instead'));
  }
  return { work: stored.work, imageId: stored.imageIds[0]!, created: true };
}
