// Test images made in memory with sharp (no fixtures on disk).
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import type { BlobStore } from '../blob/blob-store.ts';

export type SharpFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff';

/** A noisy image (so encoders cannot shrink it to nothing) in the given format. */
export async function makeImage(width: number, height: number, format: SharpFormat, seed = 0): Promise<Buffer> {
  const image = sharp({
    create: { width, height, channels: 3, background: { r: (seed * 37) % 256, g: 90, b: 160 }, noise: { type: 'gaussian', mean: 128 + (seed % 50), sigma: 40 } },
  });
  return image.toFormat(format).toBuffer();
}

/** The WebP signature: "RIFF" .... "WEBP". */
export function isWebp(bytes: Buffer): boolean {
  return bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP';
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** The bytes stored under `key`; throws (failing the test) when nothing is. */
export async function storedBytes(blobs: BlobStore, key: string): Promise<Buffer> {
  const object = await blobs.get(key);
  if (!object) throw new Error(`nothing is stored under ${key}`);
  return readAll(object.body);
}
