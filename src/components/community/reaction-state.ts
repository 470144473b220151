// The live like/favorite state of a prerendered artwork, read in the browser: the static page cannot know
// the counts or what this visitor liked, so the island asks the community API and falls back to disabled
// buttons with a reason when it cannot answer (static hosting without the server, a work the server's
// database does not hold, an outage).

export type LiveReactions =
  | { kind: 'ready'; artworkId: number; likeCount: number; favoriteCount: number; liked: boolean; favorited: boolean; signedIn: boolean }
  | { kind: 'unavailable'; reason: string };

export const REACTION_REASONS = {
  unsupported: '这件作品暂不支持点赞和收藏',
  offline: '互动服务暂不可用，请稍后再试',
} as const;

interface ArtworkAnswer {
  like_count: number;
  favorite_count: number;
  is_liked: boolean;
  is_favorite: boolean;
}

/** The community API's ids are database integers; anything else has no API record to react to. */
const API_ID = /^\d{1,15}$/;

export async function readLiveReactions(id: string, fetchJson: typeof fetch = fetch): Promise<LiveReactions> {
  if (!API_ID.test(id)) return { kind: 'unavailable', reason: REACTION_REASONS.unsupported };
  const get = (path: string) => fetchJson(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  try {
    const [artwork, me] = await Promise.all([get(`/api/artworks/${id}`), get('/api/auth/me')]);
    if (artwork.status === 404) return { kind: 'unavailable', reason: REACTION_REASONS.unsupported };
    if (!artwork.ok || !isJson(artwork)) return { kind: 'unavailable', reason: REACTION_REASONS.offline };
    const data = (await artwork.json()) as Partial<ArtworkAnswer>;
    if (typeof data.like_count !== 'number' || typeof data.favorite_count !== 'number') {
      return { kind: 'unavailable', reason: REACTION_REASONS.offline };
    }
    const user = me.ok && isJson(me) ? ((await me.json()) as { user?: unknown }).user : null;
    return {
      kind: 'ready',
      artworkId: Number(id),
      likeCount: data.like_count,
      favoriteCount: data.favorite_count,
      liked: data.is_liked === true,
      favorited: data.is_favorite === true,
      signedIn: user !== null && user !== undefined,
    };
  } catch {
    return { kind: 'unavailable', reason: REACTION_REASONS.offline };
  }
}

/** A static host answers unknown /api paths with an HTML page (200 or 404): not an API answer. */
function isJson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('application/json');
}
