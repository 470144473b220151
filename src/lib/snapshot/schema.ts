// The JSON snapshot: the contract between ingest/ (which writes it) and the site (whose content loaders
// read it). Framework-free: never imports astro:*. Both sides validate with these schemas, so a field that
// changes here changes for both at once. Objects strip unknown keys, so a writer may add a field before
// the site reads it; removing or retyping one is a breaking change (bump `version`).
import { z } from 'zod';

/** Where a work came from. `community` is published on Huaku itself. */
export const workSourceSchema = z.enum(['liblib', 'civitai', 'modelscope', 'community']);
export type WorkSource = z.infer<typeof workSourceSchema>;

const isoDateTime = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();
const dimension = z.number().int().positive();

export const snapshotSourceCountsSchema = z.object({
  works: count,
  authors: count,
  loras: count.optional(),
});

export const snapshotManifestSchema = z.object({
  version: z.literal(1),
  generatedAt: isoDateTime,
  /** Counts per source; a source with nothing ingested may be absent. `works` equals the works of that source in the chunks. */
  counts: z.partialRecord(workSourceSchema, snapshotSourceCountsSchema),
  /** The ingest runs (fetch_runs ids) whose results this snapshot includes. */
  runIds: z.array(z.string().min(1)),
});
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;

export const snapshotAuthorSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  avatarUrl: z.string().min(1).nullable(),
});
export type SnapshotAuthor = z.infer<typeof snapshotAuthorSchema>;

/** Generation parameters as the source reported them; any may be unknown. */
export const snapshotParamsSchema = z.object({
  sampler: z.string().nullable(),
  steps: z.number().int().nonnegative().nullable(),
  cfgScale: z.number().nullable(),
  width: dimension.nullable(),
  height: dimension.nullable(),
  /** A string: seeds exceed 2^53 on some sources. */
  seed: z.string().nullable(),
});
export type SnapshotParams = z.infer<typeof snapshotParamsSchema>;

export const snapshotImageSchema = z.object({
  /** Position within the work, 0-based. */
  index: z.number().int().nonnegative(),
  /** Absolute URL or a site path such as `/media/…`. */
  url: z.string().min(1),
  /** The WebP thumbnail, when one was made. Same aspect ratio as the original. */
  thumbUrl: z.string().min(1).nullable(),
  width: dimension.nullable(),
  height: dimension.nullable(),
});
export type SnapshotImage = z.infer<typeof snapshotImageSchema>;

export const snapshotModelRefSchema = z.object({
  type: z.enum(['CHECKPOINT', 'LORA', 'OTHER']),
  name: z.string(),
  url: z.string().min(1).nullable(),
});
export type SnapshotModelRef = z.infer<typeof snapshotModelRefSchema>;

export const snapshotWorkSchema = z.object({
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
});
export type SnapshotWork = z.infer<typeof snapshotWorkSchema>;

/** One works chunk file: a JSON array of works. */
export const snapshotWorkChunkSchema = z.array(snapshotWorkSchema);
