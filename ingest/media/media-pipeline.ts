// The media stage for one image row: download → dedupe by content hash → upload the original and its
// thumbnails → mark the row OK. Identical content is stored once, whichever work or URL it came from.
//
// Decisions:
// - Dedupe: `store.images.findOkByHash(fullSha256)`; when a row with that content exists and its object
//   is still in the BlobStore, this row reuses its key (and thumbnails: any missing ones are made again
//   under the same deterministic keys). If the object has vanished, it is uploaded again under the
//   existing key, which repairs every row pointing at it. The shared object's metadata names the first
//   work it was stored for.
// - Idempotent: keys depend only on the template inputs and the content, so a rerun after a crash (put
//   done, markOk not) overwrites the same objects with the same bytes; a rerun after markOk finds the row
//   itself by hash and changes nothing but downloaded_at.
// - Within one process, images with the same content are processed one after another (a lock per hash),
//   so concurrent downloads of one picture cannot both miss the dedupe lookup and store it twice.
// - Failures: a MediaError or a permanent HTTP error (HttpError with retryable=false, e.g. 404) marks the
//   row FAILED and is rethrown for the crawl ledger; other errors (transient HTTP, full disk, blob store
//   down) are rethrown and leave the row as it was. A row that is already OK with a stored object is not
//   downgraded to FAILED when its upstream URL has since rotted: the stored copy is kept (the error is
//   still rethrown).
// - Avatars (processAvatar) take the same download and thumbnail path but no image row: their key is
//   content-addressed (`avatars/{source}/{hash}.{ext}`), so the dedupe is a HEAD of that key, and the
//   caller records the result on the author row. A failure is only rethrown (the ledger keeps it).
import fs from 'node:fs';
import type { BlobMetadata, BlobStore } from '../../src/core/blob/blob-store.ts';
import { encodeMetadataValue, MAX_METADATA_BYTES } from '../../src/core/blob/blob-key.ts';
import type { Store, WorkImage } from '../../src/core/store/store.ts';
import type { HttpClient } from '../http/http-client.ts';
import { HttpError, redactUrl } from '../http/errors.ts';
import { DEFAULT_MAX_MEDIA_BYTES, downloadImage, type DownloadedImage } from './download-image.ts';
import { MediaError } from '../../src/core/media/media-error.ts';
import { avatarKey, DEFAULT_MEDIA_KEY_TEMPLATE, MediaKeyTemplate } from '../../src/core/media/media-key.ts';
import {
  AVATAR_THUMBNAIL_WIDTHS, DEFAULT_THUMBNAIL_QUALITY, DEFAULT_THUMBNAIL_WIDTHS, makeThumbnails, normalizeWidths, thumbnailKey,
} from '../../src/core/media/thumbnails.ts';
import type { StoredAvatar } from '../../src/core/domain/stored-avatar.ts';
import { makeVideoDerivatives, previewKey } from '../../src/core/media/video-derivatives.ts';
import type { VideoLimits } from '../../src/core/media/video-probe.ts';

/** The part of a pino Logger the pipeline uses. */
export interface MediaLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface MediaPipelineOptions {
  http: HttpClient;
  blobs: BlobStore;
  store: Store;
  /** Where downloads are written before upload (created when missing). */
  tmpDir: string;
  /** Default DEFAULT_MEDIA_KEY_TEMPLATE (`{source}/{category}/{yyyy}/{mm}/{dd}/{slug}/{index}_{hash}.{ext}`). */
  keyTemplate?: string | MediaKeyTemplate;
  /** Default [320, 960]. */
  thumbnailWidths?: readonly number[];
  thumbnailQuality?: number;
  /** Thumbnail widths of avatars; default AVATAR_THUMBNAIL_WIDTHS. */
  avatarWidths?: readonly number[];
  /** Default 50 MiB. */
  maxBytes?: number;
  /**
   * Accept videos (Civitai video items, Liblib video works, ModelScope video covers) within these limits:
   * stored like images (same keys and metadata), with poster thumbnails and a preview. Without it a
   * video fails as 'unsupported'.
   */
  video?: VideoLimits;
  logger?: MediaLogger;
}

export interface MediaContext {
  source: string;
  /** The category segment of the key (e.g. "transportation"), from configuration. */
  category: string;
  /** The work's slug (or id) for the key and the object metadata. */
  slug: string;
  publishedAt: Date | null;
  signal?: AbortSignal;
}

