// What a generated image becomes before it is stored: a PNG carrying its recipe in an A1111 `parameters`
// text chunk (so the file alone says how to make it again), under a blob key built only from values we
// made ourselves (the task from the allow-list, the job's UUID, the date, the index): nothing a client
// sent ever becomes part of a path.
import { assertValidBlobKey } from '../blob/blob-key.ts';
import { InvalidInputError } from '../errors.ts';
import { detectFormat } from '../media/image-format.ts';
import { formatInfotext } from '../media/infotext.ts';
import { isPng, setPngText } from '../media/png-text.ts';
import { SHARP_FAIL_ON } from '../media/sharp-policy.ts';
import { GENERATION_TASKS, type GenerationRequest, type GenerationTask } from './generation-request.ts';

/** Extra infotext fields a caller may add after the recipe (e.g. ['Huaku provider', 'a1111@…']). */
export type ExtraParameters = ReadonlyArray<readonly [string, string | number | null | undefined]>;

/** A LoRA name as it can sit inside an A1111 `<lora:name:weight>` tag (its syntax characters replaced). */
function loraTagName(id: string): string {
  return id.replace(/[<>:\n]/g, '_');
}

/**
 * The A1111 infotext of a request and the seed one image used: the prompt with `<lora:name:weight>` tags
 * (how A1111 records LoRAs, and what Civitai and our own importers read back), `Negative prompt: …`, and
 * `Steps, Sampler, CFG scale, Seed, Size, Model` — the one formatter for PNG chunks and 复制全部生成参数.
 */
export function formatA1111Parameters(request: Pick<GenerationRequest, 'prompt' | 'negativePrompt' | 'loras' | 'steps' | 'sampler' | 'cfgScale' | 'width' | 'height' | 'checkpoint'>, seed: number, extra: ExtraParameters = []): string {
  const tags = request.loras.map((l) => `<lora:${loraTagName(l.id)}:${l.weight}>`);
  const prompt = tags.length === 0 ? request.prompt : `${request.prompt}, ${tags.join(', ')}`;
  return formatInfotext(prompt, request.negativePrompt, [
    ['Steps', request.steps],
    ['Sampler', request.sampler],
    ['CFG scale', request.cfgScale],
    ['Seed', seed],
    ['Size', `${request.width}x${request.height}`],
    ['Model', request.checkpoint.name || request.checkpoint.id],
    ...extra,
  ]);
}

/**
 * The output file: PNG bytes with `parameters` set to `parameters` (earlier text chunks, e.g. a ComfyUI
 * workflow or A1111's own infotext, are replaced so the file carries one recipe). A JPEG or WebP from a
 * provider is converted to PNG; anything that is not an image is refused.
 */
export async function encodeGenerationOutput(bytes: Uint8Array, parameters: string): Promise<Buffer> {
  const format = detectFormat(bytes);
  if (format?.kind !== 'image') throw new InvalidInputError('generation output: the provider returned bytes that are not an image');
  try {
    let png: Uint8Array = bytes;
    if (!isPng(bytes)) {
      // sharp is loaded only when a conversion is needed (providers usually send PNG already).
      const { default: sharp } = await import('sharp');
      png = await sharp(bytes, { failOn: SHARP_FAIL_ON }).png().toBuffer();
    }
    return setPngText(png, { parameters });
  } catch (error) {
    throw new InvalidInputError(`generation output: the provider returned a damaged ${format.ext.toUpperCase()} image (${(error as Error).message})`, { cause: error });
  }
}

export interface GenerationOutputKeyInput {
  task: GenerationTask;
  /** When the job was created (its year and month, UTC, name the folder). */
  date: Date;
  /** The job's id: a UUID we generated, never a client's value. */
  jobId: string;
  /** The image's place in the batch, 0-based. */
  index: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `generations/{task}/{yyyy}/{mm}/{job_id}/{n}.png` (n from 0); throws InvalidInputError on any other shape. */
export function generationOutputKey({ task, date, jobId, index }: GenerationOutputKeyInput): string {
  if (!(GENERATION_TASKS as readonly string[]).includes(task)) throw new InvalidInputError(`generation output key: unknown task ${JSON.stringify(task)}`);
  if (!UUID.test(jobId)) throw new InvalidInputError(`generation output key: job id must be a lowercase UUID, got ${JSON.stringify(jobId)}`);
  if (!Number.isSafeInteger(index) || index < 0 || index > 999) throw new InvalidInputError(`generation output key: index must be an integer 0–999, got ${index}`);
  if (Number.isNaN(date.getTime())) throw new InvalidInputError('generation output key: invalid date');
  const yyyy = String(date.getUTCFullYear()).padStart(4, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  const key = `generations/${task}/${yyyy}/${mm}/${jobId}/${index}.png`;
  assertValidBlobKey(key);
  return key;
}
