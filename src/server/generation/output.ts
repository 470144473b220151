// Where a job's images go and what they carry: a provider's bytes are decoded and re-encoded to PNG (nothing
// is stored as it came), with an A1111 `parameters` text chunk so the file carries its own recipe, at
// generations/{task}/{yyyy}/{mm}/{job_id}/{n}.png. Nothing from the client is part of the key but the task,
// which the request schema allow-lists.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { BlobStore } from '../../core/blob/blob-store.ts';
import type { GenerationOutput } from '../../core/domain/generation-output.ts';
import { GENERATION_LIMITS, type ResolvedGenerationRequest } from '../../core/generation/generation-request.ts';

export function outputKey(task: string, jobId: string, index: number, at: Date): string {
  const yyyy = String(at.getUTCFullYear());
  const mm = String(at.getUTCMonth() + 1).padStart(2, '0');
  return `generations/${task}/${yyyy}/${mm}/${jobId}/${index}.png`;
}

/** The recipe as A1111 writes it into its PNGs (what "PNG info" readers and Civitai parse). */
export function a1111Parameters(request: ResolvedGenerationRequest, seed: number): string {
  const loras = request.loras.map((l) => `<lora:${l.name ?? l.id}:${l.weight}>`).join(' ');
  const lines = [loras ? `${request.prompt} ${loras}` : request.prompt];
  if (request.negativePrompt) lines.push(`Negative prompt: ${request.negativePrompt}`);
  lines.push(
    [
      `Steps: ${request.steps}`,
      `Sampler: ${request.sampler}`,
      `CFG scale: ${request.cfgScale}`,
      `Seed: ${seed}`,
      `Size: ${request.width}x${request.height}`,
      `Model: ${request.checkpoint.name ?? request.checkpoint.id}`,
    ].join(', '),
  );
  return lines.join('\n');
}

/** A PNG with a `parameters` text chunk after IHDR: tEXt when the text is Latin-1, else iTXt (UTF-8). */
export function withPngText(png: Buffer, keyword: string, text: string): Buffer {
  const latin1 = /^[\x00-\xff]*$/.test(text);
  const data = latin1
    ? Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from(text, 'latin1')])
    : Buffer.concat([Buffer.from(`${keyword}\0\0\0\0\0`, 'latin1'), Buffer.from(text, 'utf8')]);
  const type = Buffer.from(latin1 ? 'tEXt' : 'iTXt', 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  type.copy(chunk, 4);
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(Buffer.concat([type, data])) >>> 0, 8 + data.length);
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8); // signature, then IHDR (length + type + data + crc)
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

/** Re-encode one image to PNG with its recipe and store it; throws when the bytes are not a readable image. */
export async function writeOutput(
  blobs: BlobStore,
  options: { jobId: string; task: string; index: number; at: Date; bytes: Uint8Array; seed: number; request: ResolvedGenerationRequest },
): Promise<GenerationOutput> {
  const { data, info } = await sharp(options.bytes, { failOn: 'error', limitInputPixels: GENERATION_LIMITS.maxPixels * 4 })
    .png({ compressionLevel: 6 })
    .toBuffer({ resolveWithObject: true });
  const png = withPngText(data, 'parameters', a1111Parameters(options.request, options.seed));
  const key = outputKey(options.task, options.jobId, options.index, options.at);
  const sha256 = createHash('sha256').update(png).digest('hex');
  await blobs.put(key, png, { contentType: 'image/png', metadata: { sha256, job: options.jobId } });
  return { key, seed: options.seed, width: info.width, height: info.height, sha256, sizeBytes: png.length };
}