export interface ProcessImageResult {
  /** 'deduped': the content was already stored (by another row, or by this row in an earlier run). */
  status: 'ok' | 'deduped';
  /** The original's blob key. */
  key: string;
  /** Bytes downloaded from the upstream. */
  bytes: number;
  /** Bytes written to the BlobStore (original and thumbnails); 0 for a complete dedupe. */
  uploadedBytes: number;
  /** Full lowercase hex SHA-256. */
  contentHash: string;
  format: string;
  width: number;
  height: number;
  /** Configured width → thumbnail key, as stored in the row. */
  thumbnails: Record<string, string>;
  /** The row whose stored object was reused (status 'deduped'). */
  dedupedFrom?: number;
}

export interface ProcessAvatarResult {
  /** 'deduped': this content was already stored (another author's, or an earlier run's). */
  status: 'ok' | 'deduped';
  avatar: StoredAvatar;
  /** Bytes downloaded from the upstream. */
  bytes: number;
  /** Bytes written to the BlobStore; 0 for a complete dedupe. */
  uploadedBytes: number;
}

export class MediaPipeline {
  private readonly http: HttpClient;
  private readonly blobs: BlobStore;
  private readonly store: Store;
  private readonly tmpDir: string;
  private readonly template: MediaKeyTemplate;
  private readonly widths: number[];
  private readonly avatarWidths: number[];
  private readonly quality: number;
  private readonly maxBytes: number;
  private readonly video: VideoLimits | undefined;
  private readonly logger: MediaLogger | undefined;
  /** Per-content-hash chains: one image of a given content is stored at a time. */
  private readonly hashLocks = new Map<string, Promise<void>>();

  constructor(options: MediaPipelineOptions) {
    this.http = options.http;
    this.blobs = options.blobs;
    this.store = options.store;
    this.tmpDir = options.tmpDir;
    // Compiled here so a bad template or width list fails at startup, before any download.
    const template = options.keyTemplate ?? DEFAULT_MEDIA_KEY_TEMPLATE;
    this.template = typeof template === 'string' ? new MediaKeyTemplate(template) : template;
    this.widths = normalizeWidths(options.thumbnailWidths ?? DEFAULT_THUMBNAIL_WIDTHS);
    this.avatarWidths = normalizeWidths(options.avatarWidths ?? AVATAR_THUMBNAIL_WIDTHS);
    this.quality = options.thumbnailQuality ?? DEFAULT_THUMBNAIL_QUALITY;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES;
    if (!Number.isSafeInteger(this.maxBytes) || this.maxBytes <= 0) {
      throw new RangeError(`maxBytes must be a positive integer, got ${this.maxBytes}`);
    }
    this.video = options.video;
    this.logger = options.logger;
  }

  /** Download, store and record one image row (from `store.images.ensure`). */
  async processImage(image: WorkImage, context: MediaContext): Promise<ProcessImageResult> {
    const started = Date.now();
    let download: DownloadedImage;
    try {
      download = await downloadImage({
        http: this.http,
        url: image.srcUrl,
        tmpDir: this.tmpDir,
        // A video may be larger than an image; its own limit applies (checked again by the probe).
        maxBytes: this.video ? Math.max(this.maxBytes, this.video.maxBytes) : this.maxBytes,
        signal: context.signal,
        ...(this.video ? { video: this.video } : {}),
      });
    } catch (error) {
      await this.recordFailure(image, error);
      throw error;
    }
    try {
      const result = await this.withHashLock(download.sha256, () => this.persist(image, context, download));
      // One line per stored image is detail for debugging; the run report carries the totals.
      this.logger?.debug(
        { stage: 'media', key: redactUrl(image.srcUrl), imageId: image.id, status: result.status, blobKey: result.key, bytes: result.bytes, ms: Date.now() - started },
        result.status === 'ok' ? 'image stored' : 'image deduped',
      );
      return result;
    } catch (error) {
      await this.recordFailure(image, error);
      throw error;
    } finally {
      await download.dispose();
    }
  }

  /** Download one author's avatar and store it with its thumbnails; the caller records it on the author. */
  async processAvatar(url: string, context: { source: string; signal?: AbortSignal }): Promise<ProcessAvatarResult> {
    const download = await downloadImage({ http: this.http, url, tmpDir: this.tmpDir, maxBytes: this.maxBytes, signal: context.signal });
    try {
      const result = await this.withHashLock(download.sha256, () => this.persistAvatar(url, context.source, download));
      this.logger?.debug({ stage: 'avatar', key: redactUrl(url), status: result.status, blobKey: result.avatar.key, bytes: result.bytes }, 'avatar stored');
      return result;
    } finally {
      await download.dispose();
    }
  }

