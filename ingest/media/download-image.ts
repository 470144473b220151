// Download one image (or, when the caller accepts them, one video) to a temp file: stream the body from
// the polite HttpClient while hashing (SHA-256) and counting bytes, detect the format from the first bytes,
// and read the dimensions with sharp after a full decode (ffprobe for a video), so that an HTML error page
// served with 200 or a truncated transfer never becomes an image.
//
// The temp file lives in `tmpDir` under a random name. Every failing path removes it before the error
// leaves this module; on success the caller owns it and must call `dispose()` (in a finally).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { ServiceUnavailableError } from '../../src/core/errors.ts';
import { SHARP_FAIL_ON } from '../../src/core/media/sharp-policy.ts';
import type { HttpClient } from '../http/http-client.ts';
import { classifyTransportError, errorCode, redactUrl } from '../http/errors.ts';
import { detectFormat, FORMAT_SNIFF_BYTES, type ImageFormat } from '../../src/core/media/image-format.ts';
import { MediaError } from '../../src/core/media/media-error.ts';
import { probeVideo, type VideoContainer, type VideoLimits, type VideoProbe } from '../../src/core/media/video-probe.ts';

/** Default cap on one download: 50 MiB. */
export const DEFAULT_MAX_MEDIA_BYTES = 50 * 1024 * 1024;


/** Formats this sharp build decodes (its prebuilt libvips has no BMP reader and no HEVC for HEIC). */
const DECODABLE: ReadonlySet<ImageFormat> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif']);

const TEMP_PREFIX = 'huaku-media-';
const SERVICE = 'media download';

export interface DownloadImageOptions {
  http: HttpClient;
  url: string;
  /** Directory for the temp file (created when missing). */
  tmpDir: string;
  /** Larger bodies fail with MediaError 'too-large'. Default DEFAULT_MAX_MEDIA_BYTES. */
  maxBytes?: number;
  /** The unit of work for the HttpClient's logs; the URL by default. */
  key?: string;
  /** Extra request headers (an authenticated retry); the HttpClient never logs them. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Accept videos (MP4, MOV, WebM) within these limits; without it a video is 'unsupported'. */
  video?: VideoLimits;
}

export interface DownloadedImage {
  url: string;
  /** The temp file holding the body; removed by dispose(). */
  path: string;
  /** Bytes received (the body's exact size). */
  bytes: number;
  /** Full lowercase hex SHA-256 of the body. */
  sha256: string;
  format: ImageFormat | VideoContainer;
  ext: string;
  contentType: string;
  /** Display dimensions (EXIF orientation applied); the first frame of an animation; a video's as played. */
  width: number;
  height: number;
  /** What ffprobe found, for a video (only when `video` limits were given). */
  video?: VideoProbe;
  /** Remove the temp file. Safe to call more than once. */
  dispose(): Promise<void>;
}

/**
 * Download and validate one image. Throws:
 * - MediaError ('not-image' | 'unsupported' | 'corrupt' | 'too-large') when the body cannot be kept;
 * - the HttpClient's errors (HttpStatusError, NetworkError, TimeoutError) unchanged;
 * - ServiceUnavailableError when the temp directory is full (ENOSPC) or not writable.
 * Nothing is left in `tmpDir` when it throws.
 */
