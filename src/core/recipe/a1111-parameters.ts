// The A1111 "parameters" text (what WebUI writes into a PNG and shows as infotext), both ways:
//   prompt
//   Negative prompt: …
//   Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x768, Model hash: …, Lora hashes: "a: …", …
// and the same keys as a map (Liblib's `metainformation`, a JSON object of A1111 keys with string values,
// adding `Lora N` / `Lora Hash N` / `Lora Weight N`). The one A1111 module: one reader for both, one writer for
// every producer (复制全部生成参数, the generation outputs' PNG chunk, the Civitai downloader's sidecars). LoRA weights travel in the prompt as `<lora:name:weight>` (A1111's own way):
// the writer adds a tag for a weighted LoRA the prompt does not name yet.
import { classifyHash, emptyRecipe, emptyResource, seedText, type Recipe, type RecipeResource, type ResourceType } from './recipe.ts';

/** A1111's own pattern for one `key: value` of the last line (values with , : or newlines are JSON-quoted). */
const PARAM = /\s*([\w][\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g;
const LORA_TAG = /<(?:lora|lyco):([^:>]+)(?::([-+]?\d*\.?\d+))?[^>]*>/gi;

/** The key/value pairs of a parameters line, values unquoted. */
function parseParamLine(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of line.matchAll(PARAM)) {
    const key = match[1]!.trim();
    let value = match[2]!.trim();
    if (value.startsWith('"') && value.endsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        value = value.slice(1, -1);
      }
    }
    out[key] = value;
  }
  return out;
}

/** Parse the whole text. Never throws: what cannot be read is left null. */
export function parseA1111Parameters(text: string, imageId: string | null = null): Recipe {
  const lines = text.replace(/\r\n?/g, '\n').trim().split('\n');
  let last = lines.pop() ?? '';
  if ([...last.matchAll(PARAM)].length < 3) {
    lines.push(last);
    last = '';
  }
  let prompt = '';
  let negative = '';
  let inNegative = false;
  for (const line of lines) {
    if (line.startsWith('Negative prompt:')) {
      inNegative = true;
      negative = line.slice('Negative prompt:'.length).trim();
    } else if (inNegative) negative += `\n${line}`;
    else prompt += prompt ? `\n${line}` : line;
  }
  return recipeFromA1111Fields({ ...parseParamLine(last), prompt: prompt.trim(), 'Negative prompt': negative.trim() }, imageId);
}

const num = (value: string | undefined): number | null => {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : null;
};
const int = (value: string | undefined): number | null => {
  const n = num(value);
  return n !== null && Number.isInteger(n) ? n : null;
};
const str = (value: string | undefined): string | null => value?.trim() || null;

/** `"name: hash, name2: hash2"` → pairs. */
function hashList(value: string | undefined): Array<[string, string]> {
  if (!value) return [];
  return value.split(',').flatMap((part) => {
    const at = part.lastIndexOf(':');
    return at > 0 ? [[part.slice(0, at).trim(), part.slice(at + 1).trim()] as [string, string]] : [];
  });
}

/**
 * A1111 keys (strings) → recipe. `prompt` and `Negative prompt` are read as keys too (Liblib's map has them).
 * Resources: the checkpoint (`Model`, `Model hash`), LoRAs (`Lora hashes`, Liblib's `Lora N…`, and
 * `<lora:name:weight>` tags in the prompt, merged by name), embeddings (`TI hashes`), and the VAE.
 */
export function recipeFromA1111Fields(fields: Record<string, string>, imageId: string | null = null): Recipe {
  const recipe = emptyRecipe(imageId);
  recipe.prompt = str(fields.prompt);
  recipe.negativePrompt = str(fields['Negative prompt']);
  recipe.sampler = str(fields.Sampler);
  recipe.scheduler = str(fields['Schedule type']) ?? str(fields.Scheduler);
  recipe.steps = int(fields.Steps);
  recipe.cfgScale = num(fields['CFG scale']);
  recipe.seed = seedText(fields.Seed);
  const size = /^(\d+)\s*x\s*(\d+)$/i.exec(fields.Size?.trim() ?? '');
  if (size && Number(size[1]) > 0 && Number(size[2]) > 0) {
    recipe.width = Number(size[1]);
    recipe.height = Number(size[2]);
  }
  const clipSkip = int(fields['Clip skip']);
  recipe.clipSkip = clipSkip !== null && clipSkip > 0 ? clipSkip : null;
  const vae = str(fields.VAE) ?? str(fields.vae_name);
  recipe.vae = vae && !/^(automatic|none)$/i.test(vae) ? vae : null;
  const denoise = num(fields['Denoising strength']);
  recipe.denoise = denoise !== null && denoise >= 0 && denoise <= 1 ? denoise : null;
  const upscale = num(fields['Hires upscale']);
  const hires = { upscale: upscale !== null && upscale > 0 ? upscale : null, upscaler: str(fields['Hires upscaler']), steps: int(fields['Hires steps']) };
  recipe.hires = hires.upscale !== null || hires.upscaler !== null || hires.steps !== null ? hires : null;

  const resources: RecipeResource[] = [];
  const byName = new Map<string, RecipeResource>();
  const add = (type: ResourceType, name: string | null, hash: string | null, weight: number | null) => {
    const key = name ? `${type}|${name}` : null;
    let resource = key ? byName.get(key) : undefined;
    if (!resource) {
      resource = { ...emptyResource(type), modelName: name };
      resources.push(resource);
      if (key) byName.set(key, resource);
    }
    const hashes = classifyHash(hash);
    resource.sha256 ??= hashes.sha256;
    resource.autoV2 ??= hashes.autoV2;
    resource.weight ??= weight;
  };
  if (fields.Model || fields['Model hash']) add('CHECKPOINT', str(fields.Model), str(fields['Model hash']), null);
  for (const match of (recipe.prompt ?? '').matchAll(LORA_TAG)) add('LORA', match[1]!.trim(), null, match[2] !== undefined ? Number(match[2]) : null);
  for (const [name, hash] of hashList(fields['Lora hashes'])) add('LORA', name, hash, null);
  for (let n = 1; fields[`Lora ${n}`] !== undefined || fields[`Lora Hash ${n}`] !== undefined; n++) {
    add('LORA', str(fields[`Lora ${n}`]), str(fields[`Lora Hash ${n}`]), num(fields[`Lora Weight ${n}`]));
  }
  for (const [name, hash] of hashList(fields['TI hashes'])) add('EMBEDDING', name, hash, null);
  if (recipe.vae || fields['VAE hash']) add('VAE', recipe.vae, str(fields['VAE hash']), null);
  recipe.resources = resources;
  return recipe;
}

