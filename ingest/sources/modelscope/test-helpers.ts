// Test helpers for the ModelScope source (not used by production code).
import type { TopLora } from './normalize.ts';

/** A minimal valid record. */
export const sampleLora = (id: string, downloads = 1): TopLora => ({
  id, title_cn: '墨韵山水', title_en: id.split('/')[1]!, cover_url: null, cover_local: null, downloads,
  modelscope_url: `https://www.modelscope.cn/models/${id}`, updated_at: '2025-10-17T10:14:57.000Z', author: 'o', avatar: null,
  user_name: null, likes: 0, license: null, tags_cn: [], tags_en: [], base_models: [], trigger_words: [], vision_foundation: null,
  task: 'text-to-image-synthesis', supports_inference: false, model_files: [],
});

/** Every key anywhere in a JSON value. */
export function keysDeep(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysDeep);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysDeep(v)]);
  return [];
}
