// Where an image file carries its generation parameters (the A1111 `parameters` text), read without decoding
// pixels: a PNG's `parameters` text chunk (tEXt, or uncompressed iTXt for non-Latin-1 text), else the EXIF
// UserComment (JPEG APP1, WebP EXIF chunk, PNG eXIf chunk). Browser-safe (Uint8Array and DataView only, no
// Buffer or node:*): the upload form prefills from it before sending, and the server reads the originals
// with it before re-encoding drops the metadata. Never throws: a damaged container reads as nothing.

/** Latin-1 bytes → string (TextDecoder's 'latin1' is windows-1252, which differs in 0x80–0x9f). */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return out;
}

const utf8 = (bytes: Uint8Array) => new TextDecoder('utf-8').decode(bytes);
const ascii = (bytes: Uint8Array, from: number, to: number) => latin1(bytes.subarray(from, to));

/** One tEXt or uncompressed iTXt chunk's data → [keyword, text]; null for others (zTXt, compressed iTXt). */
export function decodePngTextChunk(type: string, data: Uint8Array): [string, string] | null {
  const nul = data.indexOf(0);
  if (nul < 1) return null;
  const keyword = latin1(data.subarray(0, nul));
  if (type === 'tEXt') return [keyword, latin1(data.subarray(nul + 1))];
  if (type === 'iTXt' && data[nul + 1] === 0) {
    const language = data.indexOf(0, nul + 3);
    const translated = language < 0 ? -1 : data.indexOf(0, language + 1);
    if (translated >= 0) return [keyword, utf8(data.subarray(translated + 1))];
  }
  return null;
}

interface Chunk {
  type: string;
  data: Uint8Array;
}

function pngChunks(bytes: Uint8Array): Chunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [];
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = ascii(bytes, at + 4, at + 8);
    const end = at + 12 + length;
    if (end > bytes.length) break;
    chunks.push({ type, data: bytes.subarray(at + 8, at + 8 + length) });
    if (type === 'IEND') break;
    at = end;
  }
  return chunks;
}

/** The RIFF chunks of a WebP file. */
function webpChunks(bytes: Uint8Array): Chunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(bytes.length, view.getUint32(4, true) + 8);
  const chunks: Chunk[] = [];
  for (let at = 12; at + 8 <= end; ) {
    const size = view.getUint32(at + 4, true);
    chunks.push({ type: ascii(bytes, at, at + 4), data: bytes.subarray(at + 8, Math.min(end, at + 8 + size)) });
    at += 8 + size + (size % 2);
  }
  return chunks;
}

/** The TIFF block of a JPEG's `Exif\0\0` APP1 segment. */
function jpegExif(bytes: Uint8Array): Uint8Array | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 2; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xda || marker === 0xd9) return null; // pixels start: metadata comes before them
    const length = view.getUint16(at + 2);
    const data = bytes.subarray(at + 4, at + 2 + length);
    if (marker === 0xe1 && ascii(data, 0, 6) === 'Exif\0\0') return data.subarray(6);
    at += 2 + length;
  }
  return null;
}

const USER_COMMENT = 0x9286;
const EXIF_IFD = 0x8769;

/** An IFD entry's value bytes (inline when they fit in 4 bytes, else at the offset). */
function ifdEntries(tiff: Uint8Array, offset: number, little: boolean): Map<number, Uint8Array> {
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const sizes: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
  const out = new Map<number, Uint8Array>();
  if (offset + 2 > tiff.length) return out;
  const count = view.getUint16(offset, little);
  for (let i = 0; i < count; i++) {
    const at = offset + 2 + i * 12;
    if (at + 12 > tiff.length) break;
    const tag = view.getUint16(at, little);
    const size = (sizes[view.getUint16(at + 2, little)] ?? 1) * view.getUint32(at + 4, little);
    const from = size <= 4 ? at + 8 : view.getUint32(at + 8, little);
    if (from + size <= tiff.length) out.set(tag, tiff.subarray(from, from + size));
  }
  return out;
}

/** UserComment: an 8-byte charset code, then the text (A1111/piexif: `UNICODE\0` + UTF-16 in the block's byte order). */
function decodeUserComment(value: Uint8Array, little: boolean): string | null {
  const code = ascii(value, 0, 8);
  const body = value.subarray(8);
  let text: string;
  if (code.startsWith('UNICODE')) {
    // Some writers ignore the block's byte order; ASCII-range text shows it by where its zero bytes are.
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i + 1 < body.length && i < 200; i += 2) {
      if (body[i] === 0) evenZeros++;
      if (body[i + 1] === 0) oddZeros++;
    }
    const le = evenZeros === oddZeros ? little : oddZeros > evenZeros;
    text = new TextDecoder(le ? 'utf-16le' : 'utf-16be').decode(body);
  } else text = utf8(code.startsWith('ASCII') || code === '\0\0\0\0\0\0\0\0' ? body : value);
  text = text.replace(/\0+$/, '').trim();
  return text || null;
}

/** The UserComment of a TIFF/EXIF block (optionally still prefixed with `Exif\0\0`). */
function exifUserComment(block: Uint8Array): string | null {
  const tiff = ascii(block, 0, 6) === 'Exif\0\0' ? block.subarray(6) : block;
  if (tiff.length < 8) return null;
  const order = ascii(tiff, 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const little = order === 'II';
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const ifd0 = ifdEntries(tiff, view.getUint32(4, little), little);
  const pointer = ifd0.get(EXIF_IFD);
  const exif = pointer && pointer.length >= 4 ? ifdEntries(tiff, new DataView(pointer.buffer, pointer.byteOffset, 4).getUint32(0, little), little) : null;
  const comment = exif?.get(USER_COMMENT) ?? ifd0.get(USER_COMMENT);
  return comment && comment.length > 8 ? decodeUserComment(comment, little) : null;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The A1111 `parameters` text an image file carries, or null (also for files that are not PNG, JPEG or WebP). */
export function readImageParameters(bytes: Uint8Array): string | null {
  try {
    if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
      const chunks = pngChunks(bytes);
      for (const { type, data } of chunks) {
        const entry = decodePngTextChunk(type, data);
        if (entry && entry[0] === 'parameters' && entry[1].trim()) return entry[1].trim();
      }
      const exif = chunks.find((c) => c.type === 'eXIf');
      return exif ? exifUserComment(exif.data) : null;
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const exif = jpegExif(bytes);
      return exif ? exifUserComment(exif) : null;
    }
    if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') {
      const exif = webpChunks(bytes).find((c) => c.type === 'EXIF');
      return exif ? exifUserComment(exif.data) : null;
    }
  } catch {
    // A truncated or malformed container: no parameters rather than an error (the server judges the file).
  }
  return null;
}
