// Uploads: what a user sends is untrusted. The format comes from the magic bytes only (never the file name
// or Content-Type); only JPEG, PNG and WebP are accepted; SVG, HTML and other markup, archives and files
// that hide markup or a second format (polyglots) are refused; the size (UPLOAD_MAX_MB) and the pixel count
// (UPLOAD_MAX_MEGAPIXELS, read from the header before anything is decoded: the decompression-bomb guard)
// are capped; and the image is decoded and re-encoded, which drops EXIF (GPS included), comments and any
// bytes after the image. Only the re-encoded file is stored. Every check runs before anything is written.
// Videos (MP4, MOV, WebM) are probed against the video limits (VIDEO_MAX_*: size, duration, dimensions,
// frames) and copied without their metadata (titles, GPS, camera, anything appended after the streams);
// only that copy is stored, as MP4 or WebM.
import { createHash, randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import { detectFormat, FORMAT_SNIFF_BYTES } from '../../core/media/image-format.ts';
import { InvalidInputError, TooLargeError, UnsupportedFormatError } from '../../core/errors.ts';
import { MediaError } from '../../core/media/media-error.ts';
import { probeVideo, type VideoLimits } from '../../core/media/video-probe.ts';
import { stripVideoMetadata } from '../../core/media/video-derivatives.ts';

const ACCEPTED_FORMATS = ['jpeg', 'png', 'webp'] as const;
type AcceptedFormat = (typeof ACCEPTED_FORMATS)[number];
const CONTENT_TYPES: Record<AcceptedFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

const ORIGINAL_PREFIX = 'artworks/original/';

/** Where an upload's re-encoded original is stored; its thumbnails follow core/media's one key scheme. */
export const originalKey = (uuid: string) => `${ORIGINAL_PREFIX}${uuid}`;

/** An upload's original (whose files the work owns), not a generation output a draft points at. */
export const isUploadKey = (key: string) => key.startsWith(ORIGINAL_PREFIX);

export interface UploadLimits {
  maxBytes: number;
  maxPixels: number;
}

export interface CheckedImage {
  format: AcceptedFormat;
  contentType: string;
  /** The re-encoded image: the only bytes that are stored. */
  data: Buffer;
  width: number;
  height: number;
  sha256: string;
}

// Each refusal says what the uploader can do about it: send a smaller file, another format, or an intact one.
const tooLarge = (code: string, message: string) => new TooLargeError(message, { code });
const wrongFormat = (code: string, message: string) => new UnsupportedFormatError(message, { code });
const invalid = (code: string, message: string) => new InvalidInputError(message, { code });

// Markup, script and other formats that must not hide in an image's metadata or after its end
// (case-insensitive, as browsers sniff). Only metadata is scanned: compressed pixel data is random enough
// to contain a short tag by chance.
const HIDDEN_CONTENT = /<(?:script|html|svg|iframe|body|object|embed|img|a\s|meta|link|style)|<!doctype|<\?php|<\?xml|javascript:|PK\x03\x04|%PDF-|Rar!\x1a\x07/i;
const MARKUP_START = /^(?:\xef\xbb\xbf)?[\s\x00]*</;

/** Check an uploaded image and re-encode it; throws InvalidInputError (TooLargeError, UnsupportedFormatError) saying what is wrong. */
export async function checkUploadedImage(bytes: Uint8Array, limits: UploadLimits): Promise<CheckedImage> {
  if (bytes.byteLength === 0) throw invalid('empty_file', '文件为空');
  if (bytes.byteLength > limits.maxBytes) {
    throw tooLarge('file_too_large', `文件超过 ${Math.round(limits.maxBytes / 1024 / 1024)} MB 上限`);
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = buffer.subarray(0, FORMAT_SNIFF_BYTES);
  const detected = detectFormat(head);
  if (!detected) {
    if (MARKUP_START.test(head.toString('latin1'))) throw wrongFormat('markup_refused', '不接受 SVG、HTML 等标记文件，请上传 JPEG、PNG 或 WebP 图片');
    throw wrongFormat('unsupported_type', '无法识别的文件格式，请上传 JPEG、PNG 或 WebP 图片');
  }
  if (detected.kind === 'video') throw wrongFormat('video_unsupported', '这里需要图片（JPEG、PNG 或 WebP），不接受视频');
  if (!(ACCEPTED_FORMATS as readonly string[]).includes(detected.format)) {
    throw wrongFormat('unsupported_type', `不支持 ${detected.format.toUpperCase()} 格式，请上传 JPEG、PNG 或 WebP 图片`);
  }
  const format = detected.format as AcceptedFormat;
  const layout = containerLayout(buffer, format);
  if (layout.trailing || layout.metadata.some(([from, to]) => HIDDEN_CONTENT.test(buffer.toString('latin1', from, to)))) {
    throw wrongFormat('polyglot_refused', '文件中夹带了图片以外的内容（脚本、网页或其他文件），已拒绝');
  }

  // The header's dimensions, before any pixel is decoded.
  let width: number;
  let height: number;
  try {
    const metadata = await sharp(buffer, { failOn: 'error', limitInputPixels: false }).metadata();
    width = metadata.width ?? 0;
    height = metadata.height ?? 0;
  } catch {
    throw invalid('corrupt_image', '图片已损坏或不完整');
  }
  if (width <= 0 || height <= 0) throw invalid('corrupt_image', '图片已损坏或不完整');
  if (width * height > limits.maxPixels) {
    throw tooLarge('image_too_large', `图片尺寸 ${width}×${height} 超过 ${Math.round(limits.maxPixels / 1_000_000)} 百万像素上限`);
  }

  let output: { data: Buffer; info: OutputInfo };
  try {
    // Decoding the whole image also catches truncation; no keepMetadata/withMetadata: EXIF, XMP, IPTC and
    // comments are dropped. Orientation is applied to the pixels first so nothing looks rotated.
    const pipeline = sharp(buffer, { failOn: 'error', limitInputPixels: limits.maxPixels }).autoOrient();
    const encoded =
      format === 'jpeg' ? pipeline.jpeg({ quality: 92, mozjpeg: true }) : format === 'png' ? pipeline.png({ compressionLevel: 8 }) : pipeline.webp({ quality: 92 });
    output = await encoded.toBuffer({ resolveWithObject: true });
  } catch {
    throw invalid('corrupt_image', '图片已损坏或不完整');
  }
  return {
    format,
    contentType: CONTENT_TYPES[format],
    data: output.data,
    width: output.info.width,
    height: output.info.height,
    sha256: createHash('sha256').update(output.data).digest('hex'),
  };
}

export interface CheckedVideo {
  format: 'mp4' | 'webm';
  contentType: string;
  /** The metadata-free copy: the only bytes that are stored. */
  data: Buffer;
  width: number;
  height: number;
  durationSeconds: number;
  sha256: string;
}

/**
 * Check any upload: a file whose first bytes say video (MP4, MOV, WebM) against the video limits, anything
 * else as an image.
 */
export async function checkUploadedFile(bytes: Uint8Array, limits: { image: UploadLimits; video: VideoLimits }): Promise<CheckedImage | CheckedVideo> {
  const video = detectFormat(bytes.subarray(0, FORMAT_SNIFF_BYTES))?.kind === 'video';
  return video ? checkUploadedVideo(bytes, limits.video) : checkUploadedImage(bytes, limits.image);
}

// A video refusal in the uploader's words, with a stable code per reason.
const VIDEO_REFUSALS: Record<MediaError['reason'], (limits: VideoLimits) => InvalidInputError> = {
  'not-image': () => wrongFormat('not_a_video', '文件不是有效的视频，请上传 MP4 或 WebM'),
  'not-video': () => wrongFormat('not_a_video', '文件不是有效的视频，请上传 MP4 或 WebM'),
  unsupported: () => wrongFormat('video_codec_unsupported', '视频编码不受支持，请上传 H.264、VP8/VP9、HEVC 或 AV1 编码的 MP4/WebM'),
  corrupt: () => invalid('corrupt_video', '视频已损坏、不完整或时长为零'),
  'too-large': (limits) => tooLarge('video_too_large', `视频超过上限（${Math.round(limits.maxBytes / 1024 / 1024)} MB、边长 ${limits.maxDimension} 像素、每秒 ${limits.maxFps} 帧）`),
  'too-long': (limits) => tooLarge('video_too_long', `视频超过 ${limits.maxSeconds} 秒上限`),
};

/** Check an uploaded video and copy it without metadata; throws InvalidInputError saying what is wrong. */
async function checkUploadedVideo(bytes: Uint8Array, limits: VideoLimits): Promise<CheckedVideo> {
  if (bytes.byteLength === 0) throw invalid('empty_file', '文件为空');
  if (bytes.byteLength > limits.maxBytes) throw VIDEO_REFUSALS['too-large'](limits);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-upload-'));
  try {
    const input = path.join(dir, 'upload');
    const output = path.join(dir, 'clean');
    await fsp.writeFile(input, bytes);
    const probe = await probeVideo(input, limits, 'upload');
    const copy = await stripVideoMetadata(input, output, probe, limits, 'upload');
    const data = await fsp.readFile(output);
    return {
      format: copy.container === 'webm' ? 'webm' : 'mp4',
      contentType: copy.contentType,
      data,
      width: copy.width,
      height: copy.height,
      durationSeconds: copy.durationSeconds,
      sha256: createHash('sha256').update(data).digest('hex'),
    };
  } catch (error) {
    if (error instanceof MediaError) throw Object.assign(VIDEO_REFUSALS[error.reason](limits), { cause: error });
    throw error;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

interface ContainerLayout {
  /** Byte ranges [from, to) that are metadata, not compressed pixels (PNG text chunks, JPEG APPn/COM, WebP EXIF/XMP). */
  metadata: Array<[number, number]>;
  /** Non-padding bytes after the image's end (an appended archive or page). */
  trailing: boolean;
}

/**
 * Walk the container's own structure. A structure that does not parse is left to the decoder (it reports
 * a corrupt image); only what parses is judged here.
 */
function containerLayout(buffer: Buffer, format: AcceptedFormat): ContainerLayout {
  const metadata: Array<[number, number]> = [];
  const trailingFrom = (end: number) => buffer.subarray(end).some((byte) => byte !== 0x00);
  if (format === 'png') {
    for (let offset = 8; offset + 12 <= buffer.length; ) {
      const length = buffer.readUInt32BE(offset);
      const type = buffer.toString('latin1', offset + 4, offset + 8);
      const end = offset + 12 + length;
      if (end > buffer.length) break;
      if (type !== 'IDAT') metadata.push([offset + 8, offset + 8 + length]);
      if (type === 'IEND') return { metadata, trailing: trailingFrom(end) };
      offset = end;
    }
    return { metadata, trailing: false };
  }
  if (format === 'webp') {
    const riffEnd = Math.min(buffer.length, buffer.readUInt32LE(4) + 8);
    for (let offset = 12; offset + 8 <= riffEnd; ) {
      const type = buffer.toString('latin1', offset, offset + 4);
      const size = buffer.readUInt32LE(offset + 4);
      if (!['VP8 ', 'VP8L', 'ALPH', 'ANMF'].includes(type)) metadata.push([offset + 8, Math.min(riffEnd, offset + 8 + size)]);
      offset += 8 + size + (size % 2);
    }
    return { metadata, trailing: buffer.length > riffEnd + (riffEnd % 2) && trailingFrom(riffEnd + (riffEnd % 2)) };
  }
  // JPEG: marker segments carry lengths; entropy-coded data after each SOS runs to the next marker that is
  // not a stuffed 0xFF00 or a restart marker.
  let offset = 2;
  while (offset + 4 <= buffer.length) {
    if (buffer[offset] !== 0xff) return { metadata, trailing: false };
    const marker = buffer[offset + 1]!;
    if (marker === 0xff) {
      offset++;
      continue;
    }
    if (marker === 0xd9) return { metadata, trailing: trailingFrom(offset + 2) };
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    const length = buffer.readUInt16BE(offset + 2);
    const end = offset + 2 + length;
    if (marker !== 0xda) metadata.push([offset + 4, Math.min(end, buffer.length)]);
    offset = end;
    if (marker === 0xda) {
      while (offset + 1 < buffer.length) {
        if (buffer[offset] === 0xff) {
          const next = buffer[offset + 1]!;
          if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7)) break;
        }
        offset++;
      }
    }
  }
  return { metadata, trailing: false };
}

/** `/artwork/{id}/{slug}` slug from a title: lowercase words (CJK kept) joined by '-', at most 60 characters. */
export function slugify(title: string | null | undefined): string {
  const slug = (title ?? '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  return [...slug].slice(0, 60).join('').replace(/-+$/, '') || 'artwork';
}

export function newUploadId(): string {
  return randomUUID();
}
