// Base-model families: upstreams name the same base model many ways ("SDXL 1.0", "SDXL", "Pony",
// "stabilityai/stable-diffusion-xl-base-1.0", "black-forest-labs/FLUX.1-dev", "基础算法 F.1"…). A LoRA only
// loads on a checkpoint of its family, so the /generate form compares families, not names (§11 模型兼容性冲突).
// Pure and zod-free: it runs in the page script.

export type BaseFamily = 'sd15' | 'sd2' | 'sdxl' | 'sd3' | 'flux' | 'qwen-image' | 'hunyuan' | 'kolors' | 'wan';

export const FAMILY_LABELS: Record<BaseFamily, string> = {
  sd15: 'SD 1.5',
  sd2: 'SD 2.x',
  sdxl: 'SDXL',
  sd3: 'SD 3',
  flux: 'FLUX.1',
  'qwen-image': 'Qwen-Image',
  hunyuan: 'HunyuanDiT',
  kolors: 'Kolors',
  wan: 'Wan',
};

// Order matters: the first pattern that matches wins (SDXL-based names such as Pony and Illustrious
// before the generic "sd", FLUX before "f.1").
const PATTERNS: ReadonlyArray<[RegExp, BaseFamily]> = [
  [/flux|\bf\.?1\b|majicflus|基础算法\s*f\.?1/i, 'flux'],
  [/qwen[-_ ]?image/i, 'qwen-image'],
  [/hunyuan/i, 'hunyuan'],
  [/kolors|可图/i, 'kolors'],
  [/\bwan[-_ ]?2|wan[-_ ]?video|\bwan\b/i, 'wan'],
  [/sd[-_ ]?3|stable[-_ ]diffusion[-_ ]3/i, 'sd3'],
  [/sdxl|sd[-_ ]?xl|stable[-_ ]diffusion[-_ ]xl|\bxl\b|pony|illustrious|noobai|基础算法\s*xl/i, 'sdxl'],
  [/sd[-_ ]?2(\.\d)?\b|stable[-_ ]diffusion[-_ ]2|v2[-_]1/i, 'sd2'],
  [/sd[-_ ]?1(\.[45])?\b|stable[-_ ]diffusion[-_ ]v?1|sd15|基础算法\s*v?1\.5/i, 'sd15'],
];

/** The family of a base-model or checkpoint name, or null when the name does not say. */
export function baseFamily(name: string | null | undefined): BaseFamily | null {
  const text = name?.normalize('NFKC').trim();
  if (!text) return null;
  for (const [pattern, family] of PATTERNS) if (pattern.test(text)) return family;
  return null;
}

/** The families of a LoRA's base-model list (a LoRA may name several), without repeats. */
export function familiesOf(names: readonly string[]): BaseFamily[] {
  return [...new Set(names.map(baseFamily).filter((f): f is BaseFamily => f !== null))];
}

export function familyLabel(family: BaseFamily | null): string {
  return family ? FAMILY_LABELS[family] : '未知';
}
