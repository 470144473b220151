// The Civitai crawl (`civitai images --catalog`): images into the catalogue (Store + BlobStore, source
// `civitai`) as crawl-ledger stages, so a run gets counters, a report, resume after a crash and the failure
// queue like Liblib's.
//
//   list   one unit per `/images` page; its payload carries the cursor to send (passed back unchanged), so a
//          crashed walk resumes at the page it was on. Writes the works, authors and image rows.
//   models one unit per image with resources: resolves model versions (cached per run) into work_models.
//   media  one unit per image: the shared MediaPipeline (download, content-hash dedupe, thumbnails).
//
// Decisions: one work per Civitai image (the API has no post titles, and posts would cost a request
// each); externalId and slug are the image id; the author is keyed by username (items carry no user id);
// likes are likes + hearts; items outside the NSFW filter and audio items are not stored (videos are).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ModelType } from '../../../src/core/domain/enums.ts';
import type { Store, WorkModelInput } from '../../../src/core/store/store.ts';
import type { MediaPipeline } from '../../media/media-pipeline.ts';
import { firstListUnit, listStage } from '../../pipeline/list-walk.ts';
import { mediaStage } from '../../pipeline/media-stage.ts';
import { storeWork } from '../../pipeline/store-work.ts';
import type { FollowUpUnit, StageDefinition } from '../../pipeline/stage-runner.ts';
import { DEFAULT_MAX_EMPTY_PAGES, nextPosition, type CivitaiClient, type ImageFilters } from './civitai-client.ts';
import { extractImageMetadata, type ImageResource } from './metadata.ts';
import { CIVITAI_WEB, type CivitaiImage, type CivitaiModelVersion } from './normalize.ts';
import { civitaiRecipe, withVersions } from './recipe.ts';
import { isAllowedLevel, type NsfwLevel } from './nsfw.ts';

/** Blob keys of catalogue images. */
export const CIVITAI_MEDIA_KEY_TEMPLATE = 'civitai/{yyyy}/{mm}/{dd}/{slug}/{index}_{hash}.{ext}';

export interface CivitaiCrawlOptions {
  filters: ImageFilters;
  levels: readonly NsfwLevel[];
  /** Most images stored by this walk; 0 = no limit. */
  limit: number;
  pageSize: number;
  concurrency: { list: number; models: number; media: number };
}

/** Where a list page is asked for: a cursor, or a page number for listings that page by number. */
const listPosition = z.object({ cursor: z.string().nullable(), page: z.number().int().positive().nullable() });
type ListPosition = z.infer<typeof listPosition>;

const modelsPayload = z.object({
  workId: z.number().int(),
  resources: z.array(z.object({
    name: z.string().nullable(), type: z.string().nullable(), weight: z.number().nullable(), hash: z.string().nullable(), modelVersionId: z.number().int().nullable(),
  })),
});

/** List units of one listing (same filters and levels) share this prefix. */
export function civitaiWalkPrefix(options: Pick<CivitaiCrawlOptions, 'filters' | 'levels'>): string {
  const filters = Object.entries(options.filters).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join('&');
  return `images?${filters}|${options.levels.join(',')}:`;
}

export function firstCivitaiListUnit(options: CivitaiCrawlOptions, walk: number) {
  return firstListUnit<ListPosition>(civitaiWalkPrefix(options), { cursor: null, page: null }, walk);
}

const LORA_TYPES = new Set(['lora', 'locon', 'lycoris', 'dora']);

function modelTypeOf(type: string | null): ModelType {
  const t = (type ?? '').toLowerCase();
  if (t === 'checkpoint') return 'CHECKPOINT';
  return LORA_TYPES.has(t) ? 'LORA' : 'OTHER';
}

/** The author's external id: the username, or a stable hash of one too long for the column (64 characters). */
function authorKey(username: string): string {
  return [...username].length <= 64 ? username : `sha256:${createHash('sha256').update(username).digest('hex').slice(0, 48)}`;
}

/** One image as the work, author and image row it becomes. */
function civitaiWork(image: CivitaiImage) {
  const metadata = extractImageMetadata(image);
  return {
    work: {
      source: 'civitai' as const,
      externalId: String(image.id),
      slug: String(image.id),
      title: null,
      publishedAt: image.createdAt,
      tags: image.tags,
      prompt: metadata.prompt,
      negativePrompt: metadata.negativePrompt,
      sampler: metadata.sampler,
      steps: metadata.steps,
      cfgScale: metadata.cfgScale,
      width: metadata.size?.width ?? image.width,
      height: metadata.size?.height ?? image.height,
      seed: metadata.seed,
      likeCount: image.stats.likes + image.stats.hearts,
      commentCount: image.stats.comments,
      sourceUrl: metadata.pageUrl,
      // Blocked items are never stored (isAllowedLevel), so the label is one of the four levels here.
      nsfwLevel: image.nsfwLevel === 'Blocked' ? ('X' as const) : image.nsfwLevel,
    },
    author: image.username
      ? { source: 'civitai' as const, externalId: authorKey(image.username), name: [...image.username].slice(0, 255).join(''), avatarUrl: null, profileUrl: `${CIVITAI_WEB}/user/${encodeURIComponent(image.username)}` }
      : null,
    resources: metadata.resources,
    recipe: civitaiRecipe(metadata),
  };
}

