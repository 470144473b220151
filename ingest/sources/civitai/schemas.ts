// Raw Civitai REST v1 payloads (docs/upstream.md §1), as zod schemas. Lenient where the contract says shapes
// vary (optional fields, free-form `meta`, cursors that are numbers or strings) and strict where our code
// depends on a field (ids, URLs). Unknown keys are kept (looseObject): upstream adds fields often.
import { z } from 'zod';

const id = z.number().int().positive();
const count = z.number().nullish();

const imageStatsSchema = z.looseObject({
  cryCount: count,
  laughCount: count,
  likeCount: count,
  dislikeCount: count,
  heartCount: count,
  commentCount: count,
});

/** One item of `GET /api/v1/images`. `meta` is free-form (or `{id, meta}` on the legacy path). */
export const imageItemSchema = z.looseObject({
  id,
  url: z.string().min(1),
  /** A BlurHash, not a content hash. */
  hash: z.string().nullish(),
  width: z.number().int().nonnegative().nullish(),
  height: z.number().int().nonnegative().nullish(),
  nsfwLevel: z.union([z.string(), z.number()]).nullish(),
  nsfw: z.boolean().nullish(),
  browsingLevel: z.number().int().nullish(),
  type: z.string().nullish(),
  createdAt: z.string().nullish(),
  postId: z.number().int().nullish(),
  stats: imageStatsSchema.nullish(),
  meta: z.unknown().optional(),
  username: z.string().nullish(),
  baseModel: z.string().nullish(),
  modelVersionIds: z.array(z.number().int()).nullish(),
  tags: z.array(z.looseObject({ id: z.number().int().optional(), name: z.string() })).nullish(),
});
export type RawImageItem = z.infer<typeof imageItemSchema>;

const pageMetadataSchema = z.looseObject({
  /** Opaque: a number in old responses, `"<n>|<ms>"` or `feed:<ms>:<id>` later. Passed back unchanged. */
  nextCursor: z.union([z.string(), z.number()]).nullish(),
  nextPage: z.string().nullish(),
  currentPage: z.number().nullish(),
  pageSize: z.number().nullish(),
});

/** The envelope; items are validated one by one so errors carry their index. */
export const imagesPageSchema = z.looseObject({
  items: z.array(z.unknown()),
  metadata: pageMetadataSchema.nullish(),
});

const fileSchema = z.looseObject({
  id: z.number().int().optional(),
  name: z.string().nullish(),
  type: z.string().nullish(),
  sizeKB: z.number().nullish(),
  primary: z.boolean().nullish(),
  downloadUrl: z.string().nullish(),
  hashes: z.record(z.string(), z.string()).nullish(),
});

/** Preview images inside a model or version (2023: `nsfw` documented as a string, sent as a boolean). */
const versionImageSchema = z.looseObject({
  id: z.number().int().optional(),
  url: z.string().min(1),
  nsfw: z.union([z.boolean(), z.string()]).nullish(),
  nsfwLevel: z.union([z.string(), z.number()]).nullish(),
  width: z.number().nullish(),
  height: z.number().nullish(),
  hash: z.string().nullish(),
  meta: z.unknown().optional(),
});

/**
 * Model and version counters. 2026 docs: `downloadCount`, `thumbsUpCount`; the 2023 wiki shape: the model's
 * `favoriteCount`, a version's `ratingCount`/`rating` only (docs/upstream.md §1.2, §1.4).
 */
const modelStatsSchema = z.looseObject({
  downloadCount: count,
  thumbsUpCount: count,
  favoriteCount: count,
});

export const modelVersionSchema = z.looseObject({
  id,
  modelId: z.number().int().nullish(),
  name: z.string().nullish(),
  baseModel: z.string().nullish(),
  trainedWords: z.array(z.string()).nullish(),
  model: z.looseObject({ name: z.string(), type: z.string().nullish(), nsfw: z.boolean().nullish() }).nullish(),
  files: z.array(fileSchema).nullish(),
  images: z.array(versionImageSchema).nullish(),
  downloadUrl: z.string().nullish(),
  publishedAt: z.string().nullish(),
  stats: modelStatsSchema.nullish(),
});
export type RawModelVersion = z.infer<typeof modelVersionSchema>;

export const modelSchema = z.looseObject({
  id,
  name: z.string(),
  type: z.string().nullish(),
  nsfw: z.boolean().nullish(),
  nsfwLevel: z.number().nullish(),
  creator: z.looseObject({ username: z.string().nullish(), image: z.string().nullish() }).nullish(),
  /**
   * Tolerant by date (docs/upstream.md §1.2): today's API sends strings, the documented 2023 example
   * `{name}` objects. Both read as names; anything else is still a contract error.
   */
  tags: z.array(z.union([z.string(), z.looseObject({ name: z.string() }).transform((tag) => tag.name)])).nullish(),
  stats: modelStatsSchema.nullish(),
  modelVersions: z.array(modelVersionSchema.omit({ model: true })).nullish(),
});
