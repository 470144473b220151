// The models /generate offers: the snapshot's LoRAs (searched as you type) and checkpoints (the built-in
// presets' and those the snapshot's works used most). Built once at build time into a JSON island; the
// page script searches it. Pure and zod-free.
import type { SnapshotLora, SnapshotWork } from '../../core/snapshot/schema.ts';
import { matchesSearch, searchText } from '../loras/gallery-query.ts';
import { loraTitle } from '../loras/lora-display.ts';
import { baseFamily } from './base-model.ts';
import { BUILTIN_PRESETS } from './presets.ts';
import type { FormCheckpoint } from './form-values.ts';

export interface CatalogueLora {
  id: string;
  name: string;
  /** Provider-facing id (ModelScope `owner/name`). */
  externalId: string;
  baseModels: string[];
  triggerWords: string[];
  suggested: SnapshotLora['suggestedParams'];
  /** Normalized text searched by the picker. */
  text: string;
}

export interface Catalogue {
  loras: CatalogueLora[];
  checkpoints: FormCheckpoint[];
}

export function catalogueLora(lora: SnapshotLora): CatalogueLora {
  const name = loraTitle(lora);
  return {
    id: lora.id,
    name,
    externalId: lora.externalId,
    baseModels: lora.baseModels,
    triggerWords: lora.triggerWords,
    suggested: lora.suggestedParams,
    text: searchText([name, lora.titleEn, lora.externalId, lora.author, lora.tagsCn, lora.tagsEn, lora.triggerWords, lora.baseModels]),
  };
}

/** The checkpoints the snapshot's works used, most used first (at most `limit`), after the presets'. */
export function checkpointCatalogue(works: ReadonlyArray<Pick<SnapshotWork, 'models'>>, limit = 40): FormCheckpoint[] {
  const uses = new Map<string, number>();
  for (const work of works) {
    for (const model of work.models) {
      const name = model.name.trim();
      if (model.type === 'CHECKPOINT' && name) uses.set(name, (uses.get(name) ?? 0) + 1);
    }
  }
  const presets = BUILTIN_PRESETS.flatMap((p) => (p.checkpoint ? [p.checkpoint] : []));
  const known = new Set(presets.map((c) => normalizeName(c.name)));
  const used = [...uses]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .filter(([name]) => !known.has(normalizeName(name)))
    .slice(0, limit)
    .map(([name]): FormCheckpoint => {
      const family = baseFamily(name);
      return { id: name.slice(0, 200), name: name.slice(0, 200), ...(family ? { baseModel: family } : {}) };
    });
  return [...presets, ...used];
}

export function buildCatalogue(loras: readonly SnapshotLora[], works: ReadonlyArray<Pick<SnapshotWork, 'models'>>): Catalogue {
  return { loras: loras.map(catalogueLora), checkpoints: checkpointCatalogue(works) };
}

/** Picker results: LoRAs whose text has every term of the query, in catalogue order. */
export function searchLoras(loras: readonly CatalogueLora[], query: string, limit = 8): CatalogueLora[] {
  if (query.trim() === '') return loras.slice(0, limit);
  return loras.filter((lora) => matchesSearch(lora, query)).slice(0, limit);
}

/** Names compared loosely: case, width and punctuation aside. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[\s._\-·:：()（）[\]]+/g, '');
}

/** A recipe's LoRA reference → the catalogue LoRA: by its link (loraId) first, else by name. */
export function matchLora(loras: readonly CatalogueLora[], ref: { loraId?: string | null; name: string }): CatalogueLora | undefined {
  if (ref.loraId) {
    const linked = loras.find((l) => l.id === ref.loraId);
    if (linked) return linked;
  }
  const wanted = normalizeName(ref.name);
  if (!wanted) return undefined;
  return loras.find((l) => normalizeName(l.name) === wanted || normalizeName(l.externalId) === wanted || normalizeName(l.externalId.split('/').pop() ?? '') === wanted);
}

/** A recipe's checkpoint name → a catalogue checkpoint, or undefined. */
export function matchCheckpoint(checkpoints: readonly FormCheckpoint[], name: string): FormCheckpoint | undefined {
  const wanted = normalizeName(name);
  return checkpoints.find((c) => normalizeName(c.name) === wanted || normalizeName(c.id) === wanted);
}
