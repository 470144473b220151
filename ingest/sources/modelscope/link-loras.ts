// Which work model references (Liblib or Civitai `work_models` rows of type LORA) name one of our LoRAs,
// and how each link was made. Strongest evidence first:
//   id    the reference names the ModelScope id itself (`owner/name`, a modelscope.cn/models/… or
//         modelscope://… URL, or that id as its external id);
//   hash  the reference's external id is a file hash of one of the LoRA's weight files: the full SHA-256,
//         or its first 10 hex digits (A1111's "AutoV2" short hash, what Liblib and Civitai show);
//   name  the reference's model name, normalized (NFKC, case, spaces and punctuation, Liblib's
//         " · version" suffix and a file extension ignored), equals one of the LoRA's names (Chinese
//         title, English name, file name). A name shared by several LoRAs links none (ambiguous).
// Pure matching (`LoraMatcher`) plus a store walk over every reference (`linkLoraReferences`).
import type { Source } from '../../../src/core/domain/enums.ts';
import type { Lora, Store, WorkModel } from '../../../src/core/store/store.ts';
import type { TopLora } from './normalize.ts';

type LinkMethod = 'id' | 'hash' | 'name';

export interface LoraCandidate {
  loraId: number;
  externalId: string;
  names: string[];
  sha256: string[];
}

export type ModelRef = Pick<WorkModel, 'id' | 'workId' | 'modelName' | 'modelUrl' | 'externalModelId'> & { workSource: Source };

export interface LoraLink {
  loraId: number;
  loraExternalId: string;
  workModelId: number;
  workId: number;
  workSource: Source;
  method: LinkMethod;
  /** The value that matched (the id, the hash, or the normalized name). */
  matched: string;
}

/** Shorter normalized names are too generic to link on. */
const MIN_NAME_LENGTH = 4;
const AUTO_V2_LENGTH = 10;

/** NFKC, lowercase, without Liblib's " · version" suffix, a weights-file extension, spaces and punctuation. */
export function normalizeModelName(name: string): string {
  return name
    .normalize('NFKC')
    .split(' · ')[0]!
    .replace(/\.(safetensors|ckpt|pt|bin)$/i, '')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** The ModelScope id a URL or string names, lowercased, or null. */
export function modelScopeIdIn(value: string | null): string | null {
  if (!value) return null;
  const match = /modelscope\.cn\/models\/([^/?#\s]+\/[^/?#\s]+)/i.exec(value) ?? /^modelscope:\/\/([^/?#\s]+\/[^/?#\s]+)/i.exec(value);
  return match ? decodeURIComponent(match[1]!).toLowerCase() : null;
}

function hashIn(value: string | null): string | null {
  const text = value?.trim().toLowerCase() ?? '';
  return /^([0-9a-f]{10}|[0-9a-f]{64})$/.test(text) ? text : null;
}

export function candidateFor(lora: Pick<Lora, 'id' | 'externalId'>, record: TopLora): LoraCandidate {
  const names = [record.title_cn, record.title_en, record.id.split('/').pop() ?? '', ...record.model_files.map((f) => f.name)];
  return {
    loraId: lora.id,
    externalId: lora.externalId,
    names: [...new Set(names.filter(Boolean))],
    sha256: record.model_files.map((f) => f.sha256).filter((h): h is string => Boolean(h)),
  };
}

export class LoraMatcher {
  readonly #byId = new Map<string, LoraCandidate>();
  readonly #byHash = new Map<string, LoraCandidate>();
  readonly #byName = new Map<string, Set<LoraCandidate>>();

  constructor(candidates: readonly LoraCandidate[]) {
    for (const candidate of candidates) {
      this.#byId.set(candidate.externalId.toLowerCase(), candidate);
      for (const sha of candidate.sha256) {
        this.#byHash.set(sha.toLowerCase(), candidate);
        this.#byHash.set(sha.toLowerCase().slice(0, AUTO_V2_LENGTH), candidate);
      }
      for (const name of candidate.names) {
        const key = normalizeModelName(name);
        if ([...key].length < MIN_NAME_LENGTH) continue;
        const set = this.#byName.get(key) ?? new Set();
        set.add(candidate);
        this.#byName.set(key, set);
      }
    }
  }

  /** The link for one reference, `ambiguous` when its name fits several LoRAs, or null. */
  match(ref: ModelRef): LoraLink | 'ambiguous' | null {
    const link = (candidate: LoraCandidate, method: LinkMethod, matched: string): LoraLink => ({
      loraId: candidate.loraId, loraExternalId: candidate.externalId, workModelId: ref.id, workId: ref.workId, workSource: ref.workSource, method, matched,
    });
    for (const value of [ref.externalModelId, ref.modelName, ref.modelUrl]) {
      const id = modelScopeIdIn(value) ?? (value && /^[^/\s]+\/[^/\s]+$/.test(value.trim()) ? value.trim().toLowerCase() : null);
      const candidate = id ? this.#byId.get(id) : undefined;
      if (candidate) return link(candidate, 'id', candidate.externalId);
    }
    const hash = hashIn(ref.externalModelId);
    const byHash = hash ? this.#byHash.get(hash) : undefined;
    if (byHash && hash) return link(byHash, 'hash', hash);
    const name = normalizeModelName(ref.modelName);
    const byName = this.#byName.get(name);
    if (!byName) return null;
    if (byName.size > 1) return 'ambiguous';
    return link([...byName][0]!, 'name', name);
  }
}

export interface LinkSummary {
  links: LoraLink[];
  /** References whose name fits several LoRAs (left unlinked). */
  ambiguous: number;
  /** LoRA references looked at. */
  scanned: number;
}

/** Walk every LORA reference of Liblib and Civitai works (keyset pages) and match it. */
export async function linkLoraReferences(store: Store, candidates: readonly LoraCandidate[], pageSize = 1000): Promise<LinkSummary> {
  const matcher = new LoraMatcher(candidates);
  const summary: LinkSummary = { links: [], ambiguous: 0, scanned: 0 };
  let afterId = 0;
  for (;;) {
    const refs = await store.works.listModelRefs({ modelType: 'LORA', afterId, limit: pageSize });
    for (const ref of refs) {
      if (ref.workSource !== 'liblib' && ref.workSource !== 'civitai') continue;
      summary.scanned += 1;
      const result = matcher.match(ref);
      if (result === 'ambiguous') summary.ambiguous += 1;
      else if (result) summary.links.push(result);
    }
    if (refs.length < pageSize) return summary;
    afterId = refs[refs.length - 1]!.id;
  }
}
