// The seed-003 ImageDownloader: mirror a model's, a version's, a creator's or a filtered set of Civitai
// images into a folder layout, with metadata files, dedupe and skip-existing, on top of the polite HTTP
// client (per-host rate limit, retries, Retry-After) and the media module's validated downloads.
//
//   const downloader = new ImageDownloader({ api, http, outputPath: './images', pathTemplate: 'by-creator' });
//   downloader.onImageDownloaded((task) => console.log(task.status, task.imagePath));
//   const taskIds = await downloader.downloadModelImages(4201, { limit: 50, nsfwLevels: ['None', 'Soft'] });
//
// Decisions where the seed is silent:
// - Each download method resolves once every task it created has finished (done, skipped or failed) and
//   returns their ids. A failing image fails its task only; listing errors (401/403, 404, drift) and a
//   full disk reject the call.
// - Items outside the NSFW filter (the API may return more than asked) are dropped without a task and
//   counted in `summary().filteredByNsfw`; audio items become `skipped` tasks (not-an-image); video items
//   are downloaded like images (checked by ffprobe against `video`, saved with their real extension, their
//   thumbnail made from the poster frame), unless `video` is null (then they are skipped as before).
// - Listing sorts `Newest` first unless a filter sets `sort` (the contract's cursors are most reliable there).
// - Dedupe (`onDuplicate`): a URL already stored under another image id is not fetched again: `skip` points
//   the task at the stored file, `keep-both` copies it to the new path, `replace` moves it there. Identical
//   content at another URL is detected by SHA-256 after the download, with the same three policies
//   (`replace` removes the older file and its sidecars). Default `skip`.
// - Skip-existing: an image whose file is at its rendered path, or that the folder's index lists with its
//   file still present, is skipped without a request.
// - Free space (fs.statfs) is checked before each page's batch: at least `minFreeBytes` plus
//   `estimatedImageBytes` per image must be free, or the call fails with a UserFacingError.
// - Thumbnails go to `<output>/thumbnails/<same path>.webp`, fitted inside thumbnailSize, never enlarged.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { errorMessage, InvalidInputError, UserFacingError } from '../../../src/core/errors.ts';
import { createLogger } from '../../../src/core/log.ts';
import type { HttpClient } from '../../http/http-client.ts';
import { HostPool } from '../../http/host-pool.ts';
import { PoliteHttpClient } from '../../http/polite-http-client.ts';
import { DEFAULT_MAX_MEDIA_BYTES, downloadImage, type DownloadedImage } from '../../media/download-image.ts';
import { detectFormat } from '../../../src/core/media/image-format.ts';
import { renderThumbnail } from '../../../src/core/media/thumbnails.ts';
import { renderPoster } from '../../../src/core/media/video-derivatives.ts';
import { DEFAULT_VIDEO_LIMITS, probeVideo, type VideoLimits } from '../../../src/core/media/video-probe.ts';
import { writeFileAtomic } from '../../../src/core/fs/atomic-write.ts';
import { CivitaiClient, MAX_PAGE_SIZE, RESERVED_IMAGE_PARAMS, type ImageFilters } from './civitai-client.ts';
import { DownloadIndex, fileExists, type IndexEntry } from './download-index.ts';
import { buildExifThatFits, embedExif, EXIF_FORMATS } from './exif.ts';
import { ImageDownloadTask, type SkipReason } from './image-download-task.ts';
import {
  extractImageMetadata, metadataJson, sidecarPath,
  type ImageContext, type ImageMetadata, type MetadataFormat,
} from './metadata.ts';
import { normalizeImageItem, type CivitaiImage } from './normalize.ts';
import { formatParameters } from './recipe.ts';
import { DEFAULT_NSFW_FILTER, isAllowedLevel, NSFW_LEVELS, type NsfwLevel } from './nsfw.ts';
import { DEFAULT_PATH_TEMPLATE, PathTemplate, resolveInside, type PathValues } from './path-template.ts';

const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set(['mp4', 'mov', 'webm']);

export type DuplicatePolicy = 'skip' | 'replace' | 'keep-both';
export const DUPLICATE_POLICIES: readonly DuplicatePolicy[] = ['skip', 'replace', 'keep-both'];