export async function downloadImage(options: DownloadImageOptions): Promise<DownloadedImage> {
  const { http, url, tmpDir, signal } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  const shownUrl = redactUrl(url);
  const directory = path.resolve(tmpDir);
  await fsp.mkdir(directory, { recursive: true }).catch((error: unknown) => {
    throw diskError(error, directory, shownUrl);
  });

  const response = await http.stream({ url, stage: 'media', key: options.key ?? url, signal, ...(options.headers ? { headers: options.headers } : {}) });
  const file = path.join(directory, `${TEMP_PREFIX}${randomUUID()}.part`);
  let output: fs.WriteStream | undefined;
  let kept = false;
  try {
    const declared = Number(response.headers['content-length']);
    if (response.headers['content-length'] !== undefined && Number.isFinite(declared) && declared > maxBytes) {
      throw tooLarge(shownUrl, maxBytes, `Content-Length is ${declared} bytes`);
    }

    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headBytes = 0;
    let bytes = 0;
    output = fs.createWriteStream(file, { flags: 'wx' });
    let failedFirst: 'source' | 'output' | undefined;
    response.body.on('error', () => (failedFirst ??= 'source'));
    output.on('error', () => (failedFirst ??= 'output'));
    try {
      await pipeline(
        response.body,
        async function* measure(chunks: AsyncIterable<Buffer | Uint8Array | string>) {
          for await (const chunk of chunks) {
            const data = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
            bytes += data.byteLength;
            if (bytes > maxBytes) throw tooLarge(shownUrl, maxBytes, `the body passed ${maxBytes} bytes`);
            hash.update(data);
            if (headBytes < FORMAT_SNIFF_BYTES) {
              head.push(data.subarray(0, FORMAT_SNIFF_BYTES - headBytes));
              headBytes += Math.min(data.byteLength, FORMAT_SNIFF_BYTES - headBytes);
            }
            yield data;
          }
        },
        output,
        signal ? { signal } : {},
      );
    } catch (error) {
      if (error instanceof MediaError) throw error;
      if (failedFirst === 'output') throw diskError(error, directory, shownUrl);
      throw classifyTransportError(error, { method: 'GET', url: shownUrl, attempt: 1 });
    }

    const headBuffer = Buffer.concat(head);
    if (bytes === 0) throw new MediaError('not-image', shownUrl, 'the response body is empty');
    const detected = detectFormat(headBuffer);
    if (!detected) {
      throw new MediaError('not-image', shownUrl, `the response is not an image: ${describeBody(headBuffer, response.headers['content-type'])}`);
    }
    let video: VideoProbe | undefined;
    let dimensions: { width: number; height: number };
    if (detected.kind === 'video') {
      if (!options.video) throw new MediaError('unsupported', shownUrl, `the response is a ${detected.format} video, not an image`);
      video = await probeVideo(file, options.video, shownUrl);
      dimensions = video;
    } else {
      const format = detected.format as ImageFormat;
      if (!DECODABLE.has(format)) {
        throw new MediaError('unsupported', shownUrl, `${format} images cannot be decoded by this build of sharp/libvips`);
      }
      dimensions = await decodeDimensions(file, shownUrl, format);
    }
    const { width, height } = dimensions;

    kept = true;
    let disposed = false;
    return {
      url,
      path: file,
      bytes,
      sha256: hash.digest('hex'),
      format: detected.format as ImageFormat | VideoContainer,
      ext: detected.ext,
      ...(video ? { video } : {}),
      contentType: detected.contentType,
      width,
      height,
      async dispose() {
        if (disposed) return;
        disposed = true;
        await removeQuietly(file);
      },
    };
  } finally {
    if (!response.body.destroyed && !response.body.readableEnded) response.body.destroy();
    if (!kept) {
      // The temp file may still be opening when the source fails; unlinking before the stream has
      // closed could let the open recreate it afterwards.
      const pending = output;
      if (pending && !pending.closed) {
        if (!pending.destroyed) pending.destroy();
        await new Promise<void>((resolve) => pending.once('close', () => resolve()));
      }
      await removeQuietly(file);
    }
  }
}

/**
 * Decode the whole image once (first frame of an animation) so truncated or corrupt data fails here, and
 * return its display dimensions (EXIF orientation applied: a portrait photo stored sideways is portrait).
 */
async function decodeDimensions(file: string, shownUrl: string, format: ImageFormat): Promise<{ width: number; height: number }> {
  try {
    const metadata = await sharp(file, { failOn: SHARP_FAIL_ON }).metadata();
    await sharp(file, { failOn: SHARP_FAIL_ON }).stats();
    const width = metadata.autoOrient?.width ?? metadata.width;
    const height = metadata.autoOrient?.height ?? metadata.height;
    if (!width || !height) throw new Error('no dimensions in the header');
    return { width, height };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/pixel limit/i.test(message)) {
      throw new MediaError('too-large', shownUrl, `the ${format} image has more pixels than sharp's limit: ${message}`, { cause: error });
    }
    throw new MediaError('corrupt', shownUrl, `the ${format} image cannot be decoded (truncated or corrupt): ${message}`, { cause: error });
  }
}

function tooLarge(shownUrl: string, maxBytes: number, what: string): MediaError {
  return new MediaError('too-large', shownUrl, `the image is larger than the ${formatBytes(maxBytes)} limit (${what})`);
}

/** What the body looks like, for an error message: its content type and the start of any text. */
function describeBody(head: Buffer, contentType: string | undefined): string {
  const type = `content-type ${contentType || 'none'}`;
  const text = head.subarray(0, 120).toString('utf8');
  const printable = text.length > 0 && !/[\u0000-\u0008\u000e-\u001f\uFFFD]/.test(text);
  if (!printable) return `${type}, unknown binary data`;
  const flat = text.replace(/\s+/g, ' ').trim();
  const looksHtml = /^(<!doctype html|<html|<head|<body|<\?xml)/i.test(flat);
  return `${type}${looksHtml ? ', an HTML page' : ''}, starting ${JSON.stringify(flat.slice(0, 80))}`;
}

/** A failure writing the temp file: a full disk or an unwritable directory is the operator's to fix. */
function diskError(error: unknown, directory: string, shownUrl: string): unknown {
  const code = errorCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new ServiceUnavailableError(SERVICE, `no space left on the disk holding ${directory} while downloading ${shownUrl}`, {
      hint: 'Free disk space (or point the media temp directory at a larger disk) and run again; the partial file was removed.',
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'ENOENT' || code === 'EEXIST') {
    return new ServiceUnavailableError(SERVICE, `cannot write temp files in ${directory} (${code}) while downloading ${shownUrl}`, {
      hint: 'Point the media temp directory at a writable directory.',
      cause: error,
    });
  }
  return error;
}

async function removeQuietly(file: string): Promise<void> {
  await fsp.rm(file, { force: true });
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