/** work_models rows from an image's resources, with model versions resolved where Civitai knows them. */
function civitaiModels(resources: ImageResource[], versions: Map<number, CivitaiModelVersion | null>): WorkModelInput[] {
  const out: WorkModelInput[] = [];
  const seen = new Set<string>();
  for (const resource of resources) {
    const version = resource.modelVersionId !== null ? versions.get(resource.modelVersionId) ?? null : null;
    const name = version?.modelName
      ? [version.modelName, version.name].filter(Boolean).join(' · ')
      : resource.name;
    if (!name) continue;
    const modelType = modelTypeOf(version?.modelType ?? resource.type);
    const key = `${modelType}|${resource.modelVersionId ?? name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      modelType,
      modelName: name.slice(0, 512),
      modelUrl: version?.modelId ? `${CIVITAI_WEB}/models/${version.modelId}?modelVersionId=${version.id}` : null,
      externalModelId: resource.modelVersionId !== null ? String(resource.modelVersionId) : null,
      isVip: false,
      // The version's base model and counts (the model catalogue shows them per source).
      baseModel: version?.baseModel?.slice(0, 64) ?? null,
      downloads: version?.stats.downloads ?? null,
      likes: version?.stats.likes ?? null,
    });
  }
  return out;
}

export function civitaiStages(client: CivitaiClient, media: MediaPipeline, store: Store, options: CivitaiCrawlOptions): StageDefinition[] {
  const versions = new Map<number, Promise<CivitaiModelVersion | null>>();
  const version = (id: number) => {
    let pending = versions.get(id);
    if (!pending) {
      pending = client.modelVersion(id).catch((error: unknown) => {
        if ((error as { name?: string }).name === 'CivitaiNotFoundError') return null;
        versions.delete(id); // transient: let a retry ask again
        throw error;
      });
      versions.set(id, pending);
    }
    return pending;
  };

  const list = listStage<CivitaiImage, ListPosition>({
    prefix: civitaiWalkPrefix(options),
    concurrency: options.concurrency.list,
    position: listPosition,
    async fetch(position) {
      const page = await client.imagesPage(options.filters, options.levels, options.pageSize, position);
      const next = nextPosition(page, options.pageSize);
      return { items: page.items, next: next && { cursor: 'cursor' in next ? next.cursor : null, page: 'page' in next ? next.page : null } };
    },
    // Videos are works too: the media stage stores them with a poster and a preview (audio items are not).
    select: (items) => items.filter((image) => (image.type === 'image' || image.type === 'video') && isAllowedLevel(image.nsfwLevel, options.levels)),
    knownWindow: null,
    limit: options.limit > 0 ? options.limit : null,
    maxPages: null,
    maxEmptyPages: DEFAULT_MAX_EMPTY_PAGES,
    async take(tx, images, context) {
      const followUps: FollowUpUnit[] = [];
      for (const image of images) {
        const { work: input, author, resources, recipe } = civitaiWork(image);
        const { work, mediaUnits } = await storeWork(tx, { work: input, author, images: [{ index: 0, srcUrl: image.url, unitKey: `image:${image.id}`, recipe }] });
        followUps.push(...mediaUnits);
        if (resources.length > 0) followUps.push({ stage: 'models', key: `image:${image.id}`, payload: { workId: work.id, resources } });
      }
      context.count('worksFetched', images.length);
      await context.enqueue(tx, followUps);
    },
  });

  const models: StageDefinition = {
    name: 'models',
    concurrency: options.concurrency.models,
    dependsOn: ['list'],
    async handle(unit, context) {
      const { workId, resources } = modelsPayload.parse(unit.payload);
      const ids = [...new Set(resources.flatMap((r) => (r.modelVersionId === null ? [] : [r.modelVersionId])))];
      const resolved = new Map(await Promise.all(ids.map(async (id) => [id, await version(id)] as const)));
      context.count('detailsFetched', ids.length);
      return async (tx) => {
        await tx.works.replaceModels(workId, civitaiModels(resources, resolved));
        const [image] = await tx.images.listByWork(workId);
        if (image?.recipe) await tx.images.setRecipe(workId, image.imageIndex, withVersions(image.recipe, resolved));
      };
    },
  };

  return [list, models, mediaStage(media, store, { source: 'civitai', category: 'images', concurrency: options.concurrency.media, dependsOn: ['list'] })];
}
