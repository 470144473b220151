// GET /api/users/:username/favorites?cursor&limit: a user's favorites, most recent first. Private: only
// the user themself may read them (401 anonymous, 403 another user).
import type { APIRoute } from 'astro';
import { ForbiddenError, NotFoundError } from '../../../../core/errors.ts';
import { pageQuery } from '../../../../server/community/page-query.ts';
import { userFavorites } from '../../../../server/community/pages.ts';
import { apiRoute, usernameParams } from '../../../../server/http/route.ts';

export const prerender = false;

export const GET: APIRoute = apiRoute({
  access: 'user',
  params: usernameParams,
  async handler({ params, url, services, viewer }) {
    if (viewer.username !== params.username) {
      if (!(await services.store.users.findByUsername(params.username))) throw new NotFoundError('用户不存在', { code: 'not_found' });
      throw new ForbiddenError('收藏列表仅本人可见');
    }
    const { cursor, limit } = pageQuery.parse(Object.fromEntries(url.searchParams));
    return userFavorites(services, viewer, viewer.id, cursor, limit);
  },
});