/** The seed's `images.*` configuration, plus the knobs this implementation adds. */
export interface ImageDownloadConfig {
  /** images.output_path */
  outputPath: string;
  /** images.path_template: a template or a preset name (by-model, by-creator, by-nsfw, by-model-name). */
  pathTemplate: string;
  /** images.metadata_format */
  metadataFormat: MetadataFormat;
  /** images.save_metadata */
  saveMetadata: boolean;
  /** images.default_nsfw_filter */
  defaultNsfwFilter: readonly NsfwLevel[];
  /** images.max_concurrent: downloads in flight, on top of the HTTP client's per-host rate limit. */
  maxConcurrent: number;
  /** images.skip_existing */
  skipExisting: boolean;
  /** images.generate_thumbnails */
  generateThumbnails: boolean;
  /** images.thumbnail_size [width, height]: the box a thumbnail fits in. */
  thumbnailSize: readonly [number, number];
  /** What to do with an image whose URL or content is already stored under another id. */
  onDuplicate: DuplicatePolicy;
  /** Items per `/images` request (1–200). */
  pageSize: number;
  /** Free space to keep on the output disk. */
  minFreeBytes: number;
  /** Space reserved per image when checking a batch. */
  estimatedImageBytes: number;
  /** Largest image accepted. */
  maxBytes: number;
  /** Tries per image for failures that may pass (a body cut short, a CDN error page served as 200). */
  downloadAttempts: number;
  /** Wait before the 2nd try; doubled for each further one. */
  retryDelayMs: number;
  /** Limits for video items (VIDEO_MAX_*); null skips them. */
  video: VideoLimits | null;
}

export const DEFAULT_IMAGE_DOWNLOAD_CONFIG: Readonly<ImageDownloadConfig> = Object.freeze({
  outputPath: './images',
  pathTemplate: DEFAULT_PATH_TEMPLATE,
  metadataFormat: 'json',
  saveMetadata: true,
  defaultNsfwFilter: DEFAULT_NSFW_FILTER,
  maxConcurrent: 5,
  skipExisting: true,
  generateThumbnails: false,
  thumbnailSize: [256, 256] as const,
  onDuplicate: 'skip',
  pageSize: 100,
  minFreeBytes: 200 * 1024 * 1024,
  estimatedImageBytes: 4 * 1024 * 1024,
  maxBytes: DEFAULT_MAX_MEDIA_BYTES,
  downloadAttempts: 3,
  retryDelayMs: 500,
  video: DEFAULT_VIDEO_LIMITS,
});

