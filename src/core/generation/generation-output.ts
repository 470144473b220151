// What a generated image becomes before it is stored: a PNG carrying its recipe in an A1111 `parameters`
// text chunk (so the file alone says how to make it again), under a blob key built only from values we
// made ourselves (the task from the allow-list, the job's UUID, the date, the index): nothing a client
// sent ever becomes part of a path.
import { assertValidBlobKey } from '../blob/blob-key.ts';
import { InvalidInputError } from '../errors.ts';
import { detectFormat } from '../media/image-format.ts';
import { isPng, setPngText } from '../media/png-text.ts';
import { SHARP_FAIL_ON } from '../media/sharp-policy.ts';
import { formatA1111Parameters, loraTagName, type A1111Extra } from '../recipe/a1111-parameters.ts';
import { emptyRecipe, emptyResource, seedText, type Recipe } from '../recipe/recipe.ts';
import { GENERATION_TASKS, type GenerationRequest, type GenerationTask } from './generation-request.ts';

type RecipeRequest = Pick<GenerationRequest, 'prompt' | 'negativePrompt' | 'loras' | 'steps' | 'sampler' | 'cfgScale' | 'width' | 'height' | 'checkpoint'>;

/**
 * A request and the seed one image used, as the recipe A1111 would record: the prompt carries the LoRAs as
 * `<lora:id:weight>` tags (how A1111 records them, and what Civitai and our importers read back), so
 * parseA1111Parameters(formatA1111Parameters(recipe)) gives this recipe back exactly.
 */
export function recipeFromGenerationRequest(request: RecipeRequest, seed: number): Recipe {
  const tags = request.loras.map((l) => `<lora:${loraTagName(l.id)}:${l.weight}>`);
  return {
    ...emptyRecipe(),
    prompt: tags.length === 0 ? request.prompt : `${request.prompt}, ${tags.join(', ')}`,
    negativePrompt: request.negativePrompt || null,
    sampler: request.sampler,
    steps: request.steps,
    cfgScale: request.cfgScale,
    width: request.width,
    height: request.height,
    seed: seedText(seed),
    resources: [
      { ...emptyResource('CHECKPOINT'), modelName: request.checkpoint.name || request.checkpoint.id },
      ...request.loras.map((l) => ({ ...emptyResource('LORA'), modelName: loraTagName(l.id), weight: l.weight })),
    ],
  };
}

/** The `parameters` text of one generated image (its PNG chunk); `extra` follows, e.g. ['Huaku provider', …]. */
export function generationParameters(request: RecipeRequest, seed: number, extra: A1111Extra = []): string {
  return formatA1111Parameters(recipeFromGenerationRequest(request, seed), extra);
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