  private async persistAvatar(url: string, source: string, download: DownloadedImage): Promise<ProcessAvatarResult> {
    const key = avatarKey(source, download.sha256, download.ext);
    const base = { key, width: download.width, height: download.height };
    if (await this.blobs.head(key)) {
      // Thumbnails are never enlarged, so each width's pixel width is known without rendering; the
      // same-size rule of makeThumbnails keeps the first (narrowest) width's key for equal sizes.
      const expected = new Map<number, string>();
      for (const w of this.avatarWidths) {
        const pixels = Math.min(w, download.width);
        if (!expected.has(pixels)) expected.set(pixels, thumbnailKey(key, w));
      }
      const thumbnails = [...expected].map(([width, thumbKey]) => ({ key: thumbKey, width }));
      const heads = await Promise.all(thumbnails.map((t) => this.blobs.head(t.key)));
      if (heads.every((h) => h !== null)) {
        return { status: 'deduped', avatar: { from: url, ...base, thumbnails }, bytes: download.bytes, uploadedBytes: 0 };
      }
    }
    const head = await this.blobs.put(key, fs.createReadStream(download.path), {
      contentType: download.contentType,
      metadata: withOriginalUrl(url, { width: String(download.width), height: String(download.height), content_sha256: download.sha256 }),
    });
    const made = await makeThumbnails({ blobs: this.blobs, input: download.path, originalKey: key, widths: this.avatarWidths, quality: this.quality, url: redactUrl(url) });
    const stored = made.thumbnails.filter((t) => t.stored);
    return {
      status: 'ok',
      avatar: { from: url, ...base, thumbnails: stored.map((t) => ({ key: t.key, width: t.width })) },
      bytes: download.bytes,
      uploadedBytes: head.size + stored.reduce((sum, t) => sum + t.bytes, 0),
    };
  }

  private async persist(image: WorkImage, context: MediaContext, download: DownloadedImage): Promise<ProcessImageResult> {
    const base = {
      bytes: download.bytes,
      contentHash: download.sha256,
      format: download.format,
      width: download.width,
      height: download.height,
    };
    let key: string | undefined;
    const existing = await this.store.images.findOkByHash(download.sha256);
    if (existing?.blobKey) {
      if (await this.blobs.head(existing.blobKey)) {
        const { keys: thumbnails, uploadedBytes } = await this.ensureThumbnails(existing.blobKey, existing.thumbnails, download);
        await this.markOk(image, existing.blobKey, download, thumbnails);
        return { ...base, status: 'deduped', key: existing.blobKey, uploadedBytes, thumbnails, dedupedFrom: existing.id };
      }
      this.logger?.warn(
        { stage: 'media', imageId: image.id, blobKey: existing.blobKey, sameContentAs: existing.id },
        'a stored image with the same content is missing from the blob store; uploading it again under its key',
      );
      key = existing.blobKey;
    }
    key ??= this.template.render({
      source: context.source,
      category: context.category,
      slug: context.slug,
      index: image.imageIndex,
      publishedAt: context.publishedAt,
      contentHash: download.sha256,
      ext: download.ext,
    });
    const head = await this.blobs.put(key, fs.createReadStream(download.path), {
      contentType: download.contentType,
      metadata: originalMetadata(image, context, download),
    });
    const made = await this.makeThumbnails(key, download);
    await this.markOk(image, key, download, made.keys);
    return { ...base, status: 'ok', key, uploadedBytes: head.size + made.uploadedBytes, thumbnails: made.keys };
  }

  /** Reuse the stored thumbnails when every configured width exists; otherwise make them again (same keys). */
  private async ensureThumbnails(
    originalKey: string,
    stored: Record<string, string> | null,
    download: DownloadedImage,
  ): Promise<{ keys: Record<string, string>; uploadedBytes: number }> {
    if (stored && this.widths.every((w) => typeof stored[String(w)] === 'string')) {
      const keys = [...new Set(this.widths.map((w) => stored[String(w)]!))];
      if (download.video) keys.push(previewKey(originalKey));
      const heads = await Promise.all(keys.map((k) => this.blobs.head(k)));
      if (heads.every((h) => h !== null)) return { keys: stored, uploadedBytes: 0 };
    }
    const made = await this.makeThumbnails(originalKey, download);
    return { keys: { ...stored, ...made.keys }, uploadedBytes: made.uploadedBytes };
  }

