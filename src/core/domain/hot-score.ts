// The hot ranking ("热度") of works, one formula for the static site's /feed/hot and the server's
// /api/feed?order=hot: likes and favorites weighed against age, Reddit's "hot" formula. Age enters as the
// publish time, not as "now − published", so a work's score only changes when its reactions change: the
// server's sorted set never needs periodic rescoring, and the site computes the same score at build time
// from the snapshot's dates and counts with no notion of "now". Newer works start higher, and the log makes
// each tenfold of reactions worth the same head start (HOT_SECONDS_PER_DECADE).

export const HOT_EPOCH_S = 1_704_067_200; // 2024-01-01T00:00:00Z
/** Ten times the reactions are worth this many seconds of recency (12.5 hours). */
export const HOT_SECONDS_PER_DECADE = 45_000;
/** A favorite says more than a like. */
const FAVORITE_WEIGHT = 2;

export interface ReactionCounts {
  likes: number;
  favorites: number;
}

/** The score (higher is hotter), rounded to 1e-7 so every caller and Redis agree on ties. Undated works count as published at HOT_EPOCH_S. */
export function hotScore(publishedAt: Date | null, counts: ReactionCounts): number {
  const votes = counts.likes + FAVORITE_WEIGHT * counts.favorites;
  const seconds = (publishedAt ? publishedAt.getTime() / 1000 : HOT_EPOCH_S) - HOT_EPOCH_S;
  return Math.round((Math.log10(Math.max(1, votes)) + seconds / HOT_SECONDS_PER_DECADE) * 1e7) / 1e7;
}
