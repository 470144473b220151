// Raw Liblib payloads as docs/upstream.md §3 documents them (real samples, 2025-08). Only the fields we use
// are required; unknown fields pass through untouched, so additions upstream are not drift.
// Ids beyond 2^53 arrive as strings from the lossless JSON parser; small ones as numbers: `id` takes both.
import { z } from 'zod';

/** An upstream id: a number, or the exact digits of one too large for a double. Always a string to us. */
const upstreamId = z.union([z.string(), z.number().int()]).transform((value) => String(value));

const nullableNumber = z.number().nullable().optional().transform((v) => v ?? null);
const optionalString = z.string().nullable().optional().transform((v) => v ?? null);

export const envelopeSchema = z.object({
  code: z.number(),
  msg: z.string().nullable().optional(),
  data: z.unknown(),
});

export const listItemSchema = z.object({
  uuid: z.string().regex(/^[0-9a-zA-Z_-]{8,64}$/, 'expected a work uuid'),
  title: z.string().nullable().optional().transform((v) => v ?? ''),
  mediaType: z.number().optional(),
  coverId: upstreamId.optional(),
  imageUrl: optionalString,
  width: nullableNumber,
  height: nullableNumber,
  createTime: optionalString,
  userUuid: optionalString,
  nickname: optionalString,
  avatar: optionalString,
  tagsId: z.array(z.number()).nullable().optional(),
  tagsLabel: optionalString,
  likeCount: nullableNumber,
  commentCount: nullableNumber,
});
export type RawListItem = z.infer<typeof listItemSchema>;

export const listDataSchema = z.object({
  page: z.number().optional(),
  /** Unreliable (0 with 30 items): never used to decide anything. */
  total: z.number().nullable().optional(),
  pageSize: z.number().optional(),
  /** null on some pages even when `hasMore` is true: that is not the end. */
  data: z.array(z.unknown()).nullable(),
  hasMore: z.boolean(),
});

const optionalId = upstreamId.nullable().optional().transform((v) => v ?? null);

const modelRefSchema = z.object({
  modelId: z.union([z.number(), z.string()]).nullable().optional(),
  versionId: optionalId,
  modelUuid: optionalString,
  modelName: optionalString,
  versionUuid: optionalString,
  versionName: optionalString,
  modelType: z.number().nullable().optional(),
  modelTypeLable: optionalString,
  /** The base model's id (docs/upstream.md §3.2: 1 SD 1.5, 3 SDXL, 19 F.1…). */
  baseType: z.number().nullable().optional(),
  weight: nullableNumber,
  vipUsed: z.union([z.number(), z.boolean()]).nullable().optional(),
  triggerWord: optionalString,
});
export type RawModelRef = z.infer<typeof modelRefSchema>;

const generateInfoSchema = z.object({
  prompt: optionalString,
  negativePrompt: optionalString,
  samplingMethod: optionalString,
  samplingStep: nullableNumber,
  cfgScale: nullableNumber,
  seed: z.union([z.number(), z.string()]).nullable().optional(),
  /** A JSON *string* of A1111-style keys, all string values; holds the real seed. */
  metainformation: optionalString,
  pngInfo: optionalString,
});

const imageSchema = z.object({
  id: upstreamId.optional(),
  /** Who uploaded it: null in the real samples, read when present. */
  userName: optionalString,
  userAvatar: optionalString,
  uuid: optionalString,
  sort: nullableNumber,
  imageUrl: optionalString,
  originalImageUrl: optionalString,
  /** A video work's clip (§3.2; '' on images); its imageUrl is then the poster. */
  videoUrl: optionalString,
  width: nullableNumber,
  height: nullableNumber,
  generateInfo: generateInfoSchema.nullable().optional(),
  models: z.array(modelRefSchema).nullable().optional(),
  mixModels: z.array(modelRefSchema).nullable().optional(),
});

export type RawImage = z.infer<typeof imageSchema>;

export const detailSchema = z.object({
  uuid: z.string().min(1),
  /** The author's numeric id: the only author field the detail has (no uuid, no nickname). */
  userId: optionalId,
  createBy: optionalId,
  title: z.string().nullable().optional().transform((v) => v ?? ''),
  createTime: optionalString,
  tags: z
    .array(z.object({ id: z.number().optional(), tagLabel: z.string().nullable().optional() }))
    .nullable()
    .optional(),
  counter: z
    .object({ likeCount: nullableNumber, commentCount: nullableNumber, hitCount: nullableNumber })
    .nullable()
    .optional(),
  images: z.array(imageSchema),
  /** One inner array per image in the samples; read when `images` is empty. */
  imagesV2: z.array(z.array(imageSchema)).nullable().optional(),
});
export type RawDetail = z.infer<typeof detailSchema>;

/** Author endpoint (§3.3, unverified): only what every plausible shape shares. */
export const authorSchema = z.object({
  uuid: optionalString,
  nickname: optionalString,
  avatar: optionalString,
});

/** Comment list (§3.4, unverified): `data.list`. */
export const commentListSchema = z.object({
  list: z
    .array(
      z.object({
        id: upstreamId,
        content: optionalString,
        createTime: optionalString,
        nickname: optionalString,
        avatar: optionalString,
      }),
    )
    .nullable(),
  hasMore: z.boolean().optional(),
});

/** getPnginfo's `data` (§3.5: no real contract; our guess, after A1111's /sdapi/v1/png-info): the parameters text. */
export const pngInfoSchema = z.object({ info: z.string() });
