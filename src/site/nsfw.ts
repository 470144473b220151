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

export function isSensitive(level: SnapshotNsfwLevel): boolean {
  return NSFW_LEVELS.indexOf(level) > NSFW_LEVELS.indexOf(NSFW_BLUR_ABOVE);
}
