// What a model page (/model/<id>) and a LoRA page show of the cross-source catalogue.
import { SOURCE_LABELS } from '../core/domain/labels.ts';
import type { SnapshotModel } from '../core/snapshot/schema.ts';

const LINK_METHOD_LABELS: Record<SnapshotModel['members'][number]['method'], string> = {
  origin: '首个来源',
  hash: '文件哈希一致',
  id: '同一上游模型',
  name: '名称与基础模型相同（较弱）',
};

export const MODEL_KIND_LABELS: Record<SnapshotModel['type'], string> = {
  CHECKPOINT: '基础模型', LORA: 'LoRA', EMBEDDING: 'Embedding', VAE: 'VAE', OTHER: '其他模型',
};

export interface MemberRow {
  source: string;
  name: string;
  /** The link method's key (`origin`, `hash`, `id`, `name`) and its label; `weak` marks the name match. */
  methodKey: SnapshotModel['members'][number]['method'];
  method: string;
  weak: boolean;
  matched: string | null;
  hash: string | null;
  baseModel: string | null;
  downloads: string;
  likes: string;
  pageUrl: string | null;
  loraId: string | null;
  workCount: number;
}

const n = (value: number | null) => (value === null ? '—' : value.toLocaleString('zh-CN'));

export function memberRows(model: SnapshotModel): MemberRow[] {
  return model.members.map((m) => ({
    source: SOURCE_LABELS[m.source],
    name: [m.modelName, m.versionName].filter(Boolean).join(' · ') || '未命名',
    methodKey: m.method,
    method: LINK_METHOD_LABELS[m.method],
    weak: m.method === 'name',
    matched: m.matched,
    hash: m.sha256 ?? m.autoV2,
    baseModel: m.baseModel,
    downloads: n(m.downloads),
    likes: n(m.likes),
    pageUrl: m.pageUrl,
    loraId: m.loraId,
    workCount: m.workCount,
  }));
}

/**
 * Works of every member, each once, at most `limit`: taken in turns (each member's newest first), so a
 * much-used member does not crowd the other sources out of the grid.
 */
export function modelWorkIds(model: SnapshotModel, limit = 48): string[] {
  const ids = new Set<string>();
  const longest = Math.max(0, ...model.members.map((m) => m.workIds.length));
  for (let i = 0; i < longest && ids.size < limit; i++) {
    for (const member of model.members) {
      const id = member.workIds[i];
      if (id !== undefined && ids.size < limit) ids.add(id);
    }
  }
  return [...ids];
}
