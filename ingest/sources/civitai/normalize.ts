// Pure functions from raw Civitai payloads to typed records. A payload that does not match its schema
// throws a ContractError carrying every zod issue with its JSON path; nothing is half-normalized.
import type { z } from 'zod';
import { classifyHash, type ModelFile } from '../../../src/core/recipe/recipe.ts';
import { parseSourceContract } from '../contract.ts';
import { imageNsfwLabel, type ImageNsfwLabel } from './nsfw.ts';
import { imageItemSchema, imagesPageSchema, modelSchema, modelVersionSchema, type RawImageItem, type RawModelVersion } from './schemas.ts';

export const CIVITAI_WEB = 'https://civitai.com';

/** Validate `value` against `schema`, or throw a ContractError naming each bad JSON path. */
function parseCivitai<S extends z.ZodType>(schema: S, value: unknown, endpoint: string, pathPrefix: PropertyKey[] = []): z.infer<S> {
  return parseSourceContract('civitai', schema, value, endpoint, pathPrefix);
}

interface CivitaiImageStats {
  likes: number;
  hearts: number;
  laughs: number;
  cries: number;
  dislikes: number;
  comments: number;
}

/** One image as our code uses it. */
export interface CivitaiImage {
  id: number;
  url: string;
  width: number | null;
  height: number | null;
  /** The stricter of `browsingLevel` and `nsfwLevel` (see nsfw.ts). */
  nsfwLevel: ImageNsfwLabel;
  browsingLevel: number | null;
  /** `image`, `video` or `audio`; missing in older responses, which only had images. */
  type: string;
  createdAt: Date | null;
  postId: number | null;
  username: string | null;
  baseModel: string | null;
  modelVersionIds: number[];
  /** The BlurHash placeholder (not a content hash). */
  blurhash: string | null;
  stats: CivitaiImageStats;
  /** Generation parameters, unwrapped from the legacy `{id, meta}` shape; null when absent or not an object. */
  meta: Record<string, unknown> | null;
  tags: string[];
  /** The item as received (for the json metadata file). */
  raw: RawImageItem;
}

export interface CivitaiImagePage {
  items: CivitaiImage[];
  /** `metadata.nextCursor` as a string, exactly as sent (a number is written in its digits). */
  nextCursor: string | null;
  nextPage: string | null;
}

/**
 * `meta` comes flat, as `{id, meta}` on the legacy path (imageId, modelId without modelVersionId; §1.1),
 * as null, and in the wild as a JSON string. Anything that is not an object after unwrapping is null.
 */
export function unwrapMeta(meta: unknown): Record<string, unknown> | null {
  let value = meta;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return null;
    }
  }
  if (!isPlainObject(value)) return null;
  const keys = Object.keys(value);
  if ('meta' in value && keys.every((key) => key === 'id' || key === 'meta')) return unwrapMeta(value.meta);
  return keys.length === 0 ? null : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseDate(text: string | null | undefined): Date | null {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function normalizeImageItem(value: unknown, endpoint = 'images', path: PropertyKey[] = []): CivitaiImage {
  const item = parseCivitai(imageItemSchema, value, endpoint, path);
  const stats = item.stats ?? {};
  const n = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    id: item.id,
    url: item.url,
    width: item.width || null,
    height: item.height || null,
    nsfwLevel: imageNsfwLabel(item),
    browsingLevel: item.browsingLevel ?? null,
    type: item.type ?? 'image',
    createdAt: parseDate(item.createdAt),
    postId: item.postId ?? null,
    username: item.username?.trim() || null,
    baseModel: item.baseModel ?? null,
    modelVersionIds: [...new Set(item.modelVersionIds ?? [])],
    blurhash: item.hash ?? null,
    stats: {
      likes: n(stats.likeCount), hearts: n(stats.heartCount), laughs: n(stats.laughCount),
      cries: n(stats.cryCount), dislikes: n(stats.dislikeCount), comments: n(stats.commentCount),
    },
    meta: unwrapMeta(item.meta),
    tags: (item.tags ?? []).map((tag) => tag.name.trim()).filter(Boolean),
    raw: item,
  };
}

