// Format detection from magic bytes. Upstream URLs and Content-Type headers lie (Liblib serves PNGs under
// `.jpg` names, CDNs answer errors with `200 text/html`), so the bytes are the only thing trusted.

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'heic' | 'bmp' | 'tiff';
type VideoFormat = 'mp4' | 'mov' | 'webm';
type MediaFormat = ImageFormat | VideoFormat;

export interface DetectedFormat {
  format: MediaFormat;
  /** 'image' for stills and animations sharp can open; 'video' for containers it cannot. */
  kind: 'image' | 'video';
  /** File extension without the dot, as used in blob keys. */
  ext: string;
  contentType: string;
}

/** How many leading bytes `detectFormat` looks at at most (callers keep this many from the stream). */
export const FORMAT_SNIFF_BYTES = 512;

const FORMATS: Record<MediaFormat, DetectedFormat> = {
  jpeg: { format: 'jpeg', kind: 'image', ext: 'jpg', contentType: 'image/jpeg' },
  png: { format: 'png', kind: 'image', ext: 'png', contentType: 'image/png' },
  webp: { format: 'webp', kind: 'image', ext: 'webp', contentType: 'image/webp' },
  gif: { format: 'gif', kind: 'image', ext: 'gif', contentType: 'image/gif' },
  avif: { format: 'avif', kind: 'image', ext: 'avif', contentType: 'image/avif' },
  heic: { format: 'heic', kind: 'image', ext: 'heic', contentType: 'image/heic' },
  bmp: { format: 'bmp', kind: 'image', ext: 'bmp', contentType: 'image/bmp' },
  tiff: { format: 'tiff', kind: 'image', ext: 'tiff', contentType: 'image/tiff' },
  mp4: { format: 'mp4', kind: 'video', ext: 'mp4', contentType: 'video/mp4' },
  mov: { format: 'mov', kind: 'video', ext: 'mov', contentType: 'video/quicktime' },
  webm: { format: 'webm', kind: 'video', ext: 'webm', contentType: 'video/webm' },
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** BITMAPCOREHEADER, BITMAPINFOHEADER, V2, V3, OS/2 2.x, V4, V5: the DIB header sizes a real BMP starts with. */
const BMP_DIB_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx']);
const MP4_BRANDS = new Set([
  'isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'dash', 'M4V ', 'MSNV', 'mmp4', 'f4v ',
]);

/** QuickTime (phones' `.mov`): the same box structure as MP4 under its own brand. */
const MOV_BRAND = 'qt  ';

/**
 * The format of a file from its first bytes (pass at least FORMAT_SNIFF_BYTES when available), or null
 * when it is not a format we recognise (an HTML error page, JSON, an empty body…).
 * Never looks at a name or an extension.
 */
export function detectFormat(head: Uint8Array): DetectedFormat | null {
  const bytes = head.subarray(0, FORMAT_SNIFF_BYTES);
  const format = detect(bytes);
  return format ? { ...FORMATS[format] } : null;
}

function detect(b: Uint8Array): MediaFormat | null {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, PNG_SIGNATURE)) return 'png';
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  const gif = ascii(b, 0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') return 'gif';
  // TIFF: little-endian "II*\0", big-endian "MM\0*", and BigTIFF ("II+\0" / "MM\0+").
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(b, [0x49, 0x49, 0x2b, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2b])) return 'tiff';
  // "BM" alone is too weak (any text could start with it): also require a known DIB header size.
  if (ascii(b, 0, 2) === 'BM' && b.length >= 18 && BMP_DIB_HEADER_SIZES.has(readUint32LE(b, 14))) return 'bmp';
  const isoBmff = isoBmffBrand(b);
  if (isoBmff) return isoBmff;
  // Matroska/WebM: the EBML magic, then a DocType element naming "webm" within the header.
  if (startsWith(b, [0x1a, 0x45, 0xdf, 0xa3]) && indexOfAscii(b, 'webm', 4, 64) >= 0) return 'webm';
  return null;
}

/** ISO base media files (AVIF, HEIC, MP4) start with an `ftyp` box listing a major and compatible brands. */
function isoBmffBrand(b: Uint8Array): MediaFormat | null {
  if (b.length < 12 || ascii(b, 4, 4) !== 'ftyp') return null;
  const boxSize = readUint32BE(b, 0);
  if (boxSize < 16 || boxSize > 4096) return null;
  const end = Math.min(boxSize, b.length);
  const brands: string[] = [ascii(b, 8, 4)];
  for (let offset = 16; offset + 4 <= end; offset += 4) brands.push(ascii(b, offset, 4));
  // The major brand decides first: an AVIF sequence also lists mp4 brands, an MP4 may list "iso*" only.
  const major = brands[0]!;
  if (AVIF_BRANDS.has(major)) return 'avif';
  if (HEIC_BRANDS.has(major)) return 'heic';
  if (MP4_BRANDS.has(major)) return 'mp4';
  if (major === MOV_BRAND) return 'mov';
  // A generic major brand ("mif1", "msf1"): look at the compatible brands.
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'avif';
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return 'heic';
  if (brands.some((brand) => MP4_BRANDS.has(brand))) return 'mp4';
  if (brands.includes(MOV_BRAND)) return 'mov';
  return null;
}

function startsWith(b: Uint8Array, prefix: readonly number[]): boolean {
  if (b.length < prefix.length) return false;
  return prefix.every((value, i) => b[i] === value);
}

function ascii(b: Uint8Array, offset: number, length: number): string {
  if (b.length < offset + length) return '';
  return String.fromCharCode(...b.subarray(offset, offset + length));
}

function indexOfAscii(b: Uint8Array, needle: string, from: number, to: number): number {
  const end = Math.min(b.length, to) - needle.length;
  outer: for (let i = from; i <= end; i++) {
    for (let j = 0; j < needle.length; j++) if (b[i + j] !== needle.charCodeAt(j)) continue outer;
    return i;
  }
  return -1;
}

function readUint32BE(b: Uint8Array, offset: number): number {
  return ((b[offset]! << 24) >>> 0) + (b[offset + 1]! << 16) + (b[offset + 2]! << 8) + b[offset + 3]!;
}

function readUint32LE(b: Uint8Array, offset: number): number {
  return b[offset]! + (b[offset + 1]! << 8) + (b[offset + 2]! << 16) + ((b[offset + 3]! << 24) >>> 0);
}