/** The part of a pino Logger used here. */
export interface DownloaderLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** Told about every task as it changes (the CLI's progress bars). */
export interface DownloadProgressListener {
  onTask(task: ImageDownloadTask): void;
}

export interface ImageDownloaderOptions extends Partial<ImageDownloadConfig> {
  /** The Civitai API client; by default one over `http` with `apiBase`/`apiKey`. */
  api?: CivitaiClient;
  /** The download engine (the polite HTTP client); by default a per-host pool at 4 requests/s. */
  http?: HttpClient;
  apiBase?: string;
  apiKey?: string;
  log?: DownloaderLogger;
  progress?: DownloadProgressListener;
  /** Free bytes on the disk holding a directory; default fs.statfs. Injectable for tests. */
  freeBytes?: (dir: string) => Promise<number>;
}

export interface DownloadOptions {
  /** Most images to download; 0 = no limit. */
  limit?: number;
  /** Levels to keep; default the configured filter; 'all' = None, Soft, Mature, X. */
  nsfwLevels?: readonly NsfwLevel[] | 'all';
  saveMetadata?: boolean;
  signal?: AbortSignal;
}

export interface SingleImageOptions {
  /** A file path for this image; its extension is replaced by the detected format's. */
  outputPath?: string;
  saveMetadata?: boolean;
  nsfwLevels?: readonly NsfwLevel[] | 'all';
  signal?: AbortSignal;
}

export type ImageDownloadedCallback = (task: ImageDownloadTask) => void | Promise<void>;

export interface DownloadSummary {
  tasks: number;
  queued: number;
  downloading: number;
  done: number;
  skipped: number;
  failed: number;
  /** Items the API returned outside the NSFW filter (dropped). */
  filteredByNsfw: number;
  bytes: number;
}

/** Not enough room on the output disk for the next batch. */
export class InsufficientDiskSpaceError extends UserFacingError {
  readonly retryable = false;
  constructor(dir: string, free: number, needed: number, images: number) {
    super(`not enough free disk space in ${dir}: ${mib(free)} free, the next ${images} image(s) need about ${mib(needed)} (including the reserve)`, {
      hint: 'Free some space, choose another --out, or lower minFreeBytes / estimatedImageBytes; finished images are kept and a rerun skips them.',
    });
    this.name = 'InsufficientDiskSpaceError';
  }
}

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif', 'tiff'];

interface Listing {
  filters: ImageFilters;
  context: ImageContext;
  /** Resolve model/version per image from its resources (creator and filter modes). */
  resolveModel: boolean;
}

export class ImageDownloader {
  readonly config: Readonly<ImageDownloadConfig>;
  readonly api: CivitaiClient;
  readonly #http: HttpClient;
  readonly #ownsHttp: boolean;
  readonly #template: PathTemplate;
  readonly #root: string;
  readonly #limit: LimitFunction;
  readonly #tasks = new Map<string, ImageDownloadTask>();
  readonly #callbacks: ImageDownloadedCallback[] = [];
  readonly #log: DownloaderLogger | undefined;
  readonly #progress: DownloadProgressListener | undefined;
  readonly #freeBytes: (dir: string) => Promise<number>;
  readonly #versions = new Map<number, Promise<{ modelId: number | null; modelName: string | null } | null>>();
  readonly #urlsInFlight = new Map<string, Promise<void>>();
  #index: Promise<DownloadIndex> | null = null;
  #commits: Promise<unknown> = Promise.resolve();
  #taskNumber = 0;
  #filtered = 0;

  constructor(options: ImageDownloaderOptions = {}) {
    const config: ImageDownloadConfig = { ...DEFAULT_IMAGE_DOWNLOAD_CONFIG };
    for (const [key, value] of Object.entries(options)) if (key in config && value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
    validateConfig(config);
    this.config = Object.freeze(config);
    // Compiled now so that a bad template fails before any request.
    this.#template = new PathTemplate(config.pathTemplate);
    this.#root = path.resolve(config.outputPath);
    if (options.http) {
      this.#http = options.http;
      this.#ownsHttp = false;
    } else {
      const logger = createLogger({ logLevel: 'silent' });
      this.#http = new HostPool(() => new PoliteHttpClient({ rps: 4, stageConcurrency: { list: 1, detail: 2, media: config.maxConcurrent }, logger }));
      this.#ownsHttp = true;
    }
    this.api = options.api ?? new CivitaiClient(this.#http, { apiBase: options.apiBase, apiKey: options.apiKey });
    this.#limit = pLimit(config.maxConcurrent);
    this.#log = options.log;
    this.#progress = options.progress;
    this.#freeBytes = options.freeBytes ?? (async (dir) => {
      const stats = await fs.statfs(dir);
      return Number(stats.bavail) * Number(stats.bsize);
    });
  }

  /** Every example image of a model (all its versions). */
  async downloadModelImages(modelId: number, options: DownloadOptions = {}): Promise<string[]> {
    const model = await this.api.model(positiveId('modelId', modelId), options.signal);
    return this.#download({ filters: { modelId }, context: { modelId, modelName: model.name }, resolveModel: false }, { limit: 0, ...options });
  }

  /** The images of one model version. */
  async downloadVersionImages(versionId: number, options: DownloadOptions = {}): Promise<string[]> {
    const version = await this.api.modelVersion(positiveId('versionId', versionId), options.signal);
    const context = { modelId: version.modelId, modelName: version.modelName, versionId };
    return this.#download({ filters: { modelVersionId: versionId }, context, resolveModel: false }, { limit: 0, ...options });
  }

  /** A creator's images (default limit 20, as the seed). */
  async downloadCreatorImages(username: string, options: DownloadOptions = {}): Promise<string[]> {
    if (!username.trim()) throw new InvalidInputError('username is empty');
    return this.#download({ filters: { username: username.trim() }, context: {}, resolveModel: true }, { limit: 20, ...options });
  }

  /**
   * Images matching `/images` filters passed as they are (postId, baseModels, period, sort, tags, type…).
   * Paging and NSFW parameters are the downloader's: `cursor`, `page`, `limit`, `withMeta`, `nsfw` and
   * `browsingLevel` are refused (use `nsfwLevels` and `limit`).
   */
  async downloadFilteredImages(filterParams: ImageFilters, options: DownloadOptions = {}): Promise<string[]> {
    const reserved = Object.keys(filterParams).filter((key) => (RESERVED_IMAGE_PARAMS as readonly string[]).includes(key));
    if (reserved.length > 0) throw new InvalidInputError(`filter parameters ${reserved.join(', ')} are set by the downloader (use limit and nsfwLevels)`);
    const context: ImageContext = {
      modelId: typeof filterParams.modelId === 'number' ? filterParams.modelId : null,
      versionId: typeof filterParams.modelVersionId === 'number' ? filterParams.modelVersionId : null,
    };
    return this.#download({ filters: filterParams, context, resolveModel: true }, { limit: 20, ...options });
  }

  /** One image by id; its NSFW level must be within the filter. Returns the task id. */
  async downloadSingleImage(imageId: number, options: SingleImageOptions = {}): Promise<string> {
    const levels = this.#levels(options.nsfwLevels);
    const image = await this.api.image(positiveId('imageId', imageId), levels, options.signal);
    if (!image) throw new UserFacingError(`Civitai has no image ${imageId} within the NSFW levels ${levels.join(', ')}`, { hint: 'Check the id, or widen --nsfw.' });
    const [task] = await this.#runImages([image], { context: {}, resolveModel: true }, options.saveMetadata ?? this.config.saveMetadata, options.signal, options.outputPath);
    await task!.promise;
    await this.#removeTmpDir();
    return task!.task.id;
  }

  getTask(taskId: string): ImageDownloadTask | null {
    return this.#tasks.get(taskId) ?? null;
  }

  getAllTasks(): ImageDownloadTask[] {
    return [...this.#tasks.values()];
  }

  summary(): DownloadSummary {
    const tasks = this.getAllTasks();
    const count = (status: string) => tasks.filter((t) => t.status === status).length;
    return {
      tasks: tasks.length, queued: count('queued'), downloading: count('downloading'), done: count('done'), skipped: count('skipped'),
      failed: count('failed'), filteredByNsfw: this.#filtered, bytes: tasks.reduce((sum, t) => sum + t.bytes, 0),
    };
  }

  /** Metadata of an image: a raw `/images` item or a normalized one, plus what the listing knew. */
  extractImageMetadata(imageData: CivitaiImage | unknown, context: ImageContext = {}): ImageMetadata {
    const image = isNormalized(imageData) ? imageData : normalizeImageItem(imageData);
    return extractImageMetadata(image, context);
  }

  /**
   * Save metadata for an image file: `json` and `txt` next to it (same name), `exif` into the file itself
   * (JPEG, PNG, WebP; other formats fall back to json). Returns the path written.
   */
  async saveMetadataFile(imagePath: string, metadata: ImageMetadata, format: MetadataFormat = 'json'): Promise<string> {
    if (format === 'exif') {
      const bytes = await fs.readFile(imagePath);
      const text = formatParameters(metadata);
      const tiff = buildExifThatFits({
        imageDescription: metadata.prompt ?? undefined,
        artist: metadata.creator ?? undefined,
        software: 'Huaku (civitai)',
        dateTime: metadata.createdAt ? new Date(metadata.createdAt) : undefined,
        userComment: text,
        xpComment: text,
        xpTitle: `${metadata.pageUrl}`,
        xpAuthor: metadata.creator ?? undefined,
        xpKeywords: metadata.tags.length > 0 ? metadata.tags.join(';') : undefined,
      });
      if (EXIF_FORMATS.has(detectFormat(bytes)?.format ?? '')) {
        await writeFileAtomic(imagePath, embedExif(bytes, tiff, metadata.url));
        return imagePath;
      }
      this.#log?.warn({ imageId: metadata.id, imagePath }, 'this format cannot carry EXIF here; writing the metadata as json instead');
      format = 'json';
    }
    const file = sidecarPath(imagePath, format);
    await writeFileAtomic(file, format === 'json' ? metadataJson(metadata) : `${formatParameters(metadata)}\n`);
    return file;
  }

  /** Called once per image when its task finishes (done, skipped or failed). Returns an unsubscribe function. */
  onImageDownloaded(callback: ImageDownloadedCallback): () => void {
    this.#callbacks.push(callback);
    return () => {
      const at = this.#callbacks.indexOf(callback);
      if (at >= 0) this.#callbacks.splice(at, 1);
    };
  }

  /** The seed's name for onImageDownloaded. */
  registerImageDownloadedCallback(callback: ImageDownloadedCallback): void {
    this.onImageDownloaded(callback);
  }

  /** Close the HTTP client when the downloader made it. */
  async close(): Promise<void> {
    if (this.#ownsHttp) await this.#http.close();
  }

  #levels(levels: DownloadOptions['nsfwLevels']): NsfwLevel[] {
    if (levels === 'all') return [...NSFW_LEVELS];
    const chosen = [...(levels ?? this.config.defaultNsfwFilter)];
    if (chosen.length === 0 || chosen.some((level) => !NSFW_LEVELS.includes(level))) {
      throw new InvalidInputError(`nsfwLevels: expected some of ${NSFW_LEVELS.join(', ')}, got ${JSON.stringify(levels)}`);
    }
    return chosen;
  }

  async #download(listing: Listing, options: DownloadOptions & { limit: number }): Promise<string[]> {
    const levels = this.#levels(options.nsfwLevels);
    const limit = options.limit;
    if (!Number.isInteger(limit) || limit < 0) throw new InvalidInputError(`limit must be a whole number ≥ 0, got ${limit}`);
    const saveMetadata = options.saveMetadata ?? this.config.saveMetadata;
    const pageSize = limit > 0 ? Math.min(this.config.pageSize, Math.max(limit, 1)) : this.config.pageSize;
    const started: Array<{ task: ImageDownloadTask; promise: Promise<void> }> = [];
    const seen = new Set<number>();
    try {
      for await (const page of this.api.pages({ filters: { sort: 'Newest', ...listing.filters }, levels, pageSize, signal: options.signal })) {
        const batch: CivitaiImage[] = [];
        for (const image of page.items) {
          if (limit > 0 && started.length + batch.length >= limit) break;
          if (seen.has(image.id)) continue;
          seen.add(image.id);
          if (!isAllowedLevel(image.nsfwLevel, levels)) {
            this.#filtered += 1;
            this.#log?.debug({ imageId: image.id, nsfwLevel: image.nsfwLevel, levels }, 'dropped: outside the NSFW filter');
            continue;
          }
          batch.push(image);
        }
        started.push(...(await this.#runImages(batch, listing, saveMetadata, options.signal)));
        if (limit > 0 && started.length >= limit) break;
      }
    } finally {
      await Promise.all(started.map((s) => s.promise));
      await this.#removeTmpDir();
    }
    return started.map((s) => s.task.id);
  }

  /** Create the tasks of one batch, check the disk for them, and start them. */
  async #runImages(images: CivitaiImage[], listing: Pick<Listing, 'context' | 'resolveModel'>, saveMetadata: boolean, signal: AbortSignal | undefined, customPath?: string) {
    if (images.length === 0) return [];
    const tasks = images.map((image) => {
      const task = new ImageDownloadTask({
        id: `civitai-${image.id}-${++this.#taskNumber}`,
        imageId: image.id,
        imageUrl: image.url,
        modelId: listing.context.modelId ?? null,
        modelName: listing.context.modelName ?? null,
        versionId: listing.context.versionId ?? null,
        creator: image.username,
        nsfwLevel: image.nsfwLevel,
        metadata: extractImageMetadata(image, listing.context),
      });
      this.#tasks.set(task.id, task);
      this.#notify(task);
      return { task, image };
    });
    try {
      await this.#checkDiskSpace(tasks.length);
    } catch (error) {
      for (const { task } of tasks) await this.#finish(task, 'failed', { error: errorMessage(error) });
      throw error;
    }
    return tasks.map(({ task, image }) => ({
      task,
      promise: this.#limit(() => this.#process(task, image, listing.resolveModel, saveMetadata, signal, customPath)),
    }));
  }

  /** The downloads' temp folder, once empty (another call may still be using it). */
  async #removeTmpDir(): Promise<void> {
    await fs.rmdir(path.join(this.#root, '.tmp')).catch(() => undefined);
  }

  async #checkDiskSpace(images: number): Promise<void> {
    await fs.mkdir(this.#root, { recursive: true });
    const free = await this.#freeBytes(this.#root);
    const needed = this.config.minFreeBytes + images * this.config.estimatedImageBytes;
    if (free < needed) throw new InsufficientDiskSpaceError(this.#root, free, needed, images);
  }

  #indexed(): Promise<DownloadIndex> {
    this.#index ??= DownloadIndex.open(this.#root);
    return this.#index;
  }

  /** Run `fn` after every earlier commit: dedupe decisions and index writes never interleave. */
  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#commits.then(fn, fn);
    this.#commits = run.catch(() => undefined);
    return run;
  }

  async #pathValues(task: ImageDownloadTask, image: CivitaiImage, resolveModel: boolean): Promise<PathValues> {
    let modelId = task.modelId;
    let modelName = task.modelName;
    let versionId = task.versionId;
    const needsModel = ['model_id', 'model_name', 'version_id'].some((p) => this.#template.placeholders.has(p as never));
    if (resolveModel && needsModel && (modelId === null || modelName === null)) {
      versionId ??= task.metadata?.modelVersionIds[0] ?? null;
      if (versionId !== null) {
        const resolved = await this.#version(versionId);
        modelId ??= resolved?.modelId ?? null;
        modelName ??= resolved?.modelName ?? null;
      }
    }
    return { id: image.id, model_id: modelId, model_name: modelName, version_id: versionId, creator: image.username, nsfw_level: image.nsfwLevel };
  }

  /** A version's model (cached; null when Civitai does not know it). */
  #version(versionId: number): Promise<{ modelId: number | null; modelName: string | null } | null> {
    let pending = this.#versions.get(versionId);
    if (!pending) {
      pending = this.api.modelVersion(versionId).then(
        (version) => ({ modelId: version.modelId, modelName: version.modelName }),
        (error: unknown) => {
          if ((error as { status?: number }).status === 401 || (error as { status?: number }).status === 403) throw error;
          this.#log?.warn({ versionId, err: errorMessage(error) }, 'model version lookup failed; the path uses a placeholder');
          return null;
        },
      );
      this.#versions.set(versionId, pending);
    }
    return pending;
  }

  async #process(task: ImageDownloadTask, image: CivitaiImage, resolveModel: boolean, saveMetadata: boolean, signal: AbortSignal | undefined, customPath?: string): Promise<void> {
    try {
      signal?.throwIfAborted();
      if (image.type !== 'image' && !(image.type === 'video' && this.config.video)) {
        await this.#finish(task, 'skipped', { skipReason: 'not-an-image', error: `a ${image.type} item: only images${this.config.video ? ' and videos' : ''} are downloaded` });
        return;
      }
      const values = await this.#pathValues(task, image, resolveModel);
      const index = await this.#indexed();
      const stored = await this.#existing(index, image.id, values, customPath);
      if (stored && this.config.skipExisting) {
        await this.#finish(task, 'skipped', { skipReason: 'exists', imagePath: stored, error: 'already downloaded' });
        return;
      }
      // The same URL being fetched right now for another task: wait, then treat it as stored.
      const inFlight = this.#urlsInFlight.get(image.url);
      if (inFlight) await inFlight;
      const sameUrl = index.byUrl(image.url, image.id);
      if (sameUrl && (await fileExists(index.absolute(sameUrl)))) {
        await this.#fromStored(task, image, values, sameUrl, 'duplicate-url', saveMetadata, customPath);
        return;
      }
      let release!: () => void;
      this.#urlsInFlight.set(image.url, new Promise<void>((resolve) => (release = resolve)));
      try {
        await this.#fetch(task, image, values, saveMetadata, signal, customPath);
      } finally {
        this.#urlsInFlight.delete(image.url);
        release();
      }
    } catch (error) {
      if (!task.finished) await this.#finish(task, 'failed', { error: errorMessage(error) });
      this.#log?.warn({ imageId: image.id, url: image.url, err: errorMessage(error) }, 'image failed');
    }
  }

  /** Where this image is already stored, if anywhere (its rendered path, or the index). */
  async #existing(index: DownloadIndex, imageId: number, values: PathValues, customPath?: string): Promise<string | null> {
    const entry = index.get(imageId);
    if (entry && (await fileExists(index.absolute(entry)))) return index.absolute(entry);
    if (this.#template.usesHash && !customPath) return null;
    const stem = this.#target(values, null, customPath);
    for (const ext of IMAGE_EXTENSIONS) if (await fileExists(`${stem}.${ext}`)) return `${stem}.${ext}`;
    return null;
  }

  /** The absolute path of the file without extension. */
  #target(values: PathValues, contentHash: string | null, customPath?: string): string {
    if (customPath) {
      const ext = path.extname(customPath);
      return path.resolve(ext ? customPath.slice(0, -ext.length) : customPath);
    }
    return resolveInside(this.#root, this.#template.render({ ...values, contentHash }).stem);
  }

  async #fetch(task: ImageDownloadTask, image: CivitaiImage, values: PathValues, saveMetadata: boolean, signal: AbortSignal | undefined, customPath?: string): Promise<void> {
    task.transition('downloading');
    this.#notify(task);
    const download = await this.#downloadWithRetries(task, image, signal);
    let file: string | null = null;
    let duplicate: IndexEntry | undefined;
    try {
      await this.#serialized(async () => {
        const index = await this.#indexed();
        duplicate = index.byHash(download.sha256, image.id);
        if (duplicate && !(await fileExists(index.absolute(duplicate)))) duplicate = undefined;
        if (duplicate && this.config.onDuplicate === 'skip') return;
        if (duplicate && this.config.onDuplicate === 'replace') await this.#removeStored(index, duplicate, true);
        file = `${this.#target(values, download.sha256, customPath)}.${download.ext}`;
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.rm(file, { force: true });
        await fs.copyFile(download.path, file);
        await index.add({ imageId: image.id, path: index.relative(file), url: image.url, sha256: download.sha256, bytes: download.bytes });
      });
    } finally {
      await download.dispose();
    }
    if (!file) {
      const index = await this.#indexed();
      await this.#finish(task, 'skipped', {
        skipReason: 'duplicate-content', duplicateOf: duplicate!.imageId, imagePath: index.absolute(duplicate!), sha256: download.sha256,
        bytes: download.bytes, error: `same content as image ${duplicate!.imageId}`,
      });
      return;
    }
    await this.#complete(task, file, saveMetadata, { sha256: download.sha256, bytes: download.bytes });
  }

  /** The polite client retries statuses and connection errors; this retries what fails after the headers. */
  async #downloadWithRetries(task: ImageDownloadTask, image: CivitaiImage, signal: AbortSignal | undefined): Promise<DownloadedImage> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await downloadImage({
          http: trackBytes(this.#http, (received, total) => {
            task.received(received, total);
            this.#notify(task);
          }),
          url: image.url,
          tmpDir: path.join(this.#root, '.tmp'),
          maxBytes: this.config.maxBytes,
          key: `image:${image.id}`,
          signal,
          ...(this.config.video ? { video: this.config.video } : {}),
        });
      } catch (error) {
        const retryable = (error as { retryable?: unknown }).retryable === true;
        if (!retryable || attempt >= this.config.downloadAttempts || signal?.aborted) throw error;
        this.#log?.info({ imageId: image.id, attempt, err: errorMessage(error) }, 'image download failed: trying again');
        await delay(this.config.retryDelayMs * 2 ** (attempt - 1), undefined, signal ? { signal } : {});
      }
    }
  }

  /** An image whose URL is already stored under another id: no download, the policy decides. */
  async #fromStored(task: ImageDownloadTask, image: CivitaiImage, values: PathValues, stored: IndexEntry, reason: SkipReason, saveMetadata: boolean, customPath?: string): Promise<void> {
    const index = await this.#indexed();
    const storedFile = index.absolute(stored);
    if (this.config.onDuplicate === 'skip') {
      await this.#finish(task, 'skipped', { skipReason: reason, duplicateOf: stored.imageId, imagePath: storedFile, sha256: stored.sha256, error: `same URL as image ${stored.imageId}` });
      return;
    }
    const file = await this.#serialized(async () => {
      const target = `${this.#target(values, stored.sha256, customPath)}${path.extname(storedFile)}`;
      await fs.mkdir(path.dirname(target), { recursive: true });
      if (this.config.onDuplicate === 'replace') {
        await this.#removeStored(index, stored, false);
        if (storedFile !== target) await fs.rename(storedFile, target);
      } else if (storedFile !== target) {
        await fs.copyFile(storedFile, target);
      }
      await index.add({ imageId: image.id, path: index.relative(target), url: image.url, sha256: stored.sha256, bytes: stored.bytes });
      return target;
    });
    task.transition('downloading');
    this.#notify(task);
    await this.#complete(task, file, saveMetadata, { sha256: stored.sha256, bytes: 0, duplicateOf: stored.imageId });
  }

  /** Forget a stored image and delete its sidecars and thumbnail, and its file unless it is about to be moved. */
  async #removeStored(index: DownloadIndex, entry: IndexEntry, deleteFile: boolean): Promise<void> {
    const file = index.absolute(entry);
    await index.remove(entry.imageId);
    const doomed = [sidecarPath(file, 'json'), sidecarPath(file, 'txt'), this.#thumbnailPath(file)];
    if (deleteFile) doomed.push(file);
    await Promise.all(doomed.map((f) => fs.rm(f, { force: true })));
  }

  async #complete(task: ImageDownloadTask, file: string, saveMetadata: boolean, result: { sha256: string; bytes: number; duplicateOf?: number }): Promise<void> {
    let metadataPath: string | null = null;
    if (saveMetadata && task.metadata) metadataPath = await this.saveMetadataFile(file, task.metadata, this.config.metadataFormat);
    let thumbnailPath: string | null = null;
    if (this.config.generateThumbnails) thumbnailPath = await this.#thumbnail(file);
    await this.#finish(task, 'done', { imagePath: file, metadataPath, thumbnailPath, sha256: result.sha256, bytes: result.bytes, duplicateOf: result.duplicateOf ?? null });
  }

  #thumbnailPath(file: string): string {
    const relative = path.relative(this.#root, file);
    const inside = !relative.startsWith('..') && !path.isAbsolute(relative);
    const stem = (inside ? path.join(this.#root, 'thumbnails', relative) : `${file}.thumb`).replace(/\.[^./\\]+$/, '');
    return `${stem}.webp`;
  }

  async #thumbnail(file: string): Promise<string> {
    const target = this.#thumbnailPath(file);
    const [width, height] = this.config.thumbnailSize;
    // A video's thumbnail is its poster frame, made the same way as the catalogue's.
    const video = this.config.video && VIDEO_EXTENSIONS.has(path.extname(file).slice(1).toLowerCase()) ? this.config.video : null;
    const input = video ? await renderPoster(file, await probeVideo(file, video), file) : file;
    const { data } = await renderThumbnail(input, width, { maxHeight: height });
    await writeFileAtomic(target, data);
    return target;
  }

  async #finish(task: ImageDownloadTask, status: 'done' | 'skipped' | 'failed', update: Parameters<ImageDownloadTask['transition']>[1]): Promise<void> {
    task.transition(status, update);
    this.#notify(task);
    this.#log?.debug({ taskId: task.id, imageId: task.imageId, status, imagePath: task.imagePath, error: task.error }, 'image task finished');
    for (const callback of [...this.#callbacks]) {
      try {
        await callback(task);
      } catch (error) {
        this.#log?.warn({ taskId: task.id, err: errorMessage(error) }, 'an image-downloaded callback threw');
      }
    }
  }

  #notify(task: ImageDownloadTask): void {
    this.#progress?.onTask(task);
  }
}

