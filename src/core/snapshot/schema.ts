// The JSON snapshot: the contract between ingest/ (which writes it) and the site (whose content loaders
// read it). Framework-free: never imports astro:*. Both sides validate with these schemas, so a field that
// changes here changes for both at once. Objects strip unknown keys, so a writer may add a field before
// the site reads it; removing or retyping one is a breaking change (bump `version`).
import { z } from 'zod';
import { COMPLETENESS_LEVELS } from '../recipe/completeness.ts';
import { recipeSchema } from '../recipe/recipe.ts';

/** Where a work came from. `community` is published on Huaku itself. */
export const workSourceSchema = z.enum(['liblib', 'civitai', 'modelscope', 'community']);
export type WorkSource = z.infer<typeof workSourceSchema>;

const isoDateTime = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();
const dimension = z.number().int().positive();

const snapshotSourceCountsSchema = z.object({
  works: count,
  authors: count,
  /** Stored images of those works. */
  images: count.optional(),
  loras: count.optional(),
});

/**
 * Version 2 added NSFW levels, tags, author usernames, LoRA links, authors.json, loras.json and diff.json.
 * Version 3 added a recipe per image (`images[i].recipe`), the work's `completeness`, model references'
 * `modelId` (models.json, `/model/<id>`) and LoRA weights. A version 2 snapshot still reads: every added
 * field has a default, and the manifest's version is upgraded on read (`upgradeManifestVersion`).
 */
export const SNAPSHOT_VERSION = 3;
/** Versions the reader accepts (older ones are upgraded in memory, field defaults fill what they lack). */
const READABLE_VERSIONS = [2, 3] as const;

export const snapshotManifestSchema = z.object({
  version: z.union([z.literal(READABLE_VERSIONS[0]), z.literal(READABLE_VERSIONS[1])]).transform(() => SNAPSHOT_VERSION),
  generatedAt: isoDateTime,
  /** Counts per source; a source with nothing ingested may be absent. `works` equals the works of that source in the chunks. */
  counts: z.partialRecord(workSourceSchema, snapshotSourceCountsSchema),
  /** Model catalogue links by method (v3; models.json). */
  modelLinks: z.record(z.string(), count).optional(),
  /** The ingest runs (fetch_runs ids) whose results this snapshot includes. */
  runIds: z.array(z.string().min(1)),
});
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;

