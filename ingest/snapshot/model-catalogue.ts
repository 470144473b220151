// One model catalogue across sources (models.json, `/model/<id>`): every checkpoint, LoRA, embedding and
// VAE the works' recipes name, plus the ModelScope LoRAs, grouped into models. A member is one source's
// version of a model (or its name when nothing better is known), with its base model and its counts there
// (from the works' model references: Civitai's version stats; ModelScope's LoRA counts). Members join a
// model by, strongest first:
//   hash  the same file: SHA-256, or AutoV2 (its first 10 hex digits), equal;
//   id    the same upstream model on the same source (its versions are one model);
//   name  the same normalized name, type and base model (weaker: a model without a hash joins the one
//         hashed model of that name, so two files with the same name and different hashes stay apart; a
//         member whose base model is unknown never links by name).
// Each member records the method that joined it and the value that matched; the first member is `origin`.
import { createHash } from 'node:crypto';
import type { Recipe, RecipeResource, ResourceType } from '../../src/core/recipe/recipe.ts';
import type { Lora, WorkModel } from '../../src/core/store/store.ts';
import type { WorkSource } from '../../src/core/snapshot/schema.ts';
import { normalizeModelName } from '../sources/modelscope/link-loras.ts';

export type CatalogueLinkMethod = 'origin' | 'hash' | 'id' | 'name';

export interface CatalogueMember {
  source: WorkSource;
  type: ResourceType;
  modelName: string | null;
  versionName: string | null;
  modelId: string | null;
  versionId: string | null;
  sha256: string | null;
  autoV2: string | null;
  /** As the source names it ("SDXL 1.0", "F.1", "SD_1_5"); compared through comparableBaseModel. */
  baseModel: string | null;
  pageUrl: string | null;
  downloads: number | null;
  likes: number | null;
  /** The catalogue LoRA (`/lora/<id>`) this member is. */
  loraId: string | null;
  method: CatalogueLinkMethod;
  matched: string | null;
  /** Works using this member (ids, newest first, at most MAX_WORK_IDS) and how many in all. */
  workIds: string[];
  workCount: number;
}

export interface CatalogueModel {
  id: string;
  type: ResourceType;
  name: string;
  members: CatalogueMember[];
}

const MAX_WORK_IDS = 24;
const MIN_NAME_LENGTH = 4;

/** What a work's model reference (work_models) adds to the resource of the same version: base model and counts. */
export type ReferenceFacts = Pick<WorkModel, 'externalModelId' | 'baseModel' | 'downloads' | 'likes'>;

/**
 * One spelling per base-model family, so sources compare: Civitai's "SDXL 1.0", Liblib's "SDXL" and
 * ModelScope's "SDXL" are `sdxl`; "Flux.1 D", "F.1", "FLUX_1" and "black-forest-labs/FLUX.1-dev" are `flux1`;
 * "SD 1.5", "SD_1_5", "v1.5" are `sd15`. Anything else compares by its letters and digits; empty is unknown.
 */
export function comparableBaseModel(name: string | null | undefined): string | null {
  const text = (name ?? '').normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  if (!text) return null;
  if (text.includes('flux') || /^f1/.test(text)) return 'flux1';
  if (text.includes('pony')) return 'pony';
  if (/sd35|^v35/.test(text)) return 'sd35';
  if (text.includes('xl')) return 'sdxl';
  if (/sd15|^v15|^sd1$/.test(text)) return 'sd15';
  if (/sd2|^v2/.test(text)) return 'sd2';
  if (/sd3|^v3$/.test(text)) return 'sd3';
  return text;
}

const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Where a member's page is on its source. */
function pageUrlOf(source: WorkSource, r: Pick<RecipeResource, 'modelId' | 'versionId'>): string | null {
  if (source === 'civitai' && r.modelId) return `https://civitai.com/models/${encodeURIComponent(r.modelId)}${r.versionId ? `?modelVersionId=${encodeURIComponent(r.versionId)}` : ''}`;
  if (source === 'liblib' && r.modelId) return `https://www.liblib.art/modelinfo/${encodeURIComponent(r.modelId)}${r.versionId ? `?versionUuid=${encodeURIComponent(r.versionId)}` : ''}`;
  return null;
}

