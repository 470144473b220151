// Presentation helpers for Top-LoRAs, shared by the pages (build time) and their scripts (browser).
// Framework-free and zod-free (type imports only), so a page script that imports it stays small.
import type { SnapshotLora } from '../snapshot/schema.ts';
import { searchText, type GalleryItem } from './gallery-query.ts';

/** The placeholder shown for a missing cover or one that fails to load (a real file, never base64). */
export const COVER_PLACEHOLDER = '/images/lora-cover-placeholder.svg';
/** The placeholder's intrinsic size: the card's cover ratio (4:5). */
export const COVER_PLACEHOLDER_SIZE = { width: 400, height: 500 } as const;

/** ModelScope task names in Chinese; an unknown task shows its own name. */
const TASK_LABELS: Record<string, string> = {
  'text-to-image-synthesis': '文生图',
  'image-to-image-generation': '图生图',
  'image-to-video': '图生视频',
  'text-to-video-synthesis': '文生视频',
};
/** The filter value and label of LoRAs without a task. */
export const NO_TASK = 'none';

export function taskLabel(task: string | null): string {
  if (task === null || task === NO_TASK) return '未分类';
  return TASK_LABELS[task] ?? task;
}

/** The title to show: Chinese, else English, else the ModelScope id. */
export function loraTitle(lora: Pick<SnapshotLora, 'titleCn' | 'titleEn' | 'externalId'>): string {
  return lora.titleCn?.trim() || lora.titleEn?.trim() || lora.externalId;
}

/** The English title when it adds something to the displayed one. */
export function loraSubtitle(lora: Pick<SnapshotLora, 'titleCn' | 'titleEn' | 'externalId'>): string | null {
  const en = lora.titleEn?.trim();
  return en && en !== loraTitle(lora) ? en : null;
}

/** `/lora/<id>`: the LoRA's page. */
export function loraPath(lora: Pick<SnapshotLora, 'id'>): string {
  return `/lora/${encodeURIComponent(lora.id)}`;
}

/**
 * The tags a LoRA is shown and filtered by: ModelScope's Chinese tags when it has any (the UI is zh-CN),
 * else the English ones. The two lists are not aligned pairs, so mixing them would list 写实摄影 and
 * Photography as two tags; search still matches both.
 */
export function displayTags(lora: Pick<SnapshotLora, 'tagsCn' | 'tagsEn'>): string[] {
  return lora.tagsCn.length > 0 ? lora.tagsCn : lora.tagsEn;
}

/** The image a card shows: the thumbnail when there is one, else the cover, else the placeholder. */
export function cardCover(lora: Pick<SnapshotLora, 'coverUrl' | 'coverThumbUrl' | 'coverWidth' | 'coverHeight'>): {
  src: string;
  width: number;
  height: number;
  placeholder: boolean;
} {
  const src = lora.coverUrl ? (lora.coverThumbUrl ?? lora.coverUrl) : null;
  if (!src) return { src: COVER_PLACEHOLDER, ...COVER_PLACEHOLDER_SIZE, placeholder: true };
  return {
    src,
    width: lora.coverWidth ?? COVER_PLACEHOLDER_SIZE.width,
    height: lora.coverHeight ?? COVER_PLACEHOLDER_SIZE.height,
    placeholder: false,
  };
}

const compact = new Intl.NumberFormat('zh-CN', { notation: 'compact', maximumFractionDigits: 1 });

/** 12345 → 1.2万: counts on cards. */
export function formatCount(value: number): string {
  return compact.format(value);
}

/** The gallery's index entry for a LoRA (what search, filters and sort read). */
export function toGalleryItem(lora: SnapshotLora): GalleryItem {
  return {
    id: lora.id,
    text: searchText([lora.titleCn, lora.titleEn, lora.externalId, lora.author, lora.tagsCn, lora.tagsEn, lora.triggerWords, lora.baseModels]),
    task: lora.task ?? NO_TASK,
    baseModels: lora.baseModels,
    tags: displayTags(lora),
    downloads: lora.downloads,
    likes: lora.likes,
    updated: lora.updatedAt ? Date.parse(lora.updatedAt) : 0,
  };
}
