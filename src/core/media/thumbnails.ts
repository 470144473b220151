// WebP thumbnails of a stored original, at a few fixed widths (the site's `srcset`).
//
// Decisions:
// - Key: `thumbs/{width}/{original key without its extension}.webp`, where {width} is the configured
//   width (320, 960), not the pixel width. The key follows from the original key alone, so the site and a
//   rerun find thumbnails without a lookup, and a rerun overwrites them with identical bytes.
// - Never upscale: an image narrower than a configured width keeps its own width. When two configured
//   widths come out the same (a 300 px image asked for 320 and 960), the larger width points at the
//   smaller one's object instead of storing the same pixels twice.
// - EXIF orientation is applied and metadata (EXIF, GPS, ICC) is stripped; colours are converted to
//   sRGB. Animations become a still of their first frame.
import sharp from 'sharp';
import type { BlobStore } from '../blob/blob-store.ts';
import { InvalidInputError } from '../errors.ts';
import { SHARP_FAIL_ON } from './sharp-policy.ts';
import { MediaError } from './media-error.ts';

export const DEFAULT_THUMBNAIL_WIDTHS: readonly number[] = [320, 960];
export const DEFAULT_THUMBNAIL_QUALITY = 80;
/**
 * Avatars are shown at 20–24 CSS px (cards, artwork pages) and 72 px (user pages): 48 covers the small ones
 * at 2×, 144 the profile at 2× (upstream avatars are 64–128 px, so it is usually the original's own width).
 */
export const AVATAR_THUMBNAIL_WIDTHS: readonly number[] = [48, 144];
const THUMBNAIL_PREFIX = 'thumbs';

interface Thumbnail {
  /** The configured width this thumbnail answers for (the key's {width}). */
  requestedWidth: number;
  key: string;
  /** Pixel dimensions of the stored WebP (width ≤ requestedWidth, never more than the original's). */
  width: number;
  height: number;
  bytes: number;
  /** false when this width reuses the object of a smaller configured width (same pixels). */
  stored: boolean;
}

export interface ThumbnailSet {
  /** Configured width (as a string, the JSON column's shape) → blob key. */
  keys: Record<string, string>;
  thumbnails: Thumbnail[];
}

export interface MakeThumbnailsOptions {
  blobs: BlobStore;
  /** The original image: a file path or its bytes. */
  input: string | Buffer;
  /** The original's blob key; thumbnail keys derive from it. */
  originalKey: string;
  widths?: readonly number[];
  quality?: number;
  /** For error messages (the original's URL). */
  url?: string;
}

/** `thumbs/{width}/{original key without extension}.webp` */
export function thumbnailKey(originalKey: string, width: number): string {
  assertWidth(width);
  return `${THUMBNAIL_PREFIX}/${width}/${keyStem(originalKey)}.webp`;
}

/** An original's key without its extension: the part every derived object's key repeats. */
export function keyStem(originalKey: string): string {
  const slash = originalKey.lastIndexOf('/');
  const dot = originalKey.lastIndexOf('.');
  return dot > slash + 1 ? originalKey.slice(0, dot) : originalKey;
}

/** Sorted, de-duplicated, validated widths. */
export function normalizeWidths(widths: readonly number[]): number[] {
  if (widths.length === 0) throw new InvalidInputError('thumbnail widths: at least one width is needed');
  for (const width of widths) assertWidth(width);
  return [...new Set(widths)].sort((a, b) => a - b);
}

/**
 * Render one WebP thumbnail (no upload): `width` wide, or fitted inside `width` × `maxHeight` when a height
 * is given; never enlarged.
 */
export async function renderThumbnail(
  input: string | Buffer,
  width: number,
  options: { quality?: number; maxHeight?: number } = {},
): Promise<{ data: Buffer; width: number; height: number }> {
  assertWidth(width);
  const { data, info } = await sharp(input, { failOn: SHARP_FAIL_ON })
    .autoOrient()
    .resize({ width, height: options.maxHeight, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: options.quality ?? DEFAULT_THUMBNAIL_QUALITY })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Render and upload the thumbnails of one original; returns their keys and dimensions. */
export async function makeThumbnails(options: MakeThumbnailsOptions): Promise<ThumbnailSet> {
  const widths = normalizeWidths(options.widths ?? DEFAULT_THUMBNAIL_WIDTHS);
  const quality = options.quality ?? DEFAULT_THUMBNAIL_QUALITY;
  const keys: Record<string, string> = {};
  const thumbnails: Thumbnail[] = [];
  for (const requestedWidth of widths) {
    let rendered: { data: Buffer; width: number; height: number };
    try {
      rendered = await renderThumbnail(options.input, requestedWidth, { quality });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new MediaError('corrupt', options.url ?? options.originalKey, `cannot make a ${requestedWidth}px thumbnail: ${message}`, { cause: error });
    }
    // Widths ascend, so a same-sized earlier thumbnail means the original is narrower than both.
    const same = thumbnails.find((t) => t.width === rendered.width && t.height === rendered.height);
    if (same) {
      keys[String(requestedWidth)] = same.key;
      thumbnails.push({ ...same, requestedWidth, stored: false });
      continue;
    }
    const key = thumbnailKey(options.originalKey, requestedWidth);
    await options.blobs.put(key, rendered.data, {
      contentType: 'image/webp',
      metadata: { source_key: options.originalKey, width: String(rendered.width), height: String(rendered.height) },
    });
    keys[String(requestedWidth)] = key;
    thumbnails.push({ requestedWidth, key, width: rendered.width, height: rendered.height, bytes: rendered.data.byteLength, stored: true });
  }
  return { keys, thumbnails };
}

function assertWidth(width: number): void {
  if (!Number.isSafeInteger(width) || width <= 0 || width > 16383) {
    throw new InvalidInputError(`thumbnail width must be an integer between 1 and 16383 (WebP's limit), got ${width}`);
  }
}
