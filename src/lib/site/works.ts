// Presentation helpers for works on pages (framework-free, so they are unit-testable).
import type { SnapshotWork, WorkSource } from '../snapshot/schema.ts';

export const SOURCE_LABELS: Record<WorkSource, string> = {
  liblib: 'Liblib',
  civitai: 'Civitai',
  modelscope: 'ModelScope',
  community: '社区',
};

/** The title to show: the Chinese/original title, else the English one, else 无题. */
export function displayTitle(work: Pick<SnapshotWork, 'title' | 'titleEn'>): string {
  return work.title?.trim() || work.titleEn?.trim() || '无题';
}

/** `/artwork/<id>/<slug>`: the work's canonical page. */
export function workPath(work: Pick<SnapshotWork, 'id' | 'slug'>): string {
  return `/artwork/${encodeURIComponent(work.id)}/${encodeURIComponent(work.slug)}`;
}

/** `/user/<username>`: an author's or community user's page. */
export function userPath(username: string): string {
  return `/user/${encodeURIComponent(username)}`;
}

/** `/lora/<id>`: a catalogue LoRA's page. */
export function loraPath(id: string): string {
  return `/lora/${encodeURIComponent(id)}`;
}

/** Newest first by publishedAt (works without a date last), then by id for a stable order. */
export function compareNewestFirst(a: SnapshotWork, b: SnapshotWork): number {
  if (a.publishedAt !== b.publishedAt) {
    if (a.publishedAt === null) return 1;
    if (b.publishedAt === null) return -1;
    const diff = Date.parse(b.publishedAt) - Date.parse(a.publishedAt);
    if (diff !== 0) return diff;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The image a card shows: the first by index, preferring its thumbnail. */
export function coverImage(work: Pick<SnapshotWork, 'images'>) {
  const first = [...work.images].sort((a, b) => a.index - b.index)[0];
  if (!first) return null;
  return { src: first.thumbUrl ?? first.url, width: first.width, height: first.height };
}

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** `2025/01/02 08:30` in Beijing time. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** JSON for a `<script type="application/ld+json">`, safe against `</script>` in the data. */
export function jsonLd(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}