/** `GET /api/v1/images` → items and the paging metadata. */
export function normalizeImagesPage(payload: unknown): CivitaiImagePage {
  const page = parseCivitai(imagesPageSchema, payload, 'images');
  const items = page.items.map((item, index) => normalizeImageItem(item, 'images', ['items', index]));
  const cursor = page.metadata?.nextCursor;
  return {
    items,
    nextCursor: cursor === undefined || cursor === null || cursor === '' ? null : String(cursor),
    nextPage: page.metadata?.nextPage || null,
  };
}

/** A model's or version's counters; null where the response's shape has none (2023: no thumbs-up on versions). */
interface CivitaiModelCounts {
  downloads: number | null;
  /** Thumbs up (2026), or the 2023 model shape's favourites. */
  likes: number | null;
}

export interface CivitaiModelVersion {
  id: number;
  modelId: number | null;
  name: string | null;
  baseModel: string | null;
  /** From the version's `model` (version endpoint) or the enclosing model (model endpoint). */
  modelName: string | null;
  /** Upstream `ModelType`: Checkpoint, LORA, LoCon, DoRA, TextualInversion… */
  modelType: string | null;
  trainedWords: string[];
  downloadUrl: string | null;
  /** The version's files with their hashes (SHA-256 and AutoV2 lowercase; AutoV2 derived from SHA-256 when absent). */
  files: Array<ModelFile & { primary: boolean }>;
  stats: CivitaiModelCounts;
}

export interface CivitaiModel {
  id: number;
  name: string;
  type: string | null;
  nsfw: boolean;
  creator: string | null;
  tags: string[];
  stats: CivitaiModelCounts;
  versions: CivitaiModelVersion[];
}

type VersionFields = Pick<RawModelVersion, 'id' | 'modelId' | 'name' | 'baseModel' | 'trainedWords' | 'downloadUrl' | 'files' | 'stats'> & { model?: RawModelVersion['model'] };

function countsOf(stats: RawModelVersion['stats']): CivitaiModelCounts {
  const n = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null);
  return { downloads: n(stats?.downloadCount), likes: n(stats?.thumbsUpCount) ?? n(stats?.favoriteCount) };
}

/** `hashes` keys differ in case between responses (`SHA256`, `sha256`): read them case-insensitively. */
function fileOf(raw: NonNullable<RawModelVersion['files']>[number]): ModelFile & { primary: boolean } {
  const hashes = Object.fromEntries(Object.entries(raw.hashes ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const sha = classifyHash(hashes.sha256);
  const short = classifyHash(hashes.autov2);
  return {
    name: raw.name?.trim() || `file-${raw.id ?? 0}`,
    sha256: sha.sha256,
    autoV2: sha.autoV2 ?? short.autoV2,
    sizeBytes: typeof raw.sizeKB === 'number' && raw.sizeKB >= 0 ? Math.round(raw.sizeKB * 1024) : null,
    primary: raw.primary === true,
  };
}

function toVersion(raw: VersionFields, parent: { id: number; name: string; type: string | null } | null): CivitaiModelVersion {
  return {
    id: raw.id,
    modelId: raw.modelId ?? parent?.id ?? null,
    name: raw.name?.trim() || null,
    baseModel: raw.baseModel ?? null,
    modelName: raw.model?.name?.trim() || parent?.name || null,
    modelType: raw.model?.type ?? parent?.type ?? null,
    trainedWords: raw.trainedWords ?? [],
    downloadUrl: raw.downloadUrl ?? null,
    files: (raw.files ?? []).map(fileOf),
    stats: countsOf(raw.stats),
  };
}

/** `GET /api/v1/models/{id}`. */
export function normalizeModel(payload: unknown): CivitaiModel {
  const raw = parseCivitai(modelSchema, payload, 'models');
  const parent = { id: raw.id, name: raw.name.trim(), type: raw.type ?? null };
  return {
    id: raw.id,
    name: parent.name,
    type: parent.type,
    nsfw: raw.nsfw === true,
    creator: raw.creator?.username?.trim() || null,
    tags: raw.tags ?? [],
    stats: countsOf(raw.stats),
    versions: (raw.modelVersions ?? []).map((version) => toVersion(version, parent)),
  };
}

/** `GET /api/v1/model-versions/{id}`. */
export function normalizeModelVersion(payload: unknown): CivitaiModelVersion {
  return toVersion(parseCivitai(modelVersionSchema, payload, 'model-versions'), null);
}

/** The image's page on Civitai. */
export function imagePageUrl(id: number): string {
  return `${CIVITAI_WEB}/images/${id}`;
}
