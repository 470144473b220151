// Pure functions from raw Liblib payloads to our records. A payload that does not match its schema
// throws a ContractError carrying every zod issue with its JSON path; nothing is half-normalized.
import type { z } from 'zod';
import { parseSourceContract } from '../contract.ts';
import type { ModelType } from '../../../src/core/domain/enums.ts';
import { parseA1111Parameters, recipeFromA1111Fields } from '../../../src/core/recipe/a1111-parameters.ts';
import { recipeCompleteness } from '../../../src/core/recipe/completeness.ts';
import { emptyResource, seedText, type Recipe, type RecipeResource, type ResourceType } from '../../../src/core/recipe/recipe.ts';
import {
  authorSchema, commentListSchema, detailSchema, envelopeSchema, listDataSchema, listItemSchema, pngInfoSchema,
  type RawDetail, type RawImage, type RawListItem, type RawModelRef,
} from './schemas.ts';

const LIBLIB_WEB = 'https://www.liblib.art';

/** Validate `value` against `schema`, or throw a ContractError naming each bad JSON path. */
function parseContract<S extends z.ZodType>(schema: S, value: unknown, endpoint: string, pathPrefix: PropertyKey[] = []): z.infer<S> {
  return parseSourceContract('liblib', schema, value, endpoint, pathPrefix);
}

/**
 * Unwrap `{code, msg, data}`. A non-zero code is the upstream refusing (unknown work, removed content):
 * returned as `{ok: false}` for the caller to record, not thrown as drift.
 */
export function unwrapEnvelope(payload: unknown, endpoint: string): { ok: true; data: unknown } | { ok: false; code: number; message: string } {
  const envelope = parseContract(envelopeSchema, payload, endpoint);
  if (envelope.code !== 0) return { ok: false, code: envelope.code, message: envelope.msg ?? `code ${envelope.code}` };
  return { ok: true, data: envelope.data };
}

export interface ListPage {
  items: ListSummary[];
  hasMore: boolean;
  /** `data.data` was null: not the end when hasMore is true (docs/upstream.md §3.1). */
  nullPage: boolean;
}

/** What the list tells us about a work that the detail does not: the author. */
export interface ListSummary {
  uuid: string;
  title: string;
  coverUrl: string | null;
  createTime: string | null;
  author: { uuid: string; nickname: string | null; avatar: string | null } | null;
  likeCount: number | null;
  commentCount: number | null;
}

export function normalizeListPage(data: unknown): ListPage {
  const page = parseContract(listDataSchema, data, 'img/group/search', ['data']);
  const seen = new Set<string>();
  const items: ListSummary[] = [];
  (page.data ?? []).forEach((raw, index) => {
    const item: RawListItem = parseContract(listItemSchema, raw, 'img/group/search', ['data', 'data', index]);
    if (seen.has(item.uuid)) return; // ranked feeds repeat items across and within pages
    seen.add(item.uuid);
    items.push({
      uuid: item.uuid,
      title: item.title.trim(),
      coverUrl: item.imageUrl,
      createTime: item.createTime,
      author: item.userUuid ? { uuid: item.userUuid, nickname: item.nickname?.trim() || null, avatar: item.avatar || null } : null,
      likeCount: item.likeCount,
      commentCount: item.commentCount,
    });
  });
  return { items, hasMore: page.hasMore, nullPage: page.data === null };
}

interface NormalizedModel {
  modelType: ModelType;
  modelName: string;
  modelUrl: string | null;
  externalModelId: string | null;
  isVip: boolean;
  baseModel: string | null;
}

interface NormalizedImage {
  index: number;
  srcUrl: string;
  width: number | null;
  height: number | null;
  /** This image's own recipe (its seed, prompt, LoRA weights and hashes); null when it has no generateInfo. */
  recipe: Recipe | null;
}

export interface NormalizedWork {
  work: {
    source: 'liblib';
    externalId: string;
    slug: string;
    title: string | null;
    publishedAt: Date | null;
    tags: string[];
    prompt: string | null;
    negativePrompt: string | null;
    sampler: string | null;
    steps: number | null;
    cfgScale: number | null;
    width: number | null;
    height: number | null;
    seed: string | null;
    likeCount: number | null;
    commentCount: number | null;
    sourceUrl: string;
  };
  author: { source: 'liblib'; externalId: string; name: string; avatarUrl: string | null; profileUrl: string | null } | null;
  images: NormalizedImage[];
  models: NormalizedModel[];
}