/** The key a member is known by: its version on its source, else its file hash, else its name. */
function memberKey(source: WorkSource, r: Pick<RecipeResource, 'type' | 'versionId' | 'modelId' | 'autoV2' | 'modelName'>): string | null {
  if (r.versionId) return `${source}|v|${r.versionId}`;
  if (r.modelId) return `${source}|m|${r.modelId}`;
  if (r.autoV2) return `${source}|h|${r.autoV2}`;
  const name = r.modelName ? normalizeModelName(r.modelName) : '';
  return [...name].length >= MIN_NAME_LENGTH ? `${source}|n|${r.type}|${name}` : null;
}

export class ModelCatalogueBuilder {
  readonly #members = new Map<string, Omit<CatalogueMember, 'method' | 'matched'>>();

  /**
   * The resources of one work's recipes (each member counted once per work), with what the work's model
   * references say of the same version (matched by upstream id): base model and counts (the highest seen).
   */
  addWork(workId: string, source: WorkSource, recipes: ReadonlyArray<Recipe | null | undefined>, refs: readonly ReferenceFacts[] = []): void {
    const seen = new Set<string>();
    for (const recipe of recipes) {
      for (const r of recipe?.resources ?? []) {
        if (r.type === 'OTHER') continue;
        const key = memberKey(source, r);
        if (!key || seen.has(key)) continue;
        seen.add(key);
        let member = this.#members.get(key);
        if (!member) {
          member = {
            source, type: r.type, modelName: r.modelName, versionName: r.versionName, modelId: r.modelId, versionId: r.versionId,
            sha256: r.sha256, autoV2: r.autoV2 ?? r.sha256?.slice(0, 10) ?? null, baseModel: null, pageUrl: pageUrlOf(source, r), downloads: null, likes: null,
            loraId: null, workIds: [], workCount: 0,
          };
          this.#members.set(key, member);
        }
        const upstreamId = r.versionId ?? r.modelId;
        const ref = upstreamId === null ? undefined : refs.find((x) => x.externalModelId === upstreamId);
        if (ref) {
          member.baseModel ??= ref.baseModel;
          member.downloads = maxOf(member.downloads, ref.downloads);
          member.likes = maxOf(member.likes, ref.likes);
        }
        member.sha256 ??= r.sha256;
        member.autoV2 ??= r.autoV2 ?? r.sha256?.slice(0, 10) ?? null;
        member.workCount += 1;
        if (member.workIds.length < MAX_WORK_IDS) member.workIds.push(workId);
      }
    }
  }

  /** A catalogue LoRA (ModelScope) with its weight files: one member per file hash, or by name without files. */
  addLora(lora: Lora, workIds: readonly string[]): void {
    const files = (lora.files ?? []).filter((f) => f.sha256 || f.autoV2);
    const base = {
      source: lora.source, type: 'LORA' as const, modelName: lora.titleCn || lora.titleEn, versionName: null, modelId: lora.externalId, versionId: null,
      baseModel: [...(lora.baseModels ?? []), lora.visionFoundation].find((b) => comparableBaseModel(b) !== null) ?? null,
      pageUrl: lora.pageUrl, downloads: lora.downloads, likes: lora.likes, loraId: String(lora.id), workIds: [...workIds], workCount: workIds.length,
    };
    const first = files[0];
    this.#members.set(`${lora.source}|m|${lora.externalId}`, { ...base, sha256: first?.sha256 ?? null, autoV2: first?.autoV2 ?? first?.sha256?.slice(0, 10) ?? null });
  }

