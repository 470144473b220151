// Generation parameters out of Civitai's free-form `meta` (docs/upstream.md §1.1: keys differ between the 2023
// A1111 shape, the 2024 shape, ComfyUI uploads and hand-written posts), and the three ways to save them:
// a JSON file, an A1111 "parameters" text file, or EXIF inside the image.
//
// Decisions:
// - Extraction never throws on `meta`: each known field is read from any of its spellings (`cfgScale`,
//   `CFG scale`, `cfg`…), numbers written as strings are parsed, a seed stays a string (seeds exceed
//   2^53), anything unreadable is null, and unknown keys are kept in `extra`. The raw `meta` goes into
//   the JSON file as it came.
// - Files sit next to the image with the same name: `123.png` → `123.json` / `123.txt`. EXIF is written
//   into the image itself (see exif.ts); formats that cannot carry EXIF (GIF) fall back to JSON.
import path from 'node:path';
import { imagePageUrl, type CivitaiImage } from './normalize.ts';

export const METADATA_FORMATS = ['json', 'txt', 'exif'] as const;
export type MetadataFormat = (typeof METADATA_FORMATS)[number];

export interface ImageResource {
  name: string | null;
  /** checkpoint, lora, embed… as the source wrote it (lowercased). */
  type: string | null;
  weight: number | null;
  hash: string | null;
  modelVersionId: number | null;
}

/** Everything we know about one image; what `extractImageMetadata` returns and the JSON file holds. */
export interface ImageMetadata
  extends Pick<CivitaiImage, 'id' | 'url' | 'width' | 'height' | 'nsfwLevel' | 'browsingLevel' | 'type' | 'postId' | 'baseModel' | 'modelVersionIds' | 'tags' | 'stats' | 'blurhash'> {
  source: 'civitai';
  pageUrl: string;
  createdAt: string | null;
  creator: string | null;
  modelId: number | null;
  modelName: string | null;
  versionId: number | null;
  prompt: string | null;
  negativePrompt: string | null;
  steps: number | null;
  sampler: string | null;
  cfgScale: number | null;
  /** A string: seeds exceed 2^53. */
  seed: string | null;
  size: { width: number; height: number } | null;
  clipSkip: number | null;
  model: string | null;
  modelHash: string | null;
  denoisingStrength: number | null;
  resources: ImageResource[];
  /** Other scalar generation parameters (Hires upscale, ENSD, scheduler…), by their original key. */
  extra: Record<string, string | number | boolean>;
  /** `meta` as received (unwrapped from the legacy `{id, meta}` shape); null when there was none. */
  meta: Record<string, unknown> | null;
}

/** Context the image itself does not carry: which model or version it was listed for. */
export interface ImageContext {
  modelId?: number | null;
  modelName?: string | null;
  versionId?: number | null;
}

// Each field and the spellings seen in real `meta` objects.
const FIELDS = {
  prompt: ['prompt', 'Prompt', 'positivePrompt'],
  negativePrompt: ['negativePrompt', 'Negative prompt', 'negative_prompt', 'negative'],
  steps: ['steps', 'Steps'],
  sampler: ['sampler', 'Sampler', 'sampler_name', 'samplerName'],
  cfgScale: ['cfgScale', 'CFG scale', 'cfg_scale', 'cfg'],
  seed: ['seed', 'Seed'],
  size: ['Size', 'size'],
  clipSkip: ['clipSkip', 'Clip skip', 'clip_skip'],
  model: ['Model', 'model', 'modelName'],
  modelHash: ['Model hash', 'modelHash', 'model_hash'],
  denoisingStrength: ['Denoising strength', 'denoise', 'denoisingStrength', 'denoising_strength'],
  width: ['width', 'Width'],
  height: ['height', 'Height'],
} as const;
const CONSUMED: ReadonlySet<string> = new Set([...Object.values(FIELDS).flat(), 'resources', 'civitaiResources', 'hashes', 'comfy', 'workflow']);

function pick(meta: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) if (meta[key] !== undefined && meta[key] !== null && meta[key] !== '') return meta[key];
  return undefined;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function int(value: unknown): number | null {
  const n = num(value);
  return n !== null && Number.isInteger(n) ? n : null;
}

/** Seeds are kept as digits: numbers beyond 2^53 arrive as strings from the lossless parser. -1 is "random". */
function seedOf(value: unknown): string | null {
  const digits = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  return /^\d+$/.test(digits) ? digits : null;
}

