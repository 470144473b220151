// Like and favorite, framework-free, shared by the React buttons of the on-demand pages
// (ReactionButtons.tsx) and the vanilla reaction bar of the prerendered artwork page
// (../artwork/reaction-bar.astro, which must not pull in React's runtime).
//  - readLiveReactions: the live state of a prerendered artwork, read in the browser: the static page cannot
//    know the counts or what this visitor liked, so it asks the community API and falls back to disabled
//    buttons with a reason when it cannot answer (static hosting without the server, a work the server's
//    database does not hold, an outage).
//  - toggleReaction: one click, optimistic: the count and highlight change at once, the request follows, and
//    an error puts the previous state back and says why in a toast. Anonymous visitors are sent to log in.
import { ApiCallError, callApi, goToLogin } from './api.ts';
import { toast } from './toast.ts';

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

export type ReactionKind = 'like' | 'favorite';

export interface ReactionCounts {
  liked: boolean;
  favorited: boolean;
  likeCount: number;
  favoriteCount: number;
}

/** Icon and label of each button, pressed (on) and not. */
export const REACTION_LOOKS = {
  like: { on: ['♥', '已赞'], off: ['♡', '点赞'] },
  favorite: { on: ['★', '已收藏'], off: ['☆', '收藏'] },
} as const;

/** Shown (disabled buttons, no counts) until the live state is known. */
export const REACTION_LOADING = '正在读取点赞与收藏…';

export interface ToggleContext {
  artworkId: number;
  signedIn: boolean;
  /** The state the click acted on. */
  current: ReactionCounts;
  /** Apply a change to the latest state (React's functional setState, or a plain variable and a repaint). */
  update: (change: (state: ReactionCounts) => ReactionCounts) => void;
  /** Requests in flight per kind, kept across clicks: a second click while one is pending is ignored. */
  pending: Record<ReactionKind, boolean>;
}

export async function toggleReaction(kind: ReactionKind, context: ToggleContext): Promise<void> {
  const { artworkId, signedIn, current, update, pending } = context;
  if (!signedIn) {
    toast('登录后才能点赞和收藏', 'info');
    goToLogin();
    return;
  }
  if (pending[kind]) return;
  pending[kind] = true;
  const previous = current;
  const on = kind === 'like' ? !current.liked : !current.favorited;
  update((s) =>
    kind === 'like'
      ? { ...s, liked: on, likeCount: Math.max(0, s.likeCount + (on ? 1 : -1)) }
      : { ...s, favorited: on, favoriteCount: Math.max(0, s.favoriteCount + (on ? 1 : -1)) },
  );
  try {
    const method = on ? 'POST' : 'DELETE';
    if (kind === 'like') {
      const result = await callApi<{ like_count: number; isLiked: boolean }>(`/api/artworks/${artworkId}/like`, { method, json: {} });
      update((s) => ({ ...s, liked: result.isLiked, likeCount: result.like_count }));
    } else {
      const result = await callApi<{ is_favorite: boolean; favorite_count: number }>(`/api/artworks/${artworkId}/favorite`, { method, json: {} });
      update((s) => ({ ...s, favorited: result.is_favorite, favoriteCount: result.favorite_count }));
      toast(result.is_favorite ? '已收藏' : '已取消收藏', 'success', 1800);
    }
  } catch (error) {
    update(() => previous);
    const message = error instanceof ApiCallError ? error.message : '操作失败，请重试';
    toast(`${kind === 'like' ? '点赞' : '收藏'}失败：${message}`, 'error');
    if (error instanceof ApiCallError && error.status === 401) goToLogin();
  } finally {
    pending[kind] = false;
  }
}
