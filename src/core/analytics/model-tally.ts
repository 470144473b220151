// Counts model references by normalised name: `SDXL 1.0`, ` sdxl 1.0 ` and `sdxl 1.0.safetensors` are one
// model. The name shown is the spelling seen most often.
import type { RankedModel } from './analytics-summary.ts';
import { topByCount } from './rank.ts';

const FILE_EXTENSION = /\.(?:safetensors|ckpt|pt|pth|bin)$/i;

/** The name as shown: whitespace collapsed and trimmed, a model file extension dropped. Empty for a blank name. */
function cleanModelName(name: string): string {
  return name.replace(/\s+/g, ' ').trim().replace(FILE_EXTENSION, '').trim();
}

interface Entry {
  key: string;
  works: number;
  spellings: Map<string, number>;
  loraId: string | null;
}

export class ModelTally {
  readonly #entries = new Map<string, Entry>();

  /** Count one work's references (each distinct model once). */
  addWork(refs: readonly { name: string; loraId?: string | null }[]): void {
    const seen = new Set<string>();
    for (const ref of refs) {
      const name = cleanModelName(ref.name);
      if (name === '') continue;
      const key = name.toLowerCase();
      let entry = this.#entries.get(key);
      if (!entry) {
        entry = { key, works: 0, spellings: new Map(), loraId: null };
        this.#entries.set(key, entry);
      }
      entry.spellings.set(name, (entry.spellings.get(name) ?? 0) + 1);
      entry.loraId ??= ref.loraId ?? null;
      if (seen.has(key)) continue;
      seen.add(key);
      entry.works += 1;
    }
  }

  top(limit: number): RankedModel[] {
    return topByCount(this.#entries.values(), (e) => e.works, (e) => e.key, limit).map((entry) => ({
      name: mostCommonSpelling(entry.spellings),
      works: entry.works,
      loraId: entry.loraId,
    }));
  }
}

function mostCommonSpelling(spellings: Map<string, number>): string {
  return topByCount(spellings.entries(), ([, n]) => n, ([name]) => name, 1)[0]![0];
}
