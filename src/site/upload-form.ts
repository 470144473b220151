// The upload form's logic, framework-free (the React island UploadForm.tsx renders it): its values, the
// prefill from an image's own generation parameters (read with the one A1111 parser), and the JSON the
// upload and edit APIs take (validated again on the server: src/server/community/artwork-input.ts).
import { readImageParameters } from '../core/media/image-parameters.ts';
import { parseA1111Parameters } from '../core/recipe/a1111-parameters.ts';
import type { Recipe } from '../core/recipe/recipe.ts';
import { normalizeName } from './generation/catalogue.ts';

/** /upload-catalogue.json: what the form offers to pick. */
export interface UploadCatalogue {
  loras: Array<{ id: string; name: string; externalId: string }>;
  checkpoints: string[];
}

interface FormLora {
  /** The catalogue LoRA's id and provider id, when the name matched one. */
  id: string | null;
  externalId: string | null;
  name: string;
  weight: string;
}

/** Every field as the inputs hold it (text). */
export interface FormState {
  title: string;
  prompt: string;
  negativePrompt: string;
  sampler: string;
  steps: string;
  cfgScale: string;
  width: string;
  height: string;
  seed: string;
  checkpoint: string;
  loras: FormLora[];
  tags: string;
  nsfwLevel: 'None' | 'Soft' | 'Mature' | 'X';
}

export const NSFW_CHOICES = [
  { value: 'None', label: '全年龄' },
  { value: 'Soft', label: '轻微（泳装、轻度暴露）' },
  { value: 'Mature', label: '成人（默认模糊）' },
  { value: 'X', label: '限制级（默认模糊）' },
] as const;

export const emptyForm = (): FormState => ({
  title: '', prompt: '', negativePrompt: '', sampler: '', steps: '', cfgScale: '', width: '', height: '', seed: '',
  checkpoint: '', loras: [], tags: '', nsfwLevel: 'None',
});

const text = (value: string | number | null | undefined) => (value === null || value === undefined ? '' : String(value));

/** The catalogue LoRA of this name (loosely compared), if any. */
function catalogueLoraNamed(catalogue: UploadCatalogue, name: string) {
  const wanted = normalizeName(name);
  return wanted ? catalogue.loras.find((l) => normalizeName(l.name) === wanted || normalizeName(l.externalId) === wanted || normalizeName(l.externalId.split('/').pop() ?? '') === wanted) : undefined;
}

/** A LoRA row for a name: linked to the catalogue when it names one. */
export function formLora(catalogue: UploadCatalogue, name: string, weight: number | string | null, externalId: string | null = null): FormLora {
  const known = catalogueLoraNamed(catalogue, name);
  return { id: known?.id ?? null, externalId: known?.externalId ?? externalId, name: known?.name ?? name, weight: weight === null ? '1' : String(weight) };
}

/** A recipe's fields as form values (title, tags and rating are not in a recipe). */
export function recipeValues(recipe: Recipe, catalogue: UploadCatalogue): Partial<FormState> {
  const checkpoint = recipe.resources.find((r) => r.type === 'CHECKPOINT')?.modelName ?? '';
  return {
    prompt: text(recipe.prompt), negativePrompt: text(recipe.negativePrompt), sampler: text(recipe.sampler), steps: text(recipe.steps),
    cfgScale: text(recipe.cfgScale), width: text(recipe.width), height: text(recipe.height), seed: text(recipe.seed),
    checkpoint: catalogue.checkpoints.find((c) => normalizeName(c) === normalizeName(checkpoint)) ?? checkpoint,
    loras: recipe.resources.filter((r) => r.type === 'LORA' && r.modelName).map((r) => formLora(catalogue, r.modelName!, r.weight, r.modelId)),
  };
}

/** The image file's own parameters as form values, or null when it carries none. */
export function prefillFromImage(bytes: Uint8Array, catalogue: UploadCatalogue): Partial<FormState> | null {
  const parameters = readImageParameters(bytes);
  return parameters ? recipeValues(parseA1111Parameters(parameters), catalogue) : null;
}

/** Tags as typed: split on commas (either width), 、 and newlines. */
export function splitTags(value: string): string[] {
  return value.split(/[,，、\n]/).map((t) => t.trim()).filter(Boolean);
}

/** The JSON the upload (`meta`) and edit APIs take. Numbers stay text: the server reads and judges them. */
export function formMeta(state: FormState) {
  return {
    title: state.title, prompt: state.prompt, negativePrompt: state.negativePrompt, sampler: state.sampler, steps: state.steps,
    cfgScale: state.cfgScale, width: state.width, height: state.height, seed: state.seed, checkpoint: state.checkpoint,
    loras: state.loras.map((l) => ({ id: l.id ?? undefined, externalId: l.externalId ?? undefined, name: l.name, weight: l.weight.trim() === '' ? Number.NaN : Number(l.weight) })),
    tags: splitTags(state.tags),
    nsfwLevel: state.nsfwLevel,
  };
}
