// Civitai NSFW levels (docs/upstream.md §1.6): the four names a user filters by, the numeric browsing-level
// flags images carry, and the request parameters that ask for a set of levels.
//
// Decisions:
// - A request sends both `browsingLevel` (the exact bitmask; it overrides `nsfw` on current servers) and
//   the legacy `nsfw` name of the highest level asked for (older deployments), then every returned item
//   is checked again, because the API may return more than asked.
// - An item's level is the stricter of its numeric `browsingLevel` and its `nsfwLevel` string; `Blocked`
//   is never allowed; unknown values (0, missing) count as `None`, as upstream maps them.
import { InvalidInputError } from '../../../src/core/errors.ts';

/** The levels a user filters by, mildest first. */
export const NSFW_LEVELS = ['None', 'Soft', 'Mature', 'X'] as const;
export type NsfwLevel = (typeof NSFW_LEVELS)[number];
/** An image's label as the API reports it (`Blocked` is never downloaded). */
export type ImageNsfwLabel = NsfwLevel | 'Blocked';

/** Numeric browsing-level flags (upstream `NsfwLevel`). */
const BROWSING_LEVEL = { PG: 1, PG13: 2, R: 4, X: 8, XXX: 16, Blocked: 32 } as const;

/** The flags an image of each label may carry (X covers both X and XXX). */
const LEVEL_FLAGS: Record<NsfwLevel, number> = {
  None: BROWSING_LEVEL.PG,
  Soft: BROWSING_LEVEL.PG13,
  Mature: BROWSING_LEVEL.R,
  X: BROWSING_LEVEL.X | BROWSING_LEVEL.XXX,
};

const RANK: Record<ImageNsfwLabel, number> = { None: 0, Soft: 1, Mature: 2, X: 3, Blocked: 4 };

/** The seed's default filter. */
export const DEFAULT_NSFW_FILTER: readonly NsfwLevel[] = ['None', 'Soft'];

/** The `browsingLevel` bitmask that asks for exactly these levels. */
export function browsingLevelFor(levels: readonly NsfwLevel[]): number {
  return levels.reduce((mask, level) => mask | LEVEL_FLAGS[level], 0);
}

/** The query parameters that ask for these levels. */
export function nsfwQuery(levels: readonly NsfwLevel[]): { browsingLevel: number; nsfw: NsfwLevel } {
  if (levels.length === 0) throw new InvalidInputError('NSFW filter: at least one level is needed');
  const highest = [...levels].sort((a, b) => RANK[b] - RANK[a])[0]!;
  return { browsingLevel: browsingLevelFor(levels), nsfw: highest };
}

/** The label of a numeric level (1 PG → None … 16 XXX → X, 32 → Blocked; unknown → None). */
export function labelOfBrowsingLevel(level: number): ImageNsfwLabel {
  if (level & BROWSING_LEVEL.Blocked) return 'Blocked';
  if (level & (BROWSING_LEVEL.X | BROWSING_LEVEL.XXX)) return 'X';
  if (level & BROWSING_LEVEL.R) return 'Mature';
  if (level & BROWSING_LEVEL.PG13) return 'Soft';
  return 'None';
}

const LABELS: ReadonlySet<string> = new Set(['None', 'Soft', 'Mature', 'X', 'Blocked']);

/** An item's label from its `browsingLevel` (number) and `nsfwLevel` (string, or a number on some shapes). */
export function imageNsfwLabel(item: { browsingLevel?: number | null; nsfwLevel?: string | number | null }): ImageNsfwLabel {
  const labels: ImageNsfwLabel[] = [];
  if (typeof item.browsingLevel === 'number') labels.push(labelOfBrowsingLevel(item.browsingLevel));
  if (typeof item.nsfwLevel === 'number') labels.push(labelOfBrowsingLevel(item.nsfwLevel));
  else if (typeof item.nsfwLevel === 'string' && LABELS.has(item.nsfwLevel)) labels.push(item.nsfwLevel as ImageNsfwLabel);
  return labels.reduce<ImageNsfwLabel>((worst, label) => (RANK[label] > RANK[worst] ? label : worst), 'None');
}

export function isAllowedLevel(label: ImageNsfwLabel, levels: readonly NsfwLevel[]): boolean {
  return label !== 'Blocked' && levels.includes(label);
}

const ALIASES: Record<string, NsfwLevel> = {
  none: 'None', pg: 'None', '1': 'None',
  soft: 'Soft', 'pg-13': 'Soft', pg13: 'Soft', '2': 'Soft',
  mature: 'Mature', r: 'Mature', '4': 'Mature',
  x: 'X', xxx: 'X', '8': 'X', '16': 'X',
};

/**
 * "None,Soft" (case-insensitive; PG, PG-13, R, XXX and the numeric flags are accepted too), or "all".
 * Throws InvalidInputError naming the bad value.
 */
export function parseNsfwLevels(text: string): NsfwLevel[] {
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 1 && parts[0]!.toLowerCase() === 'all') return [...NSFW_LEVELS];
  if (parts.length === 0) throw new InvalidInputError(`NSFW levels "${text}": expected a comma list of ${NSFW_LEVELS.join(', ')} (or all)`);
  const levels = new Set<NsfwLevel>();
  for (const part of parts) {
    const level = ALIASES[part.toLowerCase()];
    if (!level) throw new InvalidInputError(`NSFW level "${part}": expected ${NSFW_LEVELS.join(', ')} (or all)`);
    levels.add(level);
  }
  return NSFW_LEVELS.filter((level) => levels.has(level));
}
