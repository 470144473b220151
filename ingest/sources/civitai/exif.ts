// EXIF written into a downloaded image without re-encoding its pixels: a small TIFF/EXIF block is built
// here and spliced into the file's container (JPEG APP1, PNG eXIf chunk, WebP EXIF chunk).
//
// Why not sharp's withExif: libvips re-encodes the image (lossy for JPEG/WebP) and writes EXIF text as
// ASCII, turning every Chinese character of a prompt into "?". Here text keeps all of Unicode:
// - UserComment (Exif IFD) holds the A1111 parameters text with the `UNICODE\0` prefix and UTF-16 in the
//   block's byte order (big-endian, as A1111/piexif write it);
// - XPComment / XPTitle / XPAuthor / XPKeywords (IFD0, Windows tags, UTF-16LE) repeat it for tools that
//   read those;
// - ImageDescription, Artist, Software, DateTime are ASCII-typed tags written as UTF-8 (exiftool's default).
import { crc32 } from 'node:zlib';
import { detectFormat } from '../../../src/core/media/image-format.ts';
import { MediaError } from '../../../src/core/media/media-error.ts';

export interface ExifFields {
  imageDescription?: string;
  artist?: string;
  software?: string;
  copyright?: string;
  dateTime?: Date;
  /** The A1111 parameters text. */
  userComment?: string;
  xpTitle?: string;
  xpComment?: string;
  xpAuthor?: string;
  xpKeywords?: string;
}

/** Formats whose container takes an EXIF block here. */
export const EXIF_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp']);

const BYTE = 1;
const ASCII = 2;
const LONG = 4;
const UNDEFINED = 7;
const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');
/** A JPEG segment holds at most 65535 bytes including its length field. */
const MAX_APP1_TIFF = 65535 - 2 - EXIF_HEADER.length;

interface Entry {
  tag: number;
  type: number;
  data: Buffer;
}

const utf8z = (text: string) => Buffer.concat([Buffer.from(text, 'utf8'), Buffer.alloc(1)]);
const utf16le = (text: string) => Buffer.concat([Buffer.from(text, 'utf16le'), Buffer.alloc(2)]);
function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
}

function exifDate(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}:${p(date.getUTCMonth() + 1)}:${p(date.getUTCDate())} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
}

/** Size of an IFD with these entries, its out-of-line values included (each padded to an even length). */
function ifdSize(entries: Entry[]): number {
  return 2 + entries.length * 12 + 4 + entries.reduce((sum, e) => sum + (e.data.length > 4 ? e.data.length + (e.data.length % 2) : 0), 0);
}

/** Write an IFD at `offset` of `out` (big-endian); values longer than 4 bytes follow the IFD. */
function writeIfd(out: Buffer, offset: number, entries: Entry[], nextIfd = 0): void {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  out.writeUInt16BE(sorted.length, offset);
  let data = offset + 2 + sorted.length * 12 + 4;
  sorted.forEach((entry, i) => {
    const at = offset + 2 + i * 12;
    out.writeUInt16BE(entry.tag, at);
    out.writeUInt16BE(entry.type, at + 2);
    out.writeUInt32BE(entry.type === LONG ? 1 : entry.data.length, at + 4);
    if (entry.data.length <= 4) {
      entry.data.copy(out, at + 8);
    } else {
      out.writeUInt32BE(data, at + 8);
      entry.data.copy(out, data);
      data += entry.data.length + (entry.data.length % 2);
    }
  });
  out.writeUInt32BE(nextIfd, offset + 2 + sorted.length * 12);
}

/** A TIFF-structured EXIF block ("MM", big-endian), without the `Exif\0\0` prefix. */
export function buildExif(fields: ExifFields): Buffer {
  const ifd0: Entry[] = [];
  const ascii = (tag: number, value: string | undefined) => value && ifd0.push({ tag, type: ASCII, data: utf8z(value) });
  const xp = (tag: number, value: string | undefined) => value && ifd0.push({ tag, type: BYTE, data: utf16le(value) });
  ascii(0x010e, fields.imageDescription);
  ascii(0x0131, fields.software);
  ascii(0x0132, fields.dateTime ? exifDate(fields.dateTime) : undefined);
  ascii(0x013b, fields.artist);
  ascii(0x8298, fields.copyright);
  xp(0x9c9b, fields.xpTitle);
  xp(0x9c9c, fields.xpComment);
  xp(0x9c9d, fields.xpAuthor);
  xp(0x9c9e, fields.xpKeywords);
  const exifIfd: Entry[] = [{ tag: 0x9000, type: UNDEFINED, data: Buffer.from('0232', 'latin1') }];
  if (fields.userComment !== undefined) {
    exifIfd.push({ tag: 0x9286, type: UNDEFINED, data: Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), utf16be(fields.userComment)]) });
  }
  const pointer: Entry = { tag: 0x8769, type: LONG, data: Buffer.alloc(4) };
  ifd0.push(pointer);
  const ifd0Offset = 8;
  const exifOffset = ifd0Offset + ifdSize(ifd0);
  pointer.data.writeUInt32BE(exifOffset);
  const out = Buffer.alloc(exifOffset + ifdSize(exifIfd));
  out.write('MM', 0, 'latin1');
  out.writeUInt16BE(42, 2);
  out.writeUInt32BE(ifd0Offset, 4);
  writeIfd(out, ifd0Offset, ifd0);
  writeIfd(out, exifOffset, exifIfd);
  return out;
}