/** The URL key of `/user/<username>`: a community user's username, or `<source>-<external id>` for an upstream author. */
const username = z.string().min(1).max(200).regex(/^[^/?#\s]+$/, 'a username is one URL path segment (no /, ?, # or spaces)');

const snapshotAuthorSchema = z.object({
  /** `<source>:<external id>` for upstream authors, `user:<username>` for community users. */
  id: z.string().min(1),
  username,
  name: z.string(),
  /**
   * The stored avatar (`/media/…` or the BlobStore's public URL; never the upstream's, which rots and is
   * hotlink-protected); null when there is none or it could not be downloaded (the site draws the initial).
   * A community user's is the picture of their sign-in account.
   */
  avatarUrl: z.string().min(1).nullable(),
  /** The stored avatar's WebP thumbnails with their pixel widths, narrowest first (the `srcset`). */
  avatarThumbs: z.array(z.object({ url: z.string().min(1), width: dimension })).optional(),
});
export type SnapshotAuthor = z.infer<typeof snapshotAuthorSchema>;

/** Generation parameters as the source reported them; any may be unknown. */
const snapshotParamsSchema = z.object({
  sampler: z.string().nullable(),
  steps: z.number().int().nonnegative().nullable(),
  cfgScale: z.number().nullable(),
  width: dimension.nullable(),
  height: dimension.nullable(),
  /** A string: seeds exceed 2^53 on some sources. */
  seed: z.string().nullable(),
});
export type SnapshotParams = z.infer<typeof snapshotParamsSchema>;

const snapshotImageSchema = z.object({
  /** Position within the work, 0-based. */
  index: z.number().int().nonnegative(),
  /** Absolute URL or a site path such as `/media/…`. */
  url: z.string().min(1),
  /** The WebP thumbnail, when one was made. Same aspect ratio as the original. */
  thumbUrl: z.string().min(1).nullable(),
  /**
   * Every stored thumbnail (each configured width, src/core/media/thumbnails.ts) with its pixel width, narrowest
   * first: the cards' `srcset`. Absent in older snapshots (then only `thumbUrl` is known).
   */
  thumbs: z.array(z.object({ url: z.string().min(1), width: dimension })).optional(),
  width: dimension.nullable(),
  height: dimension.nullable(),
  /** What this image was generated with (v3); null when the source gave nothing for it. */
  recipe: recipeSchema.nullable().optional(),
  /**
   * Set when the original is a video: `url` is then the clip and `thumbUrl` its poster frame. `previewUrl`
   * is the short muted H.264 preview for cards (null until it is made). Absent in older snapshots.
   */
  video: z.object({ contentType: z.string().min(1), previewUrl: z.string().min(1).nullable() }).nullable().optional(),
});
export type SnapshotImage = z.infer<typeof snapshotImageSchema>;

const snapshotModelRefSchema = z.object({
  type: z.enum(['CHECKPOINT', 'LORA', 'OTHER']),
  name: z.string(),
  /** The model's page on the source. */
  url: z.string().min(1).nullable(),
  /** The catalogue LoRA this reference was matched to (`/lora/<loraId>`), when one was. */
  loraId: z.string().min(1).nullable().default(null),
  /** The catalogue model this reference belongs to (`/model/<modelId>`, models.json), when known (v3). */
  modelId: z.string().min(1).nullable().optional(),
  /** The LoRA's weight in the cover image's recipe (v3). */
  weight: z.number().nullable().optional(),
});
export type SnapshotModelRef = z.infer<typeof snapshotModelRefSchema>;

/**
 * Civitai's NSFW levels (mildest first). Works from sources without a rating are `None`. The site blurs
 * works above NSFW_BLUR_ABOVE by default.
 */
export const NSFW_LEVELS = ['None', 'Soft', 'Mature', 'X'] as const;
const nsfwLevelSchema = z.enum(NSFW_LEVELS);
export type SnapshotNsfwLevel = z.infer<typeof nsfwLevelSchema>;

/** A v2 work has no `completeness`: upgrade it from the work-level parameters v2 carried. */
function upgradeV2Work(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || 'completeness' in value) return value;
  const work = value as { prompt?: unknown; params?: Record<string, unknown> | null; models?: Array<{ type?: unknown }> | null };
  const params = work.params ?? {};
  const known = ['sampler', 'steps', 'cfgScale', 'seed', 'width', 'height'].filter((key) => params[key] !== null && params[key] !== undefined);
  const checkpoint = (work.models ?? []).some((m) => m?.type === 'CHECKPOINT');
  const completeness = work.prompt && known.length === 6 && checkpoint ? 'full' : work.prompt || known.length > 0 ? 'partial' : 'none';
  return { ...value, completeness };
}

export const snapshotWorkSchema = z.preprocess(upgradeV2Work, z.object({
  /** Huaku's id for the work, unique across sources and stable across snapshots (used in URLs). */
  id: z.string().min(1),
  source: workSourceSchema,
  /** The id on the source, as a string (Liblib ids exceed 2^53). */
  externalId: z.string().min(1),
  /** URL slug for `/artwork/<id>/<slug>`. */
  slug: z.string().min(1),
  title: z.string().nullable(),
  titleEn: z.string().nullable().optional(),
  publishedAt: isoDateTime.nullable(),
  author: snapshotAuthorSchema.nullable(),
  prompt: z.string().nullable(),
  negativePrompt: z.string().nullable(),
  params: snapshotParamsSchema,
  images: z.array(snapshotImageSchema),
  models: z.array(snapshotModelRefSchema),
  likeCount: count,
  favoriteCount: count,
  /** The work's page on the source. */
  sourceUrl: z.url({ protocol: /^https?$/ }).nullable(),
  nsfwLevel: nsfwLevelSchema.default('None'),
  tags: z.array(z.string()).default([]),
  /** How reproducible the work is from its recipes (best image; src/core/recipe/completeness.ts). v2 snapshots read as `none`. */
  completeness: z.enum(COMPLETENESS_LEVELS).optional(),
  /** Comments crawled from the source, oldest first (at most 50). */
  comments: z.array(z.object({ author: z.string().nullable(), content: z.string(), at: isoDateTime.nullable() })).optional(),
}));
export type SnapshotWork = z.infer<typeof snapshotWorkSchema>;

/** One works chunk file: a JSON array of works. */
export const snapshotWorkChunkSchema = z.array(snapshotWorkSchema);

/** authors.json: every author or community user with at least one work in the snapshot, by username. */
export const snapshotAuthorEntrySchema = snapshotAuthorSchema.extend({
  source: workSourceSchema,
  /** The author's profile on the source. */
  profileUrl: z.url({ protocol: /^https?$/ }).nullable(),
  workCount: count,
});
export type SnapshotAuthorEntry = z.infer<typeof snapshotAuthorEntrySchema>;
export const snapshotAuthorsSchema = z.array(snapshotAuthorEntrySchema);

/** Generation parameters suggested on a LoRA's page (editable, exportable as JSON). */
export const snapshotSuggestedParamsSchema = z.object({
  /** The LoRA's weight in the prompt (`<lora:name:weight>`). */
  weight: z.number().min(0).max(2),
  sampler: z.string(),
  steps: z.number().int().min(1).max(150),
  cfgScale: z.number().min(1).max(30),
  width: z.number().int().min(64).max(4096),
  height: z.number().int().min(64).max(4096),
  /** `works`: medians of the works that used this LoRA; `defaults`: the base model's usual settings. */
  basedOn: z.enum(['works', 'defaults']),
  /** How many works the figures come from (0 for defaults). */
  sampleSize: count,
});
export type SnapshotSuggestedParams = z.infer<typeof snapshotSuggestedParamsSchema>;

/** loras.json: every stored LoRA (the Top-LoRAs gallery and pages). */
export const snapshotLoraSchema = z.object({
  /** Huaku's id, used in `/lora/<id>`. */
  id: z.string().min(1).regex(/^[^/?#\s]+$/),
  source: workSourceSchema,
  /** `owner/name` on ModelScope. */
  externalId: z.string().min(1),
  titleCn: z.string().nullable(),
  titleEn: z.string().nullable(),
  author: z.string().nullable(),
  avatarUrl: z.string().min(1).nullable(),
  /** The stored cover (site path or public URL); null when the cover could not be downloaded (show a placeholder). */
  coverUrl: z.string().min(1).nullable(),
  coverThumbUrl: z.string().min(1).nullable(),
  coverWidth: dimension.nullable(),
  coverHeight: dimension.nullable(),
  /**
   * Set when the cover is a video (image-to-video LoRAs' `.mp4`): `coverUrl` is the clip, `coverThumbUrl` its
   * poster, `previewUrl` the short muted preview (null when missing). Absent in older snapshots.
   */
  coverVideo: z.object({ contentType: z.string().min(1), previewUrl: z.string().min(1).nullable() }).nullable().optional(),
  downloads: count,
  likes: count,
  license: z.string().nullable(),
  tagsCn: z.array(z.string()),
  tagsEn: z.array(z.string()),
  baseModels: z.array(z.string()),
  triggerWords: z.array(z.string()),
  visionFoundation: z.string().nullable(),
  task: z.string().nullable(),
  updatedAt: isoDateTime.nullable(),
  pageUrl: z.url({ protocol: /^https?$/ }).nullable(),
  suggestedParams: snapshotSuggestedParamsSchema,
  /** Works of the snapshot that used this LoRA (ids, newest first, at most 24). */
  workIds: z.array(z.string().min(1)),
});
export type SnapshotLora = z.infer<typeof snapshotLoraSchema>;
export const snapshotLorasSchema = z.array(snapshotLoraSchema);

/** models.json (v3): one model across sources; each member is one source's version, with how it was linked. */
const snapshotModelMemberSchema = z.object({
  source: workSourceSchema,
  type: z.enum(['CHECKPOINT', 'LORA', 'EMBEDDING', 'VAE', 'OTHER']),
  modelName: z.string().nullable(),
  versionName: z.string().nullable(),
  modelId: z.string().nullable(),
  versionId: z.string().nullable(),
  sha256: z.string().nullable(),
  autoV2: z.string().nullable(),
  /** As the source names it ("SDXL 1.0", "F.1"); absent in models.json written before it was kept. */
  baseModel: z.string().nullable().default(null),
  pageUrl: z.url({ protocol: /^https?$/ }).nullable(),
  downloads: count.nullable(),
  likes: count.nullable(),
  /** The catalogue LoRA (`/lora/<id>`) this member is. */
  loraId: z.string().nullable(),
  /** `origin` for the first member; else what joined it: the same file hash, upstream model id, or (weaker) name + base model. */
  method: z.enum(['origin', 'hash', 'id', 'name']),
  matched: z.string().nullable(),
  workIds: z.array(z.string().min(1)),
  workCount: count,
});
export const snapshotModelSchema = z.object({
  id: z.string().min(1).regex(/^[^/?#\s]+$/),
  type: z.enum(['CHECKPOINT', 'LORA', 'EMBEDDING', 'VAE', 'OTHER']),
  name: z.string(),
  members: z.array(snapshotModelMemberSchema).min(1),
});
export type SnapshotModel = z.infer<typeof snapshotModelSchema>;
export const snapshotModelsSchema = z.array(snapshotModelSchema);

/** diff.json: what changed since the previous snapshot, per source. */
const snapshotSourceDiffSchema = z.object({
  added: count,
  removed: count,
  changed: count,
  /** Up to 100 ids of each kind, for the report. */
  addedIds: z.array(z.string()),
  removedIds: z.array(z.string()),
  changedIds: z.array(z.string()),
});
export const snapshotDiffSchema = z.object({
  generatedAt: isoDateTime,
  /** null when there was no previous snapshot (everything counts as added). */
  previousGeneratedAt: isoDateTime.nullable(),
  works: z.partialRecord(workSourceSchema, snapshotSourceDiffSchema),
  loras: snapshotSourceDiffSchema,
});
export type SnapshotDiff = z.infer<typeof snapshotDiffSchema>;
