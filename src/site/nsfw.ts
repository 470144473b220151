// NSFW handling on the site: which works are blurred by default, and the per-visitor switch that unblurs
// them. The switch lives in localStorage and is applied as a class on <html> before the page paints; with
// no JavaScript the class is never set, so sensitive images stay blurred.
import { NSFW_LEVELS, type SnapshotNsfwLevel } from '../core/snapshot/schema.ts';

/** Levels up to and including this one are shown as they are; anything above is blurred by default. */
const NSFW_BLUR_ABOVE: SnapshotNsfwLevel = 'Soft';

/** localStorage key of the visitor's choice (`1` = show sensitive content). */
export const NSFW_STORAGE_KEY = 'huaku:show-nsfw';
/** The class on <html> that unblurs sensitive images everywhere. */
export const NSFW_SHOW_CLASS = 'show-nsfw';
/** The class on <html> saying scripts run: the switch takes its place from the first paint, so nothing moves when it starts working. */
export const NSFW_SWITCHABLE_CLASS = 'nsfw-switchable';

export function isSensitive(level: SnapshotNsfwLevel): boolean {
  return NSFW_LEVELS.indexOf(level) > NSFW_LEVELS.indexOf(NSFW_BLUR_ABOVE);
}

/**
 * What link previews (og:image, twitter:image) show for a sensitive work: a neutral card, never the
 * original, whatever the visitor's switch says (previews are rendered by other sites, unblurred).
 * public/og-sensitive.png: a grey 1200×630 card with a crossed-out eye, no text.
 */
export const SENSITIVE_SHARE_IMAGE = { url: '/og-sensitive.png', width: 1200, height: 630 } as const;

export interface ShareImage {
  url: string;
  width?: number | undefined;
  height?: number | undefined;
}

/** The preview image of one work: its first image, or the neutral card when the work is sensitive. */
export function shareImageOf(
  level: SnapshotNsfwLevel,
  image: { url: string; thumbUrl?: string | null; width?: number | null; height?: number | null; video?: unknown } | null | undefined,
): ShareImage | undefined {
  if (!image) return undefined;
  if (isSensitive(level)) return SENSITIVE_SHARE_IMAGE;
  // A video's picture is its poster frame (its url is the clip); the poster is a thumbnail, its size unknown here.
  if (image.video) return image.thumbUrl ? { url: image.thumbUrl } : undefined;
  return { url: image.url, width: image.width ?? undefined, height: image.height ?? undefined };
}

/** The preview image of a list: the first cover of a work that is not sensitive (none: no image). */
export function firstShareableCover<W extends { nsfwLevel: SnapshotNsfwLevel }>(works: readonly W[], cover: (work: W) => { src: string } | null): string | undefined {
  for (const work of works) {
    if (isSensitive(work.nsfwLevel)) continue;
    const found = cover(work);
    if (found) return found.src;
  }
  return undefined;
}
