// 做同款: an artwork's recipe (prompt, parameters, models) carried to /generate and turned into form values.
// The recipe travels in the link's fragment (`/generate#recipe=…`, base64url JSON): the artwork pages are
// static, the fragment never reaches a server, and the link works when opened in a new tab. Whatever the
// fragment holds is untrusted: decodeRecipe keeps only well-typed fields, and prefill only fills the form.
import type { Recipe as ImageRecipe, RecipeResource } from '../../core/recipe/recipe.ts';
import type { SnapshotModelRef, SnapshotWork } from '../../core/snapshot/schema.ts';
import { baseFamily, familiesOf } from './base-model.ts';
import { matchCheckpoint, matchLora, normalizeName, type Catalogue, type CatalogueLora } from './catalogue.ts';
import type { FieldKey, FormLora, FormValues, GenerationLimits } from './form-values.ts';
import { builtinPresetFor } from './presets.ts';

export interface RecipeLora {
  name: string;
  /** The catalogue LoRA the source reference was matched to. */
  loraId: string | null;
  /** Null: the source did not say. */
  weight: number | null;
}

export interface Recipe {
  /** `artwork` (做同款: missing fields are marked 未知) or `lora` (a LoRA's suggested start: nothing is missing). */
  kind: 'artwork' | 'lora';
  /** Where it came from, shown above the form (`做同款：<title>`). */
  from: { title: string; url: string } | null;
  prompt: string | null;
  negativePrompt: string | null;
  sampler: string | null;
  steps: number | null;
  cfgScale: number | null;
  width: number | null;
  height: number | null;
  /** A string: upstream seeds exceed 2^53. */
  seed: string | null;
  checkpoint: string | null;
  loras: RecipeLora[];
}

type WorkForRecipe = Pick<SnapshotWork, 'prompt' | 'negativePrompt' | 'params' | 'models'>;

/** A work's recipe (the snapshot keeps one per work; LoRA weights are not in it yet). */
export function recipeFromWork(work: WorkForRecipe, from: Recipe['from']): Recipe {
  const checkpoint = work.models.find((m) => m.type === 'CHECKPOINT' && m.name.trim());
  return {
    kind: 'artwork',
    from,
    prompt: work.prompt,
    negativePrompt: work.negativePrompt,
    sampler: work.params.sampler,
    steps: work.params.steps,
    cfgScale: work.params.cfgScale,
    width: work.params.width,
    height: work.params.height,
    seed: work.params.seed,
    checkpoint: checkpoint?.name.trim() ?? null,
    loras: work.models.filter((m) => m.type === 'LORA').map((m) => ({ name: m.name, loraId: m.loraId, weight: null })),
  };
}

/** A resource's name as the work's model references spell it ("model · version", or the model alone). */
const resourceNames = (r: RecipeResource) => [[r.modelName, r.versionName].filter(Boolean).join(' · '), r.modelName ?? ''].filter(Boolean);

/**
 * The work's reference for an image's resource (same type, same name with or without its version): it carries
 * the catalogue link (loraId) and the name the checkpoint catalogue lists.
 */
function refFor(models: readonly SnapshotModelRef[], r: RecipeResource): SnapshotModelRef | undefined {
  const names = new Set(resourceNames(r).map(normalizeName));
  return models.find((m) => m.type === r.type && names.has(normalizeName(m.name)));
}

/** A1111 `<lora:name:weight>` tags: the LoRAs travel in `loras` (with their weights), not in the prompt. */
function withoutLoraTags(prompt: string | null): string | null {
  if (prompt === null) return null;
  return prompt.replace(/<(?:lora|lyco):[^>]*>/gi, '').replace(/\s*,(?:\s*,)+/g, ',').replace(/[ \t]{2,}/g, ' ').replace(/^[\s,]+|[\s,]+$/g, '');
}

/**
 * 做同款 for image `index` of a work: that image's own recipe (v3: its seed, prompt, LoRAs with their weights,
 * checkpoint), its models matched to the catalogue through the work's references; the work's recipe when
 * the image has none (v2 snapshots, sources without per-image data).
 */
