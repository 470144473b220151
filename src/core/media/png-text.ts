// PNG text chunks, written and read without re-encoding the pixels. A1111 stores an image's recipe in a
// `parameters` text chunk; we write it the way its PIL does: tEXt when the text is Latin-1, else iTXt
// (uncompressed UTF-8), so Chinese prompts survive and every reader of A1111 files finds the recipe.
import { crc32 } from 'node:zlib';
import { decodePngTextChunk } from './image-parameters.ts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TEXT_TYPES = new Set(['tEXt', 'iTXt', 'zTXt']);

interface Chunk {
  type: string;
  data: Buffer;
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 8));
}

/** The chunks of a PNG; throws on a truncated file or a bad CRC. */
function readChunks(png: Uint8Array): Chunk[] {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!isPng(buf)) throw new Error('not a PNG file');
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < buf.length) {
    if (at + 12 > buf.length) throw new Error('truncated PNG chunk');
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > buf.length) throw new Error(`truncated PNG chunk ${type}`);
    const data = buf.subarray(at + 8, at + 8 + length);
    if ((crc32(buf.subarray(at + 4, at + 8 + length)) >>> 0) !== buf.readUInt32BE(at + 8 + length)) throw new Error(`bad CRC in PNG chunk ${type}`);
    chunks.push({ type, data });
    at = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

function encodeChunk({ type, data }: Chunk): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
}

function isLatin1(text: string): boolean {
  return /^[\u0000-\u00ff]*$/.test(text) && !text.includes('\u0000');
}

function textChunk(keyword: string, text: string): Chunk {
  if (!/^[\u0020-\u007e]{1,79}$/.test(keyword)) throw new Error(`invalid PNG text keyword ${JSON.stringify(keyword)}`);
  if (isLatin1(text)) return { type: 'tEXt', data: Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]) };
  // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, UTF-8 text.
  return { type: 'iTXt', data: Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]) };
}

/**
 * The PNG with its text chunks replaced by `entries` (placed right after IHDR): earlier text chunks go, so
 * the file never carries two recipes. Pixels and every other chunk are kept byte for byte.
 */
export function setPngText(png: Uint8Array, entries: Readonly<Record<string, string>>): Buffer {
  const chunks = readChunks(png).filter((c) => !TEXT_TYPES.has(c.type));
  if (chunks[0]?.type !== 'IHDR') throw new Error('PNG does not start with IHDR');
  const text = Object.entries(entries).map(([k, v]) => textChunk(k, v));
  return Buffer.concat([SIGNATURE, ...[chunks[0], ...text, ...chunks.slice(1)].map(encodeChunk)]);
}

/** The tEXt and uncompressed iTXt entries of a PNG (zTXt and compressed iTXt are skipped); throws on a damaged file. */
export function readPngText(png: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { type, data } of readChunks(png)) {
    const entry = decodePngTextChunk(type, data);
    if (entry) out[entry[0]] = entry[1];
  }
  return out;
}
