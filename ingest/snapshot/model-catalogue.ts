// One model catalogue across sources (models.json, `/model/<id>`): every checkpoint, LoRA, embedding and
// VAE the works' recipes name, plus the ModelScope LoRAs, grouped into models. A member is one source's
// version of a model (or its name when nothing better is known). Members join a model by, strongest first:
//   hash  the same file: SHA-256, or AutoV2 (its first 10 hex digits), equal;
//   id    the same upstream model on the same source (its versions are one model);
//   name  the same normalized name and type, only when neither side has a hash (weaker: two files with the
//         same name and different hashes stay apart).
// Each member records the method that joined it and the value that matched; the first member is `origin`.
import { createHash } from 'node:crypto';
import type { Recipe, RecipeResource, ResourceType } from '../../src/core/recipe/recipe.ts';
import type { Lora } from '../../src/core/store/store.ts';
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

  /** The resources of one work's recipes (each member counted once per work). */
  addWork(workId: string, source: WorkSource, recipes: ReadonlyArray<Recipe | null | undefined>): void {
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
            sha256: r.sha256, autoV2: r.autoV2 ?? r.sha256?.slice(0, 10) ?? null, pageUrl: pageUrlOf(source, r), downloads: null, likes: null,
            loraId: null, workIds: [], workCount: 0,
          };
          this.#members.set(key, member);
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
    const group = (keyOf: (m: Omit<CatalogueMember, 'method' | 'matched'>) => string | null, method: CatalogueLinkMethod, allowed: (a: string, b: string) => boolean) => {
      const byValue = new Map<string, string>();
      for (const key of keys) {
        const value = keyOf(this.#members.get(key)!);
        if (!value) continue;
        const first = byValue.get(value);
        if (first === undefined) byValue.set(value, key);
        else if (allowed(first, key)) union(first, key, method, value.split('|').pop()!);
      }
    };
    const always = () => true;
    // 1. hash (the same file), 2. the same upstream model, 3. the same name and type, never across different hashes
    group((m) => (m.autoV2 ? `${m.type === 'CHECKPOINT' ? 'c' : 'x'}|${m.autoV2}` : null), 'hash', always);
    group((m) => (m.modelId ? `${m.source}|${m.modelId}` : null), 'id', always);
    group(
      (m) => {
        const name = m.modelName ? normalizeModelName(m.modelName) : '';
        return [...name].length >= MIN_NAME_LENGTH ? `${m.type}|${name}` : null;
      },
      'name',
      (a, b) => {
        const ha = hashesOf.get(find(a)) ?? new Set();
        const hb = hashesOf.get(find(b)) ?? new Set();
        return ha.size === 0 || hb.size === 0 || [...ha].some((h) => hb.has(h));
      },
    );

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