/** An HttpClient whose streamed bodies report the bytes received (for task progress). */
function trackBytes(http: HttpClient, onBytes: (received: number, total: number | null) => void): HttpClient {
  return {
    json: (request) => http.json(request),
    async stream(request) {
      const response = await http.stream(request);
      const total = Number(response.headers['content-length']) || null;
      let received = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          received += chunk.length;
          onBytes(received, total);
          callback(null, chunk);
        },
      });
      response.body.on('error', (error) => counter.destroy(error));
      counter.on('close', () => {
        if (!response.body.destroyed) response.body.destroy();
      });
      response.body.pipe(counter);
      return { ...response, body: counter };
    },
    stats: () => http.stats(),
    close: async () => undefined,
  };
}

function isNormalized(value: unknown): value is CivitaiImage {
  return typeof value === 'object' && value !== null && 'raw' in value && 'modelVersionIds' in value && 'nsfwLevel' in value;
}

function positiveId(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidInputError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function validateConfig(config: ImageDownloadConfig): void {
  const problems: string[] = [];
  if (!['json', 'txt', 'exif'].includes(config.metadataFormat)) problems.push(`metadataFormat "${config.metadataFormat}": expected json, txt or exif`);
  if (!DUPLICATE_POLICIES.includes(config.onDuplicate)) problems.push(`onDuplicate "${config.onDuplicate}": expected ${DUPLICATE_POLICIES.join(', ')}`);
  if (!Number.isInteger(config.maxConcurrent) || config.maxConcurrent < 1 || config.maxConcurrent > 64) problems.push(`maxConcurrent ${config.maxConcurrent}: expected 1–64`);
  if (!Number.isInteger(config.pageSize) || config.pageSize < 1 || config.pageSize > MAX_PAGE_SIZE) problems.push(`pageSize ${config.pageSize}: expected 1–${MAX_PAGE_SIZE}`);
  const [w, h] = config.thumbnailSize;
  if (!(Number.isInteger(w) && Number.isInteger(h) && w >= 16 && h >= 16 && w <= 4096 && h <= 4096)) problems.push(`thumbnailSize ${w}×${h}: expected 16–4096 pixels each`);
  if (config.defaultNsfwFilter.length === 0 || config.defaultNsfwFilter.some((l) => !NSFW_LEVELS.includes(l))) problems.push(`defaultNsfwFilter: expected some of ${NSFW_LEVELS.join(', ')}`);
  if (!(config.minFreeBytes >= 0) || !(config.estimatedImageBytes >= 0)) problems.push('minFreeBytes and estimatedImageBytes must be ≥ 0');
  if (!Number.isInteger(config.downloadAttempts) || config.downloadAttempts < 1 || !(config.retryDelayMs >= 0)) problems.push('downloadAttempts must be ≥ 1 and retryDelayMs ≥ 0');
  if (problems.length > 0) throw new UserFacingError(`invalid image downloader configuration: ${problems.join('; ')}`);
}
