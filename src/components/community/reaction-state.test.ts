import { afterEach, describe, expect, it, vi } from 'vitest';
import { readLiveReactions, REACTION_REASONS, toggleReaction, type ReactionCounts, type ReactionKind } from './reaction-state.ts';
import { toast } from './toast.ts';

vi.mock('./toast.ts', () => ({ toast: vi.fn() }));

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function fakeFetch(routes: Record<string, () => Response>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const route = routes[String(input)];
    if (!route) throw new TypeError('fetch failed');
    return route();
  }) as typeof fetch;
}

describe('readLiveReactions', () => {
  it('reads the counts and the visitor state from the API', async () => {
    const state = await readLiveReactions('42', fakeFetch({
      '/api/artworks/42': () => json({ like_count: 3, favorite_count: 1, is_liked: true, is_favorite: false }),
      '/api/auth/me': () => json({ user: { name: '小画' } }),
    }));
    expect(state).toEqual({ kind: 'ready', artworkId: 42, likeCount: 3, favoriteCount: 1, liked: true, favorited: false, signedIn: true });
  });

  it('is signed out when /api/auth/me has no user', async () => {
    const state = await readLiveReactions('42', fakeFetch({
      '/api/artworks/42': () => json({ like_count: 0, favorite_count: 0, is_liked: false, is_favorite: false }),
      '/api/auth/me': () => json({ user: null }),
    }));
    expect(state).toMatchObject({ kind: 'ready', signedIn: false });
  });

  it('is unavailable, with a reason, for ids the API cannot hold, unknown works, outages and static hosts', async () => {
    const never = fakeFetch({});
    expect(await readLiveReactions('liblib-1', never)).toEqual({ kind: 'unavailable', reason: REACTION_REASONS.unsupported });
    expect(await readLiveReactions('42', never)).toEqual({ kind: 'unavailable', reason: REACTION_REASONS.offline });
    const me = () => json({ user: null });
    expect(await readLiveReactions('42', fakeFetch({ '/api/artworks/42': () => json({ error: {} }, 404), '/api/auth/me': me })))
      .toEqual({ kind: 'unavailable', reason: REACTION_REASONS.unsupported });
    expect(await readLiveReactions('42', fakeFetch({ '/api/artworks/42': () => json({ error: {} }, 503), '/api/auth/me': me })))
      .toEqual({ kind: 'unavailable', reason: REACTION_REASONS.offline });
    const html = () => new Response('<!doctype html>', { status: 200, headers: { 'content-type': 'text/html' } });
    expect(await readLiveReactions('42', fakeFetch({ '/api/artworks/42': html, '/api/auth/me': html })))
      .toEqual({ kind: 'unavailable', reason: REACTION_REASONS.offline });
  });
});

describe('toggleReaction', () => {
  const location = { href: 'http://site/artwork/42/x', pathname: '/artwork/42/x', search: '' };
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.mocked(toast).mockReset();
  });

  /** A plain-variable host, like the reaction bar: every state it painted, in order. */
  function host(initial: ReactionCounts, signedIn = true) {
    let state = initial;
    const painted: ReactionCounts[] = [];
    const pending: Record<ReactionKind, boolean> = { like: false, favorite: false };
    const click = (kind: ReactionKind) =>
      toggleReaction(kind, { artworkId: 42, signedIn, current: state, pending, update: (change) => painted.push((state = change(state))) });
    return { click, painted, pending, state: () => state };
  }
  const start: ReactionCounts = { liked: false, favorited: true, likeCount: 3, favoriteCount: 1 };

  it('is optimistic, then takes the server\'s answer', async () => {
    const calls: Array<[string, RequestInit]> = [];
    vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
      calls.push([path, init]);
      return path.endsWith('/like')
        ? Response.json({ like_count: 9, isLiked: true })
        : Response.json({ is_favorite: false, favorite_count: 0 });
    });
    const h = host(start);
    await h.click('like');
    expect(h.painted).toEqual([{ ...start, liked: true, likeCount: 4 }, { ...start, liked: true, likeCount: 9 }]);
    await h.click('favorite');
    expect(h.state()).toEqual({ liked: true, favorited: false, likeCount: 9, favoriteCount: 0 });
    expect(calls.map(([path, init]) => [path, init.method, new Headers(init.headers).get('content-type'), init.body, init.credentials])).toEqual([
      ['/api/artworks/42/like', 'POST', 'application/json', '{}', 'same-origin'],
      ['/api/artworks/42/favorite', 'DELETE', 'application/json', '{}', 'same-origin'],
    ]);
    expect(vi.mocked(toast).mock.calls).toEqual([['已取消收藏', 'success', 1800]]);
  });

  it('puts the previous state back and says why on an error; a 401 goes to the login page', async () => {
    vi.stubGlobal('window', { location });
    vi.stubGlobal('fetch', async () => Response.json({ error: { code: 'x', message: '服务暂时不可用' } }, { status: 503 }));
    const h = host(start);
    await h.click('like');
    expect(h.painted).toEqual([{ ...start, liked: true, likeCount: 4 }, start]);
    expect(vi.mocked(toast).mock.calls).toEqual([['点赞失败：服务暂时不可用', 'error']]);
    expect(h.pending).toEqual({ like: false, favorite: false });

    vi.stubGlobal('fetch', async () => Response.json({ error: {} }, { status: 401 }));
    await h.click('favorite');
    expect(h.state()).toEqual(start);
    expect(vi.mocked(toast).mock.calls[1]).toEqual(['收藏失败：请先登录', 'error']);
    expect(location.href).toBe('/login?next=%2Fartwork%2F42%2Fx');
  });

  it('ignores a second click while the first is in flight, and sends signed-out visitors to log in', async () => {
    let answer: (response: Response) => void = () => {};
    vi.stubGlobal('fetch', () => new Promise<Response>((resolve) => (answer = resolve)));
    const h = host(start);
    const first = h.click('like');
    await h.click('like');
    expect(h.painted).toHaveLength(1);
    answer(Response.json({ like_count: 4, isLiked: true }));
    await first;
    expect(h.state()).toMatchObject({ liked: true, likeCount: 4 });

    const loc = { ...location, href: '' };
    vi.stubGlobal('window', { location: loc });
    const anonymous = host(start, false);
    await anonymous.click('like');
    expect(anonymous.painted).toEqual([]);
    expect(vi.mocked(toast).mock.calls).toEqual([['登录后才能点赞和收藏', 'info']]);
    expect(loc.href).toBe('/login?next=%2Fartwork%2F42%2Fx');
  });
});
