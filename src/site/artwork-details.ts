// What an artwork page lists besides its images: the generation parameters as table rows and the models
// it used as links (catalogue LoRAs to their Huaku page, everything else to the source).
import type { SnapshotModelRef, SnapshotParams } from '../core/snapshot/schema.ts';
import { loraPath } from './works.ts';

export interface ParamRow {
  label: string;
  value: string;
  /** Seeds and sizes read better in a monospace font and are often copied. */
  mono?: boolean;
}

/** The known parameters in a fixed order; unknown ones are left out rather than shown as blanks. */
export function paramRows(params: SnapshotParams): ParamRow[] {
  const rows: ParamRow[] = [];
  if (params.sampler) rows.push({ label: '采样器', value: params.sampler });
  if (params.steps !== null) rows.push({ label: '步数', value: String(params.steps) });
  if (params.cfgScale !== null) rows.push({ label: 'CFG', value: String(params.cfgScale) });
  if (params.width && params.height) rows.push({ label: '尺寸', value: `${params.width} × ${params.height}`, mono: true });
  if (params.seed) rows.push({ label: '种子', value: params.seed, mono: true });
  return rows;
}

export const MODEL_TYPE_LABELS: Record<SnapshotModelRef['type'], string> = {
  CHECKPOINT: '基础模型',
  LORA: 'LoRA',
  OTHER: '其他模型',
};

export interface ModelLink {
  type: SnapshotModelRef['type'];
  name: string;
  /** Null when the source gave no page for the model. */
  href: string | null;
  /** The link leaves Huaku (rel=nofollow, opens the source). */
  external: boolean;
  /** The LoRA's weight in the cover image's recipe, when known. */
  weight: number | null;
}

/** Checkpoints first, then LoRAs, then the rest, each in the source's order; duplicates dropped. */
export function modelLinks(models: readonly SnapshotModelRef[]): ModelLink[] {
  const order: SnapshotModelRef['type'][] = ['CHECKPOINT', 'LORA', 'OTHER'];
  const seen = new Set<string>();
  const links: ModelLink[] = [];
  for (const type of order) {
    for (const model of models) {
      const key = `${model.type}:${model.loraId ?? model.name}`;
      if (model.type !== type || seen.has(key)) continue;
      seen.add(key);
      const internal = model.loraId !== null;
      links.push({
        type,
        name: model.name.trim() || '未命名模型',
        href: internal ? loraPath(model.loraId!) : safeHttpUrl(model.url),
        external: !internal,
        weight: model.weight ?? null,
      });
    }
  }
  return links;
}

/** The URL if it is http(s), else null: a source's `javascript:` link must never become an href. */
export function safeHttpUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}
