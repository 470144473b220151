// Cover images for the cache: downloaded directly from `cover_url` (no credentials) through the polite
// client, validated (magic bytes, full decode; ffprobe for the `.mp4` covers of video LoRAs when video
// limits are given), and saved as `{images_dir}/{owner}__{name}.{ext}` with the extension of the real
// format (`.mp4`, `.webm` for a video). Only when that fails and a token is configured is one authenticated retry
// made (seed 001: the token is for protected resources, not for ordinary images). A cover that cannot be
// saved leaves `cover_local: null` and the run goes on.
import fs from 'node:fs/promises';
import path from 'node:path';
import { ServiceUnavailableError } from '../../../src/core/errors.ts';
import type { HttpClient } from '../../http/http-client.ts';
import { HttpStatusError, NetworkError, TimeoutError, isAbortError } from '../../http/errors.ts';
import { downloadImage, type DownloadedImage } from '../../media/download-image.ts';
import { MediaError } from '../../../src/core/media/media-error.ts';
import type { VideoLimits } from '../../../src/core/media/video-probe.ts';
import { sanitizeKeySegment } from '../../../src/core/media/media-key.ts';
import { authHeaders } from './modelscope-client.ts';
import type { TopLora } from './normalize.ts';

const COVER_EXTS = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'avif', 'tiff', 'mp4', 'mov', 'webm'];
/** Downloads in flight are written here first (inside the images dir, so the final rename is atomic). */
const PARTIAL_DIR = '.partial';
export const NO_COVER_URL = 'no cover_url';

export interface CoverOutcome {
  id: string;
  /** Absolute path of the saved file, or null. */
  file: string | null;
  /** The authenticated retry was made (the direct download had failed). */
  authenticatedRetry: boolean;
  bytes: number;
  /** Why there is no cover: NO_COVER_URL, or a short reason per attempt. */
  error: string | null;
}

export interface DownloadCoversOptions {
  http: HttpClient;
  results: readonly TopLora[];
  imagesDir: string;
  /** MODELSCOPE_API_TOKEN, for the one authenticated retry. */
  token?: string;
  /** Accept video covers within these limits (image-to-video LoRAs); without it a video cover fails. */
  video?: VideoLimits;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** `owner/name` → a file name stem that is safe on every filesystem and unique per model. */
export function coverFileStem(id: string): string {
  return id.split('/').map((part) => sanitizeKeySegment(part) || '_').join('__');
}

/** A path as stored in `cover_local`: relative to `baseDir` with `/` separators, or absolute when outside it. */
export function storedPath(file: string, baseDir: string): string {
  const relative = path.relative(baseDir, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return file;
  return relative.split(path.sep).join('/');
}

/** A short reason for the run's summary (the full error is in the debug log). */
function coverFailure(error: unknown): string {
  if (error instanceof HttpStatusError) return `HTTP ${error.status}`;
  if (error instanceof TimeoutError) return `timeout (${error.phase})`;
  if (error instanceof NetworkError) return `network error${error.code ? ` ${error.code}` : ''}`;
  if (error instanceof MediaError) return `${error.reason}: ${error.message.replace(/ \(https?:\/\/\S+\)$/, '')}`;
  return (error as Error)?.message ?? String(error);
}

/** Failures an authenticated retry cannot fix: the local disk, or the run being stopped. */
function isLocalFailure(error: unknown): boolean {
  return error instanceof ServiceUnavailableError || isAbortError(error);
}

async function save(download: DownloadedImage, imagesDir: string, stem: string): Promise<string> {
  const file = path.join(imagesDir, `${stem}.${download.ext}`);
  await fs.rename(download.path, file);
  // The cover's format changed since the last run: drop the old file so one name means one cover.
  await Promise.all(
    COVER_EXTS.filter((ext) => ext !== download.ext).map((ext) => fs.rm(path.join(imagesDir, `${stem}.${ext}`), { force: true })),
  );
  return file;
}

async function downloadOne(options: DownloadCoversOptions, record: TopLora, tmpDir: string): Promise<CoverOutcome> {
  const outcome: CoverOutcome = { id: record.id, file: null, authenticatedRetry: false, bytes: 0, error: null };
  if (!record.cover_url) return { ...outcome, error: NO_COVER_URL };
  const attempt = async (headers?: Record<string, string>) => {
    const download = await downloadImage({
      http: options.http, url: record.cover_url!, tmpDir, key: `cover ${record.id}`, signal: options.signal,
      ...(headers ? { headers } : {}), ...(options.video ? { video: options.video } : {}),
    });
    try {
      outcome.file = await save(download, options.imagesDir, coverFileStem(record.id));
      outcome.bytes = download.bytes;
    } finally {
      await download.dispose();
    }
  };
  try {
    await attempt();
    return outcome;
  } catch (error) {
    if (isLocalFailure(error)) throw error;
    outcome.error = coverFailure(error);
    if (!options.token) return outcome;
  }
  outcome.authenticatedRetry = true;
  try {
    await attempt(authHeaders(options.token));
    outcome.error = null;
  } catch (error) {
    if (isLocalFailure(error)) throw error;
    outcome.error = `${outcome.error}; with MODELSCOPE_API_TOKEN: ${coverFailure(error)}`;
  }
  return outcome;
}

/** Download every record's cover (in parallel: the polite client's `media` stage limit applies). */
export async function downloadCovers(options: DownloadCoversOptions): Promise<CoverOutcome[]> {
  const tmpDir = path.join(options.imagesDir, PARTIAL_DIR);
  await fs.mkdir(options.imagesDir, { recursive: true });
  let done = 0;
  options.onProgress?.(0, options.results.length);
  try {
    return await Promise.all(
      options.results.map(async (record) => {
        const outcome = await downloadOne(options, record, tmpDir);
        options.onProgress?.(++done, options.results.length);
        return outcome;
      }),
    );
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}
