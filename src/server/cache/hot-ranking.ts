// The hot ranking (src/core/domain/hot-score.ts) read from the database: the answer when there is no
// Redis or Redis lost hot_rank, and the source hot_rank is rebuilt from.
import { hotScore } from '../../core/domain/hot-score.ts';
import type { Store, Work } from '../../core/store/store.ts';

/** Hot order: higher score first, then the higher (newer) id. */
function compareHot(a: { score: number; id: number }, b: { score: number; id: number }): number {
  return b.score - a.score || b.id - a.id;
}

/** How many of the most-reacted works the database ranking considers besides the newest ones. */
const HOT_CANDIDATES = 2000;

/**
 * The hot ranking straight from the database. Works without reactions rank purely by publish time, so the
 * newest `offset + limit` of them are the only ones that can appear; works with reactions are taken from
 * the HOT_CANDIDATES most liked and most favorited. Exact unless more than HOT_CANDIDATES works have
 * reactions and an old, rarely liked one would outrank the page.
 */
export async function hotIdsFromDatabase(store: Store, offset: number, limit: number): Promise<number[]> {
  const window = offset + limit;
  const [newest, topLikes, topFavorites] = await Promise.all([
    store.works.list({ status: 'published', order: 'newest', limit: window }),
    store.likes.topWorks(HOT_CANDIDATES),
    store.favorites.topWorks(HOT_CANDIDATES),
  ]);
  const byId = new Map<number, Work>(newest.map((w) => [w.id, w]));
  const missing = [...new Set([...topLikes, ...topFavorites].map((t) => t.workId))].filter((id) => !byId.has(id));
  for (const work of await store.works.getMany(missing)) byId.set(work.id, work);
  const published = [...byId.values()].filter((w) => w.status === 'published');
  const ids = published.map((w) => w.id);
  const [likes, favorites] = await Promise.all([store.likes.countByWorks(ids), store.favorites.countByWorks(ids)]);
  return published
    .map((w) => ({ id: w.id, score: hotScore(w.publishedAt, { likes: likes.get(w.id) ?? 0, favorites: favorites.get(w.id) ?? 0 }) }))
    .sort(compareHot)
    .slice(offset, window)
    .map((w) => w.id);
}

/** Every published work with its hot score, page by page (for rebuilding hot_rank). */
export async function* allHotScores(store: Store, pageSize = 1000): AsyncGenerator<Array<{ id: number; score: number }>> {
  let after: { publishedAt: Date | null; id: number } | undefined;
  for (;;) {
    const page = await store.works.list({ status: 'published', order: 'newest', limit: pageSize, after });
    if (page.length === 0) return;
    const ids = page.map((w) => w.id);
    const [likes, favorites] = await Promise.all([store.likes.countByWorks(ids), store.favorites.countByWorks(ids)]);
    yield page.map((w) => ({ id: w.id, score: hotScore(w.publishedAt, { likes: likes.get(w.id) ?? 0, favorites: favorites.get(w.id) ?? 0 }) }));
    const last = page.at(-1)!;
    after = { publishedAt: last.publishedAt, id: last.id };
  }
}