/** Fields that fit a JPEG APP1 segment: the XP copies go first, then the comment is cut. */
export function buildExifThatFits(fields: ExifFields, maxBytes = MAX_APP1_TIFF): Buffer {
  let block = buildExif(fields);
  if (block.length <= maxBytes) return block;
  const lean: ExifFields = { ...fields, xpComment: undefined, xpKeywords: undefined };
  block = buildExif(lean);
  while (block.length > maxBytes && lean.userComment) {
    lean.userComment = lean.userComment.slice(0, Math.floor(lean.userComment.length * 0.8));
    block = buildExif(lean);
  }
  return block;
}

/** `image` with the EXIF block in it (any EXIF it had is replaced). Pixels are untouched. */
export function embedExif(image: Buffer, tiff: Buffer, url = '(image)'): Buffer {
  const format = detectFormat(image)?.format;
  if (format === 'jpeg') return embedJpeg(image, tiff, url);
  if (format === 'png') return embedPng(image, tiff);
  if (format === 'webp') return embedWebp(image, tiff, url);
  throw new MediaError('unsupported', url, `cannot write EXIF into a ${format ?? 'unknown'} file (only JPEG, PNG and WebP)`);
}

function embedJpeg(image: Buffer, tiff: Buffer, url: string): Buffer {
  if (tiff.length > MAX_APP1_TIFF) throw new MediaError('too-large', url, `the EXIF block (${tiff.length} bytes) does not fit a JPEG segment`);
  const segment = Buffer.alloc(4 + EXIF_HEADER.length + tiff.length);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(2 + EXIF_HEADER.length + tiff.length, 2);
  EXIF_HEADER.copy(segment, 4);
  tiff.copy(segment, 4 + EXIF_HEADER.length);
  const kept: Buffer[] = [image.subarray(0, 2)];
  let offset = 2;
  let inserted = false;
  // Walk the marker segments up to the start of scan; drop old EXIF APP1s, insert ours after JFIF APP0.
  while (offset + 4 <= image.length && image[offset] === 0xff) {
    const marker = image[offset + 1]!;
    if (marker === 0xda || marker === 0xd9) break;
    const length = image.readUInt16BE(offset + 2);
    const whole = image.subarray(offset, offset + 2 + length);
    const isExif = marker === 0xe1 && whole.subarray(4, 10).equals(EXIF_HEADER);
    if (!inserted && marker !== 0xe0) {
      kept.push(segment);
      inserted = true;
    }
    if (!isExif) kept.push(whole);
    offset += 2 + length;
  }
  if (!inserted) kept.push(segment);
  kept.push(image.subarray(offset));
  return Buffer.concat(kept);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
}

function embedPng(image: Buffer, tiff: Buffer): Buffer {
  const parts: Buffer[] = [image.subarray(0, 8)];
  let offset = 8;
  while (offset + 12 <= image.length) {
    const length = image.readUInt32BE(offset);
    const type = image.toString('latin1', offset + 4, offset + 8);
    const chunk = image.subarray(offset, offset + 12 + length);
    if (type !== 'eXIf') parts.push(chunk);
    if (type === 'IHDR') parts.push(pngChunk('eXIf', tiff)); // eXIf must come before IDAT
    offset += 12 + length;
  }
  return Buffer.concat(parts);
}

function riffChunk(fourcc: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function embedWebp(image: Buffer, tiff: Buffer, url: string): Buffer {
  const chunks: Array<{ fourcc: string; data: Buffer }> = [];
  for (let offset = 12; offset + 8 <= image.length;) {
    const fourcc = image.toString('latin1', offset, offset + 4);
    const size = image.readUInt32LE(offset + 4);
    chunks.push({ fourcc, data: image.subarray(offset + 8, offset + 8 + size) });
    offset += 8 + size + (size % 2);
  }
  const first = chunks[0];
  if (!first) throw new MediaError('corrupt', url, 'the WebP file has no chunks');
  let vp8x: Buffer;
  if (first.fourcc === 'VP8X') {
    vp8x = Buffer.from(first.data);
  } else {
    // A simple WebP (one VP8/VP8L chunk): the extended format needs a VP8X header with the canvas size.
    const { width, height, alpha } = simpleWebpInfo(first.fourcc, first.data, url);
    vp8x = Buffer.alloc(10);
    vp8x[0] = alpha ? 0x10 : 0;
    vp8x.writeUIntLE(width - 1, 4, 3);
    vp8x.writeUIntLE(height - 1, 7, 3);
  }
  vp8x[0] = vp8x[0]! | 0x08; // EXIF present
  const body = chunks.filter((c) => c.fourcc !== 'VP8X' && c.fourcc !== 'EXIF');
  const payload = Buffer.concat([
    Buffer.from('WEBP', 'latin1'),
    riffChunk('VP8X', vp8x),
    ...body.map((c) => riffChunk(c.fourcc, c.data)),
    riffChunk('EXIF', tiff),
  ]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

function simpleWebpInfo(fourcc: string, data: Buffer, url: string): { width: number; height: number; alpha: boolean } {
  if (fourcc === 'VP8 ' && data.length >= 10) {
    return { width: data.readUInt16LE(6) & 0x3fff, height: data.readUInt16LE(8) & 0x3fff, alpha: false };
  }
  if (fourcc === 'VP8L' && data.length >= 5 && data[0] === 0x2f) {
    const bits = data.readUInt32LE(1);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alpha: ((bits >>> 28) & 1) === 1 };
  }
  throw new MediaError('corrupt', url, `unexpected first WebP chunk ${JSON.stringify(fourcc)}`);
}
