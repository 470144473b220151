// Presentation helpers for Top-LoRAs, shared by the pages (build time) and their scripts (browser).
// Framework-free and zod-free (type imports only), so a page script that imports it stays small.
import type { SnapshotLora, SnapshotSuggestedParams } from '../../core/snapshot/schema.ts';
import { searchText, type GalleryItem } from './gallery-query.ts';

/** The placeholder shown for a missing cover or one that fails to load (a real file, never base64). */
export const COVER_PLACEHOLDER = '/placeholders/lora-cover.svg';
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
const NO_TASK = 'none';

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

/**
 * The tags a LoRA is shown and filtered by: ModelScope's Chinese tags when it has any (the UI is zh-CN),
 * else the English ones. The two lists are not aligned pairs, so mixing them would list 写实摄影 and
 * Photography as two tags; search still matches both.
 */
export function displayTags(lora: Pick<SnapshotLora, 'tagsCn' | 'tagsEn'>): string[] {
  return lora.tagsCn.length > 0 ? lora.tagsCn : lora.tagsEn;
}

/** The image a card shows: the thumbnail when there is one, else the cover, else the placeholder. */
export function cardCover(lora: Pick<SnapshotLora, 'coverUrl' | 'coverThumbUrl' | 'coverWidth' | 'coverHeight' | 'coverVideo'>): {
  src: string;
  width: number;
  height: number;
  placeholder: boolean;
} {
  // A video cover's picture is its poster: never the clip in an <img>.
  const src = lora.coverUrl ? (lora.coverThumbUrl ?? (lora.coverVideo ? null : lora.coverUrl)) : null;
  if (!src) return { src: COVER_PLACEHOLDER, ...COVER_PLACEHOLDER_SIZE, placeholder: true };
  return {
    src,
    width: lora.coverWidth ?? COVER_PLACEHOLDER_SIZE.width,
    height: lora.coverHeight ?? COVER_PLACEHOLDER_SIZE.height,
    placeholder: false,
  };
}

/** `black-forest-labs/FLUX.1-dev` → `FLUX.1-dev`: ModelScope names base models by repository; cards show the name. */
export function baseModelLabel(baseModel: string): string {
  return baseModel.slice(baseModel.lastIndexOf('/') + 1) || baseModel;
}

const compact = new Intl.NumberFormat('zh-CN', { notation: 'compact', maximumFractionDigits: 1 });

/** 12345 → 1.2万: counts on cards. */
export function formatCount(value: number): string {
  return compact.format(value);
}

/**
 * What the gallery page ships to its script for each LoRA (a JSON island): enough to search, filter, sort
 * and fill the compare panel without reading the cards back from the DOM.
 */
export interface GalleryEntry {
  id: string;
  title: string;
  subtitle: string | null;
  author: string | null;
  task: string;
  baseModels: string[];
  tags: string[];
  /** Searched but not shown: the ModelScope id, the other-language tags, trigger words. */
  keywords: string[];
  downloads: number;
  likes: number;
  /** Epoch ms, 0 when unknown. */
  updated: number;
  cover: string;
  params: SnapshotSuggestedParams;
}

export function galleryEntry(lora: SnapshotLora): GalleryEntry {
  const tags = displayTags(lora);
  return {
    id: lora.id,
    title: loraTitle(lora),
    subtitle: loraSubtitle(lora),
    author: lora.author,
    task: lora.task ?? NO_TASK,
    baseModels: lora.baseModels,
    tags,
    keywords: [lora.externalId, ...[...lora.tagsCn, ...lora.tagsEn].filter((t) => !tags.includes(t)), ...lora.triggerWords],
    downloads: lora.downloads,
    likes: lora.likes,
    updated: lora.updatedAt ? Date.parse(lora.updatedAt) : 0,
    cover: cardCover(lora).src,
    params: lora.suggestedParams,
  };
}

/** The search index entry of a gallery entry. */
export function toGalleryItem(entry: GalleryEntry): GalleryItem {
  return {
    id: entry.id,
    text: searchText([entry.title, entry.subtitle, entry.author, entry.tags, entry.keywords, entry.baseModels]),
    task: entry.task,
    baseModels: entry.baseModels,
    tags: entry.tags,
    downloads: entry.downloads,
    likes: entry.likes,
    updated: entry.updated,
  };
}