/** A1111 quotes a value that holds a comma, colon, quote or newline (json.dumps). */
function quote(value: string): string {
  return /[,:\n"]/.test(value) ? JSON.stringify(value) : value;
}

const hashOf = (r: RecipeResource) => r.sha256 ?? r.autoV2;

/** A name as it can sit inside a `<lora:name:weight>` tag (the tag's syntax characters replaced). */
export function loraTagName(name: string): string {
  return name.replace(/[<>:\n]/g, '_');
}

/** Fields a caller adds after the recipe's own (e.g. ['Huaku provider', 'a1111@…']); unknown values are skipped. */
export type A1111Extra = ReadonlyArray<readonly [string, string | number | null | undefined]>;

/**
 * The recipe as A1111 `parameters` text: unknown values are left out, never written as "null"; `extra` fields
 * follow, except keys the recipe already wrote. Inverse of parseA1111Parameters for every field A1111 carries
 * (ids, version names and trigger words it has no key for), exactly so when the prompt already holds its
 * LoRA tags (otherwise the writer adds a tag for each weighted LoRA, and the prompt read back holds it).
 * `loraTags: false` keeps the prompt as given (a sidecar that lists its resources in a field of its own).
 */
export function formatA1111Parameters(recipe: Recipe, extra: A1111Extra = [], { loraTags = true }: { loraTags?: boolean } = {}): string {
  const loras = recipe.resources.filter((r) => r.type === 'LORA' && r.modelName);
  let prompt = recipe.prompt ?? '';
  const named = new Set([...prompt.matchAll(LORA_TAG)].map((m) => m[1]!.trim()));
  const tags = loras.filter((r) => loraTags && r.weight !== null && !named.has(loraTagName(r.modelName!))).map((r) => `<lora:${loraTagName(r.modelName!)}:${r.weight}>`);
  if (tags.length > 0) prompt = [prompt, tags.join(' ')].filter(Boolean).join(prompt.endsWith('\n') ? '' : ' ');
  const lines: string[] = [];
  if (prompt) lines.push(prompt);
  if (recipe.negativePrompt) lines.push(`Negative prompt: ${recipe.negativePrompt}`);
  const checkpoint = recipe.resources.find((r) => r.type === 'CHECKPOINT');
  const vae = recipe.resources.find((r) => r.type === 'VAE');
  const embeddings = recipe.resources.filter((r) => r.type === 'EMBEDDING' && r.modelName && hashOf(r));
  const hashed = loras.filter((r) => hashOf(r));
  const fields: Array<readonly [string, string | number | null | undefined]> = [
    ['Steps', recipe.steps],
    ['Sampler', recipe.sampler],
    ['Schedule type', recipe.scheduler],
    ['CFG scale', recipe.cfgScale],
    ['Seed', recipe.seed],
    ['Size', recipe.width !== null && recipe.height !== null ? `${recipe.width}x${recipe.height}` : null],
    ['Model hash', checkpoint ? hashOf(checkpoint) : null],
    ['Model', checkpoint?.modelName],
    ['VAE hash', vae ? hashOf(vae) : null],
    ['VAE', recipe.vae],
    ['Clip skip', recipe.clipSkip],
    ['Denoising strength', recipe.denoise],
    ['Hires upscale', recipe.hires?.upscale],
    ['Hires steps', recipe.hires?.steps],
    ['Hires upscaler', recipe.hires?.upscaler],
    ['Lora hashes', hashed.length > 0 ? hashed.map((r) => `${r.modelName}: ${hashOf(r)}`).join(', ') : null],
    ['TI hashes', embeddings.length > 0 ? embeddings.map((r) => `${r.modelName}: ${hashOf(r)}`).join(', ') : null],
  ];
  const known = (entry: readonly [string, unknown]) => entry[1] !== null && entry[1] !== undefined && entry[1] !== '';
  const written = new Set(fields.filter(known).map(([key]) => key.toLowerCase()));
  const line = [...fields, ...extra.filter(([key]) => !written.has(key.toLowerCase()))]
    .filter(known)
    .map(([k, v]) => `${k}: ${quote(String(v))}`)
    .join(', ');
  if (line) lines.push(line);
  return lines.join('\n');
}