  private async makeThumbnails(originalKey: string, download: DownloadedImage): Promise<{ keys: Record<string, string>; uploadedBytes: number }> {
    if (download.video) {
      const made = await makeVideoDerivatives({
        blobs: this.blobs,
        file: download.path,
        originalKey,
        probe: download.video,
        widths: this.widths,
        quality: this.quality,
        url: redactUrl(download.url),
      });
      const thumbBytes = made.thumbnails.thumbnails.reduce((sum, t) => sum + (t.stored ? t.bytes : 0), 0);
      return { keys: made.thumbnails.keys, uploadedBytes: thumbBytes + made.preview.bytes };
    }
    const made = await makeThumbnails({
      blobs: this.blobs,
      input: download.path,
      originalKey,
      widths: this.widths,
      quality: this.quality,
      url: redactUrl(download.url),
    });
    return { keys: made.keys, uploadedBytes: made.thumbnails.reduce((sum, t) => sum + (t.stored ? t.bytes : 0), 0) };
  }

  private async markOk(image: WorkImage, blobKey: string, download: DownloadedImage, thumbnails: Record<string, string>): Promise<void> {
    await this.store.images.markOk(image.id, {
      blobKey,
      width: download.width,
      height: download.height,
      format: download.format,
      contentHash: download.sha256,
      sizeBytes: download.bytes,
      thumbnails,
    });
  }

  private async recordFailure(image: WorkImage, error: unknown): Promise<void> {
    if (!(error instanceof MediaError) && !isPermanentHttpError(error)) return;
    const fields = {
      stage: 'media',
      key: redactUrl(image.srcUrl),
      imageId: image.id,
      reason: error instanceof MediaError ? error.reason : 'http',
      err: error instanceof Error ? error.message : String(error),
    };
    if (image.status === 'OK' && image.blobKey) {
      this.logger?.warn(fields, 'image failed again upstream; keeping the stored copy');
      return;
    }
    try {
      await this.store.images.markFailed(image.id);
    } catch (markError) {
      // The original error is the one worth reporting; the row stays PENDING and the ledger retries it.
      this.logger?.warn({ ...fields, markError: String(markError) }, 'could not mark the image FAILED');
      return;
    }
    this.logger?.warn(fields, 'image failed');
  }

  private async withHashLock<T>(hash: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.hashLocks.get(hash) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.hashLocks.set(hash, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.hashLocks.get(hash) === tail) this.hashLocks.delete(hash);
    }
  }
}

/** A 4xx (other than 408/429) or any HttpError the client says retrying cannot help. */
function isPermanentHttpError(error: unknown): boolean {
  return error instanceof HttpError && !error.retryable;
}

/**
 * The original's object metadata (seed 000): original_url, work_slug, image_index, width, height, plus
 * content_sha256. Keys are lowercase (S3 lowercases header names). A URL too long for S3's 2 KB metadata
 * limit is cut to fit; the full URL is in the database.
 */
export function originalMetadata(
  image: Pick<WorkImage, 'srcUrl' | 'imageIndex'>,
  context: Pick<MediaContext, 'slug'>,
  download: Pick<DownloadedImage, 'width' | 'height' | 'sha256'>,
): BlobMetadata {
  return withOriginalUrl(image.srcUrl, {
    work_slug: context.slug,
    image_index: String(image.imageIndex),
    width: String(download.width),
    height: String(download.height),
    content_sha256: download.sha256,
  });
}

/** `rest` with `original_url` first, the URL cut to what S3's metadata limit leaves. */
function withOriginalUrl(url: string, rest: BlobMetadata): BlobMetadata {
  let used = 0;
  for (const [k, v] of Object.entries(rest)) used += Buffer.byteLength(k) + Buffer.byteLength(encodeMetadataValue(v));
  const budget = MAX_METADATA_BYTES - used - Buffer.byteLength('original_url');
  return { original_url: fitEncoded(redactUrl(url), budget), ...rest };
}

/** The longest prefix of `value` whose wire encoding fits in `budget` bytes. */
function fitEncoded(value: string, budget: number): string {
  if (Buffer.byteLength(encodeMetadataValue(value)) <= budget) return value;
  const chars = [...value];
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(encodeMetadataValue(chars.slice(0, mid).join(''))) <= budget) low = mid;
    else high = mid - 1;
  }
  return chars.slice(0, low).join('');
}