/** A1111 "metainformation": a JSON string whose values are strings. Unreadable → empty (it is optional data). */
export function parseMetainformation(text: string | null): Record<string, string> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).filter(([, v]) => typeof v === 'string' || typeof v === 'number').map(([k, v]) => [k, String(v)]),
    );
  } catch {
    return {};
  }
}

function parseUpstreamDate(text: string | null): Date | null {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

const MODEL_TYPES: Record<number, ModelType> = { 1: 'CHECKPOINT', 5: 'LORA', 6: 'LORA' };

function modelTypeOf(ref: RawModelRef): ModelType {
  if (ref.modelType != null && MODEL_TYPES[ref.modelType]) return MODEL_TYPES[ref.modelType]!;
  const label = (ref.modelTypeLable ?? '').toUpperCase();
  if (label.includes('CHECKPOINT')) return 'CHECKPOINT';
  if (label.includes('LORA') || label.includes('LYCORIS')) return 'LORA';
  return 'OTHER';
}

/**
 * Liblib's base-model ids (docs/upstream.md §3.2, the model search's `types`) by the names Liblib shows; the
 * catalogue compares them with Civitai's `baseModel` (comparableBaseModel). Unknown ids stay unknown.
 */
const BASE_TYPES: Record<number, string> = {
  1: 'SD 1.5', 2: 'SD 2.1', 3: 'SDXL', 7: 'SD 3', 9: 'PixArt Σ', 10: 'Pony', 12: 'HunyuanDiT v1.1', 13: 'PixArt α', 19: 'F.1', 20: 'SD 3.5 Medium', 21: 'SD 3.5 Large',
};

/** Liblib's model types (docs/upstream.md §3.6): 1 Checkpoint, 2 TI, 5 LoRA, 6 LyCORIS, 11 VAE. */
const RESOURCE_TYPES: Record<number, ResourceType> = { 1: 'CHECKPOINT', 2: 'EMBEDDING', 5: 'LORA', 6: 'LORA', 11: 'VAE' };

function resourceTypeOfRef(ref: RawModelRef): ResourceType {
  if (ref.modelType != null && RESOURCE_TYPES[ref.modelType]) return RESOURCE_TYPES[ref.modelType]!;
  const type = modelTypeOf(ref);
  return type === 'OTHER' ? 'OTHER' : type;
}

/** The images of a detail: `images`, or the flattened `imagesV2` when `images` is empty. */
function detailImages(detail: RawDetail): RawImage[] {
  return detail.images.length > 0 ? detail.images : (detail.imagesV2 ?? []).flat();
}

/**
 * One image's recipe: `metainformation` read as A1111 keys (the real seed, hashes, `Lora N` weights), the
 * typed `generateInfo` fields over it, and `models[]`/`mixModels[]` merged into the resources by type and
 * name (ids, version names, weights and trigger words only they carry).
 */
function imageRecipe(image: RawImage): Recipe | null {
  const info = image.generateInfo ?? null;
  const refs = [...(image.models ?? []), ...(image.mixModels ?? [])];
  if (!info && refs.length === 0) return null;
  const recipe = recipeFromA1111Fields(parseMetainformation(info?.metainformation ?? null), image.id ?? null);
  recipe.prompt = info?.prompt?.trim() || recipe.prompt;
  recipe.negativePrompt = info?.negativePrompt?.trim() || recipe.negativePrompt;
  recipe.sampler = info?.samplingMethod?.trim() || recipe.sampler;
  recipe.steps = info?.samplingStep ?? recipe.steps;
  recipe.cfgScale = info?.cfgScale ?? recipe.cfgScale;
  recipe.seed ??= seedText(info?.seed);
  if (recipe.width === null || recipe.height === null) {
    recipe.width = image.width && image.width > 0 ? image.width : null;
    recipe.height = image.height && image.height > 0 ? image.height : null;
  }
  const seen = new Set<string>();
  for (const ref of refs) {
    const type = resourceTypeOfRef(ref);
    const modelId = ref.modelUuid?.trim() || (ref.modelId != null ? String(ref.modelId) : null);
    const versionId = ref.versionUuid?.trim() || ref.versionId;
    const key = `${type}|${versionId ?? modelId ?? ref.modelName}`;
    if (seen.has(key)) continue; // mixModels repeats models in the samples
    seen.add(key);
    const name = ref.modelName?.trim() || null;
    // The checkpoint of metainformation is named by its file; a LoRA by the model's name ("Lora N").
    let resource: RecipeResource | undefined =
      type === 'CHECKPOINT'
        ? recipe.resources.find((r) => r.type === 'CHECKPOINT' && r.modelId === null)
        : recipe.resources.find((r) => r.type === type && r.modelId === null && r.modelName !== null && r.modelName === name);
    if (!resource) {
      resource = emptyResource(type);
      recipe.resources.push(resource);
    }
    resource.modelName = name ?? resource.modelName;
    resource.versionName = ref.versionName?.trim() || null;
    resource.modelId = modelId;
    resource.versionId = versionId ?? null;
    resource.weight = ref.weight ?? resource.weight;
    resource.triggerWord = ref.triggerWord?.trim() || resource.triggerWord;
  }
  return recipe;
}

function normalizeModels(detail: RawDetail): NormalizedModel[] {
  const byKey = new Map<string, NormalizedModel>();
  for (const image of detailImages(detail)) {
    for (const ref of [...(image.models ?? []), ...(image.mixModels ?? [])]) {
      const name = [ref.modelName?.trim(), ref.versionName?.trim()].filter(Boolean).join(' · ');
      if (!name) continue;
      const modelType = modelTypeOf(ref);
      const key = `${modelType}|${ref.versionUuid ?? ref.modelUuid ?? name}`;
      if (byKey.has(key)) continue;
      byKey.set(key, {
        modelType,
        modelName: name.slice(0, 512),
        modelUrl: ref.modelUuid
          ? `${LIBLIB_WEB}/modelinfo/${encodeURIComponent(ref.modelUuid)}${ref.versionUuid ? `?versionUuid=${encodeURIComponent(ref.versionUuid)}` : ''}`
          : null,
        externalModelId: ref.versionUuid ?? ref.modelUuid ?? null,
        isVip: ref.vipUsed === true || ref.vipUsed === 1,
        baseModel: ref.baseType != null ? (BASE_TYPES[ref.baseType] ?? null) : null,
      });
    }
  }
  return [...byKey.values()];
}

/** A1111 "Size" is "WIDTHxHEIGHT". */
function parseSize(size: string | undefined): { width: number; height: number } | null {
  const match = /^(\d+)\s*x\s*(\d+)$/i.exec(size ?? '');
  return match ? { width: Number(match[1]), height: Number(match[2]) } : null;
}

const number = (value: string | undefined): number | null => {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
};

/** Detail (`data` of img/group/get) plus the list summary → our work, author, images and model refs. */
export function normalizeDetail(data: unknown, summary: ListSummary | null): NormalizedWork {
  const detail = parseContract(detailSchema, data, 'img/group/get', ['data']);
  const images = detailImages(detail);
  const first = images[0];
  const info = first?.generateInfo ?? null;
  const meta = parseMetainformation(info?.metainformation ?? null);
  const rawSeed = meta.Seed ?? (info?.seed != null && String(info.seed) !== '-1' ? String(info.seed) : undefined);
  const size = parseSize(meta.Size);
  const tags = [...new Set((detail.tags ?? []).map((t) => t.tagLabel?.trim()).filter((t): t is string => Boolean(t)))];
  const title = (detail.title || summary?.title || '').trim();
  return {
    work: {
      source: 'liblib',
      externalId: detail.uuid,
      slug: detail.uuid,
      title: title || null,
      publishedAt: parseUpstreamDate(detail.createTime ?? summary?.createTime ?? null),
      tags,
      prompt: info?.prompt?.trim() || meta.prompt?.trim() || null,
      negativePrompt: info?.negativePrompt?.trim() || meta['Negative prompt']?.trim() || null,
      sampler: info?.samplingMethod || meta.Sampler || null,
      steps: info?.samplingStep ?? number(meta.Steps),
      cfgScale: info?.cfgScale ?? number(meta['CFG scale']),
      width: first?.width ?? size?.width ?? null,
      height: first?.height ?? size?.height ?? null,
      seed: rawSeed && /^-?\d+$/.test(rawSeed.trim()) && rawSeed.trim() !== '-1' ? rawSeed.trim() : null,
      likeCount: detail.counter?.likeCount ?? summary?.likeCount ?? null,
      commentCount: detail.counter?.commentCount ?? summary?.commentCount ?? null,
      sourceUrl: `${LIBLIB_WEB}/imageinfo/${encodeURIComponent(detail.uuid)}`,
    },
    author: summary?.author
      ? {
          source: 'liblib',
          externalId: summary.author.uuid,
          name: summary.author.nickname ?? summary.author.uuid,
          avatarUrl: summary.author.avatar,
          profileUrl: `${LIBLIB_WEB}/userpage/${encodeURIComponent(summary.author.uuid)}`,
        }
      : detailAuthor(detail, images),
    images: images.flatMap((image, index) => {
      // A video work's image carries its clip in videoUrl (mediaType's values are unconfirmed; the URL is
      // not): the clip is the original, the media stage makes its poster and preview.
      const srcUrl = image.videoUrl || image.originalImageUrl || image.imageUrl;
      return srcUrl ? [{ index, srcUrl, width: image.width, height: image.height, recipe: imageRecipe(image) }] : [];
    }),
    models: normalizeModels(detail),
  };
}

/**
 * The author when the list lacked one (a search hit, a work queued by uuid): the detail's numeric `userId`
 * (or `createBy`), named by an image's `userName` when present. Keyed `user:<id>` so it never collides with
 * the uuid-keyed authors of list items.
 */
function detailAuthor(detail: RawDetail, images: RawImage[]): NormalizedWork['author'] {
  const userId = detail.userId ?? detail.createBy;
  if (!userId || userId === '0') return null;
  const named = images.find((image) => image.userName?.trim());
  return {
    source: 'liblib',
    externalId: `user:${userId}`,
    name: named?.userName?.trim() ?? `Liblib 用户 ${userId}`,
    avatarUrl: named?.userAvatar ?? null,
    // Profile pages are by uuid, which the detail does not carry.
    profileUrl: null,
  };
}

export function normalizeAuthor(data: unknown, uuid: string) {
  const author = parseContract(authorSchema, data, 'img/author', ['data']);
  return {
    source: 'liblib' as const,
    externalId: uuid,
    name: author.nickname?.trim() || uuid,
    avatarUrl: author.avatar,
    profileUrl: `${LIBLIB_WEB}/userpage/${encodeURIComponent(uuid)}`,
  };
}

export function normalizeComments(data: unknown) {
  const page = parseContract(commentListSchema, data, 'community/commentList', ['data']);
  return {
    hasMore: page.hasMore ?? false,
    comments: (page.list ?? []).map((c) => ({
      externalId: c.id,
      commenterName: c.nickname,
      commenterAvatarUrl: c.avatar,
      content: c.content,
      commentedAt: parseUpstreamDate(c.createTime),
    })),
  };
}

/** getPnginfo's `data` → the image's A1111 parameters text; null when it carries none. */
export function normalizePngInfo(data: unknown): string | null {
  return parseContract(pngInfoSchema, data, 'sd-api/common/getPnginfo', ['data']).info.trim() || null;
}

/** The images `--pnginfo` asks about: the detail gave them no generation parameters (hidden, or no generateInfo). */
export function imagesLackingParameters(work: NormalizedWork): NormalizedImage[] {
  return work.images.filter((image) => recipeCompleteness(image.recipe) === 'none');
}

/**
 * The work with these images' recipes read from their PNG info (image index → A1111 text) and marked
 * `origin: 'pnginfo'`; the detail's model references (ids, versions, trigger words) are kept and take the
 * hashes and weights the text adds. The work's summary is filled from the cover where the detail had nothing.
 * Texts without any generation field change nothing.
 */
export function withPngInfo(normalized: NormalizedWork, texts: ReadonlyMap<number, string>): NormalizedWork {
  const images = normalized.images.map((image) => {
    const text = texts.get(image.index);
    if (!text) return image;
    const parsed = parseA1111Parameters(text, image.recipe?.imageId ?? null);
    if (recipeCompleteness(parsed) === 'none') return image;
    const resources = (image.recipe?.resources ?? []).map((r) => ({ ...r }));
    for (const found of parsed.resources) {
      const known = resources.find((r) => r.type === found.type && (r.type === 'CHECKPOINT' || r.modelName === found.modelName));
      if (!known) resources.push(found);
      else {
        known.sha256 ??= found.sha256;
        known.autoV2 ??= found.autoV2;
        known.weight ??= found.weight;
      }
    }
    const recipe: Recipe = { ...parsed, width: parsed.width ?? image.recipe?.width ?? null, height: parsed.height ?? image.recipe?.height ?? null, resources, origin: 'pnginfo' };
    return { ...image, recipe };
  });
  const cover = images[0]?.recipe?.origin === 'pnginfo' ? images[0].recipe : null;
  const w = normalized.work;
  const work = cover
    ? {
        ...w,
        prompt: w.prompt ?? cover.prompt, negativePrompt: w.negativePrompt ?? cover.negativePrompt, sampler: w.sampler ?? cover.sampler,
        steps: w.steps ?? cover.steps, cfgScale: w.cfgScale ?? cover.cfgScale, seed: w.seed ?? cover.seed,
      }
    : w;
  return { ...normalized, work, images };
}