function sizeOf(meta: Record<string, unknown>): { width: number; height: number } | null {
  const match = /^\s*(\d+)\s*x\s*(\d+)\s*$/i.exec(String(pick(meta, FIELDS.size) ?? ''));
  if (match) return { width: Number(match[1]), height: Number(match[2]) };
  const width = int(pick(meta, FIELDS.width));
  const height = int(pick(meta, FIELDS.height));
  return width && height ? { width, height } : null;
}

function resourcesOf(meta: Record<string, unknown>): ImageResource[] {
  // civitaiResources (by version id) first, then resources (by name/hash) fill in what they lack.
  const byKey = new Map<string, ImageResource>();
  const add = (resource: ImageResource) => {
    if (resource.name === null && resource.modelVersionId === null && resource.hash === null) return; // nothing to name it by
    const key = resource.modelVersionId !== null ? `v${resource.modelVersionId}` : `${resource.type}|${resource.name}|${resource.hash}`;
    const others = [...byKey.values()];
    // A named entry of `resources` usually describes the same model as an unnamed one of `civitaiResources`
    // (same type, same order): merge them rather than listing the model twice.
    const existing =
      byKey.get(key) ??
      others.find((r) => r.name !== null && r.name === resource.name && r.type === resource.type) ??
      (resource.modelVersionId === null ? others.find((r) => r.name === null && r.modelVersionId !== null && r.type === resource.type) : undefined);
    if (!existing) {
      byKey.set(key, resource);
      return;
    }
    existing.name ??= resource.name;
    existing.weight ??= resource.weight;
    existing.hash ??= resource.hash;
    existing.modelVersionId ??= resource.modelVersionId;
  };
  for (const list of [meta.civitaiResources, meta.resources]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (typeof entry !== 'object' || entry === null) continue;
      const r = entry as Record<string, unknown>;
      add({
        name: text(r.name) ?? text(r.modelVersionName) ?? text(r.modelName),
        type: text(r.type)?.toLowerCase() ?? null,
        weight: num(r.weight ?? r.strength),
        hash: text(r.hash),
        modelVersionId: int(r.modelVersionId),
      });
    }
  }
  return [...byKey.values()];
}

/** Everything useful about an image, from its API item and the listing context. Never throws on `meta`. */
export function extractImageMetadata(image: CivitaiImage, context: ImageContext = {}): ImageMetadata {
  const meta = image.meta ?? {};
  const extra: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (CONSUMED.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) extra[key] = value;
  }
  const resources = resourcesOf(meta);
  const modelVersionIds = [...new Set([...image.modelVersionIds, ...resources.flatMap((r) => (r.modelVersionId === null ? [] : [r.modelVersionId]))])];
  return {
    source: 'civitai',
    id: image.id,
    url: image.url,
    pageUrl: imagePageUrl(image.id),
    width: image.width,
    height: image.height,
    nsfwLevel: image.nsfwLevel,
    browsingLevel: image.browsingLevel,
    type: image.type,
    createdAt: image.createdAt?.toISOString() ?? null,
    postId: image.postId,
    creator: image.username,
    baseModel: image.baseModel,
    modelId: context.modelId ?? null,
    modelName: context.modelName ?? null,
    versionId: context.versionId ?? null,
    modelVersionIds,
    tags: image.tags,
    stats: image.stats,
    blurhash: image.blurhash,
    prompt: text(pick(meta, FIELDS.prompt)),
    negativePrompt: text(pick(meta, FIELDS.negativePrompt)),
    steps: int(pick(meta, FIELDS.steps)),
    sampler: text(pick(meta, FIELDS.sampler)),
    cfgScale: num(pick(meta, FIELDS.cfgScale)),
    seed: seedOf(pick(meta, FIELDS.seed)),
    size: sizeOf(meta),
    clipSkip: int(pick(meta, FIELDS.clipSkip)),
    model: text(pick(meta, FIELDS.model)),
    modelHash: text(pick(meta, FIELDS.modelHash)),
    denoisingStrength: num(pick(meta, FIELDS.denoisingStrength)),
    resources,
    extra,
    meta: image.meta,
  };
}

/** The sidecar path for an image and a format: same folder, same name, `.json` or `.txt`. */
export function sidecarPath(imagePath: string, format: 'json' | 'txt'): string {
  const ext = path.extname(imagePath);
  return `${ext ? imagePath.slice(0, -ext.length) : imagePath}.${format}`;
}

/** The JSON file's text: every extracted field plus the raw `meta`. */
export function metadataJson(metadata: ImageMetadata): string {
  return `${JSON.stringify(metadata, null, 2)}\n`;
}