  build(): { models: CatalogueModel[]; linkCounts: Record<CatalogueLinkMethod, number> } {
    const keys = [...this.#members.keys()].sort();
    const parent = new Map(keys.map((k) => [k, k]));
    const find = (k: string): string => {
      let root = k;
      while (parent.get(root) !== root) root = parent.get(root)!;
      parent.set(k, root);
      return root;
    };
    const how = new Map<string, { method: CatalogueLinkMethod; matched: string }>();
    const hashesOf = new Map<string, Set<string>>(); // root → the AutoV2 hashes its members carry
    // Every key but the final roots becomes a child exactly once: that is where its link is recorded.
    const union = (a: string, b: string, method: CatalogueLinkMethod, matched: string): boolean => {
      const ra = find(a);
      const rb = find(b);
      if (ra === rb) return false;
      const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
      parent.set(child, root);
      const merged = new Set([...(hashesOf.get(root) ?? []), ...(hashesOf.get(child) ?? [])]);
      hashesOf.set(root, merged);
      if (!how.has(child)) how.set(child, { method, matched });
      return true;
    };
    for (const key of keys) {
      const h = this.#members.get(key)!.autoV2;
      hashesOf.set(key, new Set(h ? [h] : []));
    }
    // Members sharing a value join the first one (`matched` is the value without its prefix).
    const group = (keyOf: (m: Omit<CatalogueMember, 'method' | 'matched'>) => string | null, method: CatalogueLinkMethod) => {
      const byValue = new Map<string, string>();
      for (const key of keys) {
        const value = keyOf(this.#members.get(key)!);
        if (!value) continue;
        const first = byValue.get(value);
        if (first === undefined) byValue.set(value, key);
        else union(first, key, method, value.slice(value.indexOf('|') + 1));
      }
    };
    // 1. hash (the same file), 2. the same upstream model
    group((m) => (m.autoV2 ? `${m.type === 'CHECKPOINT' ? 'c' : 'x'}|${m.autoV2}` : null), 'hash');
    group((m) => (m.modelId ? `${m.source}|${m.modelId}` : null), 'id');
    // 3. the same name, type and base model. Models with a hash are different files when hashes differ (they
    // would have joined by hash otherwise), so they never join each other by name; a model without one joins
    // the only hashed model of that name, or the other unhashed ones when none has a hash, and none when
    // several do (which one it is cannot be told, as with LoRA references in link-loras.ts).
    const byName = new Map<string, string[]>();
    for (const key of keys) {
      const m = this.#members.get(key)!;
      const name = m.modelName ? normalizeModelName(m.modelName) : '';
      const base = comparableBaseModel(m.baseModel);
      if (!base || [...name].length < MIN_NAME_LENGTH) continue;
      const value = `${m.type}|${name} @ ${base}`;
      byName.set(value, [...(byName.get(value) ?? []), key]);
    }
    for (const [value, members] of byName) {
      const roots = [...new Set(members.map(find))];
      const hashed = roots.filter((root) => (hashesOf.get(root)?.size ?? 0) > 0);
      if (hashed.length > 1) continue;
      const target = hashed[0] ?? roots[0]!;
      for (const root of roots) if (root !== target) union(target, root, 'name', value.slice(value.indexOf('|') + 1));
    }

    const clusters = new Map<string, string[]>();
    for (const key of keys) {
      const root = find(key);
      const list = clusters.get(root);
      if (list) list.push(key);
      else clusters.set(root, [key]);
    }
    const linkCounts: Record<CatalogueLinkMethod, number> = { origin: 0, hash: 0, id: 0, name: 0 };
    const models: CatalogueModel[] = [];
    for (const [root, members] of clusters) {
      const list = members.map((key) => {
        const link = key === root ? { method: 'origin' as const, matched: null } : how.get(key) ?? { method: 'name' as const, matched: null };
        linkCounts[link.method] += 1;
        return { ...this.#members.get(key)!, ...link };
      });
      // The most used member names the model.
      const main = [...list].sort((a, b) => b.workCount - a.workCount || (a.loraId ? -1 : 1))[0]!;
      models.push({ id: createHash('sha1').update(root).digest('hex').slice(0, 12), type: main.type, name: main.modelName ?? '未命名模型', members: list });
    }
    models.sort((a, b) => total(b) - total(a) || (a.id < b.id ? -1 : 1));
    return { models, linkCounts };
  }
}

const total = (m: CatalogueModel) => m.members.reduce((sum, x) => sum + x.workCount, 0);
