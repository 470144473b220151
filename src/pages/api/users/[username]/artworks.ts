// GET /api/users/:username/artworks?cursor&limit: a user's artworks, newest first. The user themself sees
// their drafts too; everyone else (signed in or not) only the published ones. Users are addressed by their
// public handle, never by the numeric id.
import type { APIRoute } from 'astro';
import { NotFoundError } from '../../../../core/errors.ts';
import { pageQuery } from '../../../../server/community/page-query.ts';
import { userArtworks } from '../../../../server/community/pages.ts';
import { apiRoute, usernameParams } from '../../../../server/http/route.ts';
import { publicUser } from '../../../../server/http/users.ts';

export const prerender = false;

export const GET: APIRoute = apiRoute({
  access: 'public',
  params: usernameParams,
  async handler({ params, url, services, viewer }) {
    const user = await services.store.users.findByUsername(params.username);
    if (!user) throw new NotFoundError('用户不存在', { code: 'not_found' });
    const { cursor, limit } = pageQuery.parse(Object.fromEntries(url.searchParams));
    return { user: publicUser(user), ...(await userArtworks(services, viewer, user.id, cursor, limit)) };
  },
});
