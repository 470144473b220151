import { describe, expect, it } from 'vitest';
import { readLiveReactions, REACTION_REASONS } from './reaction-state.ts';

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