export function recipeFromImage(work: WorkForRecipe & Pick<SnapshotWork, 'images'>, index: number, from: Recipe['from']): Recipe {
  const r: ImageRecipe | null | undefined = work.images.find((i) => i.index === index)?.recipe;
  if (!r) return recipeFromWork(work, from);
  const checkpoint = r.resources.find((x) => x.type === 'CHECKPOINT' && resourceNames(x).length > 0);
  return {
    kind: 'artwork',
    from,
    prompt: withoutLoraTags(r.prompt),
    negativePrompt: r.negativePrompt,
    sampler: r.sampler,
    steps: r.steps,
    cfgScale: r.cfgScale,
    width: r.width,
    height: r.height,
    seed: r.seed,
    checkpoint: checkpoint ? (refFor(work.models, checkpoint)?.name.trim() ?? resourceNames(checkpoint)[0]!) : null,
    loras: r.resources
      .filter((x) => x.type === 'LORA' && resourceNames(x).length > 0)
      .map((x) => {
        const ref = refFor(work.models, x);
        return { name: ref?.name ?? resourceNames(x)[0]!, loraId: ref?.loraId ?? null, weight: x.weight };
      }),
  };
}

// --- the link -------------------------------------------------------------------------------------------

function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(data: string): string {
  const binary = atob(data.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** `/generate#recipe=…`: the 做同款 link. */
export function recipeLink(recipe: Recipe): string {
  return `/generate#recipe=${toBase64Url(JSON.stringify(recipe))}`;
}

const MAX_TEXT = 20_000;
const str = (v: unknown, max = MAX_TEXT): string | null => (typeof v === 'string' ? v.slice(0, max) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The recipe of a `#recipe=…` fragment, or null when there is none or it cannot be read. */
export function decodeRecipe(hash: string): Recipe | null {
  const data = new URLSearchParams(hash.replace(/^#/, '')).get('recipe');
  if (!data) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fromBase64Url(data));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const from = typeof r.from === 'object' && r.from !== null ? (r.from as Record<string, unknown>) : null;
  const fromUrl = str(from?.url, 500);
  return {
    kind: r.kind === 'lora' ? 'lora' : 'artwork',
    // Only a site path: the banner links to it.
    from: from && fromUrl?.startsWith('/') && !fromUrl.startsWith('//') ? { title: str(from.title, 200) ?? '作品', url: fromUrl } : null,
    prompt: str(r.prompt),
    negativePrompt: str(r.negativePrompt),
    sampler: str(r.sampler, 100),
    steps: num(r.steps),
    cfgScale: num(r.cfgScale),
    width: num(r.width),
    height: num(r.height),
    seed: str(r.seed, 40),
    checkpoint: str(r.checkpoint, 200),
    loras: (Array.isArray(r.loras) ? r.loras : []).slice(0, 20).flatMap((l): RecipeLora[] => {
      if (typeof l !== 'object' || l === null) return [];
      const name = str((l as Record<string, unknown>).name, 200);
      if (!name) return [];
      return [{ name, loraId: str((l as Record<string, unknown>).loraId, 200), weight: num((l as Record<string, unknown>).weight) }];
    }),
  };
}

// --- recipe → form --------------------------------------------------------------------------------------

export interface Prefill {
  values: FormValues;
  /** Fields the recipe did not give (the form marks them 未知 and keeps a default). */
  unknown: FieldKey[];
  /** What was changed or left out, in Chinese, one line each. */
  notes: string[];
}

export function formLora(lora: CatalogueLora, weight: number): FormLora {
  return { loraId: lora.id, id: lora.externalId, name: lora.name, baseModels: lora.baseModels, weight };
}

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

/** A recipe over the form's defaults: known fields filled (brought into range, with a note), the rest marked. */
export function prefill(recipe: Recipe, defaults: FormValues, catalogue: Catalogue, limits: GenerationLimits, samplers: readonly string[]): Prefill {
  const values: FormValues = { ...defaults, loras: [] };
  const marked: FieldKey[] = [];
  // A LoRA's start lacks a prompt, seed and checkpoint by nature: nothing there is 未知.
  const unknown = { push: (...keys: FieldKey[]) => void (recipe.kind === 'artwork' && marked.push(...keys)) };
  const notes: string[] = [];

  if (recipe.prompt?.trim()) values.prompt = recipe.prompt.slice(0, limits.promptChars);
  else unknown.push('prompt');
  if (recipe.prompt && recipe.prompt.length > limits.promptChars) notes.push(`提示词超过 ${limits.promptChars} 个字符，已截断`);
  values.negativePrompt = (recipe.negativePrompt ?? '').slice(0, limits.negativePromptChars);
  if (recipe.negativePrompt === null) unknown.push('negativePrompt');

  // LoRAs first: a missing checkpoint is then chosen from their family.
  for (const ref of recipe.loras) {
    const match = matchLora(catalogue.loras, ref);
    if (!match) {
      notes.push(`LoRA「${ref.name}」不在模型库中，已略过`);
      continue;
    }
    if (values.loras.some((l) => l.loraId === match.id)) continue;
    if (values.loras.length >= limits.loras.max) {
      notes.push(`最多 ${limits.loras.max} 个 LoRA，「${match.name}」已略过`);
      continue;
    }
    let weight = ref.weight ?? match.suggested.weight;
    if (ref.weight === null) notes.push(`LoRA「${match.name}」的权重未知，已用建议值 ${weight}`);
    weight = clamp(weight, limits.loraWeight.min, limits.loraWeight.max);
    values.loras.push(formLora(match, weight));
  }

  if (recipe.checkpoint) {
    values.checkpoint = matchCheckpoint(catalogue.checkpoints, recipe.checkpoint) ?? { id: recipe.checkpoint, name: recipe.checkpoint, ...(baseFamily(recipe.checkpoint) ? { baseModel: recipe.checkpoint } : {}) };
  } else {
    unknown.push('checkpoint');
    const family = values.loras.map((l) => familiesOf(l.baseModels)[0]).find((f) => f !== undefined) ?? null;
    const preset = builtinPresetFor(family);
    if (preset?.checkpoint) {
      values.checkpoint = preset.checkpoint;
      notes.push(recipe.kind === 'artwork' ? `原作未注明基础模型，已按 LoRA 选用 ${preset.checkpoint.name}` : `已按 LoRA 的基础模型选用 ${preset.checkpoint.name}`);
    }
  }

  if (recipe.sampler) {
    const wanted = recipe.sampler.trim().toLowerCase().replace(/_/g, ' ');
    const found = samplers.find((s) => s.toLowerCase() === wanted) ?? (wanted === 'euler ancestral' || wanted === 'euler a' ? samplers.find((s) => s === 'Euler a') : undefined);
    if (found) values.sampler = found;
    else {
      unknown.push('sampler');
      notes.push(`原作的采样器「${recipe.sampler}」不可选，已改用 ${values.sampler}`);
    }
  } else unknown.push('sampler');

  const ranged = (key: 'steps' | 'cfgScale', value: number | null, range: { min: number; max: number }, label: string) => {
    if (value === null) return void unknown.push(key);
    const inRange = clamp(key === 'steps' ? Math.round(value) : value, range.min, range.max);
    if (inRange !== value) notes.push(`${label} ${value} 超出范围 ${range.min}–${range.max}，已改为 ${inRange}`);
    values[key] = inRange;
  };
  ranged('steps', recipe.steps, limits.steps, '采样步数');
  ranged('cfgScale', recipe.cfgScale, limits.cfgScale, 'CFG 系数');

  if (recipe.width && recipe.height) {
    const size = fitSize(recipe.width, recipe.height, limits);
    if (size.width !== recipe.width || size.height !== recipe.height) {
      notes.push(`尺寸 ${recipe.width}×${recipe.height} 超出允许范围或不是 ${limits.size.step} 的倍数，已改为 ${size.width}×${size.height}`);
    }
    Object.assign(values, size);
  } else unknown.push('width', 'height');

  const seed = recipe.seed !== null && /^\d+$/.test(recipe.seed.trim()) ? Number(recipe.seed.trim()) : null;
  if (seed === null) {
    unknown.push('seed');
    values.seed = -1;
  } else if (seed > limits.seed.max) {
    values.seed = -1;
    notes.push(`原作的种子 ${recipe.seed} 超出 0–${limits.seed.max}，已改为随机`);
  } else values.seed = seed;

  return { values, unknown: marked, notes };
}

/** A size in range, on the step, within the pixel budget, keeping the aspect ratio as closely as it can. */
export function fitSize(width: number, height: number, limits: GenerationLimits): { width: number; height: number } {
  const { min, max, step } = limits.size;
  let scale = Math.min(1, Math.sqrt(limits.maxPixels / (width * height)), max / width, max / height);
  scale = Math.max(scale, min / width, min / height);
  const snap = (v: number) => clamp(Math.round(v / step) * step, min, max);
  let w = snap(width * scale);
  let h = snap(height * scale);
  // Rounding may tip over the budget by a step: shave the longer side.
  while (w * h > limits.maxPixels) {
    if (w >= h) w -= step;
    else h -= step;
  }
  return { width: w, height: h };
}

/** /lora/<id>'s 生成: that LoRA with its suggested parameters. */
export function recipeFromLora(lora: CatalogueLora): Recipe {
  const s = lora.suggested;
  return {
    kind: 'lora',
    from: { title: lora.name, url: `/lora/${encodeURIComponent(lora.id)}` },
    prompt: lora.triggerWords.join(', ') || null,
    negativePrompt: '',
    sampler: s.sampler,
    steps: s.steps,
    cfgScale: s.cfgScale,
    width: s.width,
    height: s.height,
    seed: null,
    checkpoint: null,
    loras: [{ name: lora.name, loraId: lora.id, weight: s.weight }],
  };
}
