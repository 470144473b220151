// Presentation helpers for works on pages (framework-free, so they are unit-testable).
import { hotScore } from '../core/domain/hot-score.ts';
import type { SnapshotImage, SnapshotWork } from '../core/snapshot/schema.ts';
import { captionFromPrompt } from '../core/text/prompt-text.ts';

/**
 * The title to show: the Chinese/original title, else the English one, else a caption from the prompt
 * (its first phrases past the quality boilerplate), else 无题.
 */
export function displayTitle(work: Pick<SnapshotWork, 'title' | 'titleEn'> & { prompt?: string | null }): string {
  return work.title?.trim() || work.titleEn?.trim() || captionFromPrompt(work.prompt) || '无题';
}

/** Whether a work is listed (grids, feeds, search): one with no image has nothing to show there; its page stays. */
export function isListed(work: Pick<SnapshotWork, 'images'>): boolean {
  return work.images.length > 0;
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
export function modelPath(id: string): string {
  return `/model/${encodeURIComponent(id)}`;
}

export function loraPath(id: string): string {
  return `/lora/${encodeURIComponent(id)}`;
}

type Dated = Pick<SnapshotWork, 'id' | 'publishedAt'>;

/** publishedAt in ms since the epoch; works without a date count as the oldest. */
function publishedTime(work: Dated): number {
  return work.publishedAt === null ? -Infinity : Date.parse(work.publishedAt);
}

function compareTimesNewestFirst(aTime: number, aId: string, bTime: number, bId: string): number {
  if (aTime !== bTime) return bTime > aTime ? 1 : -1;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

/** Newest first by publishedAt (works without a date last), then by id for a stable order. */
export function compareNewestFirst(a: Dated, b: Dated): number {
  return compareTimesNewestFirst(publishedTime(a), a.id, publishedTime(b), b.id);
}

/**
 * `works` in compareNewestFirst's order, each date parsed once: a comparator that parses both dates runs
 * Date.parse twice per comparison, n log n times over the whole catalogue.
 */
export function sortNewestFirst<W extends Dated>(works: readonly W[]): W[] {
  return works
    .map((work) => ({ work, time: publishedTime(work) }))
    .sort((a, b) => compareTimesNewestFirst(a.time, a.work.id, b.time, b.work.id))
    .map(({ work }) => work);
}

/** The image a card shows: the first by index, preferring its thumbnail. */
export function coverImage(work: Pick<SnapshotWork, 'images'>) {
  const first = sortedImages(work)[0];
  if (!first) return null;
  // A video's picture is its poster frame; without one there is nothing an <img> can show.
  const src = first.video ? first.thumbUrl : (first.thumbUrl ?? first.url);
  if (!src) return null;
  return { src, srcset: imageSrcset(first), width: first.width, height: first.height };
}

/** The cover's clip when the work is a video: the muted preview for cards and the full clip for its page. */
export function coverVideo(work: Pick<SnapshotWork, 'images'>) {
  const first = sortedImages(work)[0];
  if (!first?.video) return null;
  return { src: first.url, contentType: first.video.contentType, previewUrl: first.video.previewUrl, poster: first.thumbUrl, width: first.width, height: first.height };
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

/** Beijing has kept UTC+8 without daylight saving since 1992 (before, Intl knows the rules). */
const BEIJING_FIXED_FROM = Date.UTC(1992, 0, 1);
const BEIJING_OFFSET_MS = 8 * 3600_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * `2025/01/02 08:30` in Beijing time: what `dateTime` formats, computed directly from the fixed offset for
 * dates since 1992 (an artwork page formats a date per comment; Intl costs microseconds a call).
 */
export function formatDateTime(iso: string): string {
  const time = Date.parse(iso);
  if (!(time >= BEIJING_FIXED_FROM && time < Date.UTC(10000, 0, 1))) return dateTime.format(new Date(iso));
  const local = new Date(time + BEIJING_OFFSET_MS);
  return `${local.getUTCFullYear()}/${pad2(local.getUTCMonth() + 1)}/${pad2(local.getUTCDate())} ${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}`;
}

/** JSON for a `<script type="application/ld+json">`, safe against `</script>` in the data. */
export function jsonLd(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

type Reacted = Pick<SnapshotWork, 'publishedAt' | 'likeCount' | 'favoriteCount'>;

/** The work's hot score: the server's formula (src/core/domain/hot-score.ts) over the snapshot's date and counts. */
export function workHotScore(work: Reacted): number {
  return hotScore(work.publishedAt === null ? null : new Date(work.publishedAt), { likes: work.likeCount, favorites: work.favoriteCount });
}

/** Hot order: highest hot score first; ties newest first. */
export function compareHot(a: SnapshotWork, b: SnapshotWork): number {
  const diff = workHotScore(b) - workHotScore(a);
  return diff !== 0 ? diff : compareNewestFirst(a, b);
}

/**
 * compareHot's order of works already sorted newest first, each score computed once: the sort is stable,
 * so ties keep that order without comparing dates again.
 */
export function sortHot<W extends Reacted>(newestFirst: readonly W[]): W[] {
  return newestFirst
    .map((work) => ({ work, score: workHotScore(work) }))
    .sort((a, b) => b.score - a.score)
    .map(({ work }) => work);
}

/** Likes + favorites on the source: the count a card shows next to ♥. */
export function reactionTotal(work: Pick<SnapshotWork, 'likeCount' | 'favoriteCount'>): number {
  return work.likeCount + work.favoriteCount;
}

/** The work's images in their order on the source. */
export function sortedImages(work: Pick<SnapshotWork, 'images'>): SnapshotWork['images'] {
  return [...work.images].sort((a, b) => a.index - b.index);
}

/**
 * Ingest names thumbnails `thumbs/<configured width>/…` and never upscales, so the width a thumbnail
 * answers for is in its URL: how snapshots without `thumbs` are read. Unknown layout: assume the grid width.
 */
const THUMB_WIDTH_IN_URL = /\/thumbs\/(\d+)\//;
const DEFAULT_THUMB_WIDTH = 320;

type SrcsetImage = Pick<SnapshotImage, 'url' | 'thumbUrl' | 'width'> & { thumbs?: SnapshotImage['thumbs']; video?: SnapshotImage['video'] };

/**
 * `srcset` for one image: every stored thumbnail and the original, by pixel width. Null when there is no
 * choice to offer (no thumbnail narrower than the original, or unknown widths): a lone candidate only makes
 * the browser rescale the image by its `w` descriptor.
 */
export function imageSrcset(image: SrcsetImage): string | null {
  // A video's url is the clip, never an image candidate.
  if (!image.width || image.video) return null;
  const original = image.width;
  const stored = image.thumbs?.length
    ? image.thumbs
    : image.thumbUrl
      ? [{ url: image.thumbUrl, width: Math.min(Number(THUMB_WIDTH_IN_URL.exec(image.thumbUrl)?.[1] ?? DEFAULT_THUMB_WIDTH), original) }]
      : [];
  const candidates = new Map<number, string>();
  for (const thumb of [...stored].sort((a, b) => a.width - b.width)) if (thumb.width < original && !candidates.has(thumb.width)) candidates.set(thumb.width, thumb.url);
  if (candidates.size === 0) return null;
  candidates.set(original, image.url);
  return [...candidates].map(([width, url]) => `${url} ${width}w`).join(', ');
}

/** The aspect ratio a grid lays a work out with, clamped so panoramas and strips stay usable. */
export function layoutRatio(image: { width: number | null; height: number | null } | null): number {
  if (!image?.width || !image.height) return 3 / 4;
  return Math.min(2.2, Math.max(0.5, image.width / image.height));
}

/** A one-line description for meta tags: the prompt (or a fallback), whitespace collapsed, cut at `max` characters. */
export function summarize(text: string | null | undefined, fallback: string, max = 120): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  if (!flat) return fallback;
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}
