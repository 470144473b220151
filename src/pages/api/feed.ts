// GET /api/feed?order=hot|newest&cursor&limit: published artworks (community and ingested), cursor
// paginated, with the caller's liked/favorited state when signed in. Newly published works appear at once.
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { pageQuery } from '../../server/community/page-query.ts';
import { hotFeed, newestFeed } from '../../server/community/pages.ts';
import { apiRoute } from '../../server/http/route.ts';

export const prerender = false;

const query = pageQuery.extend({ order: z.enum(['hot', 'newest']).default('hot') });

export const GET: APIRoute = apiRoute({
  access: 'public',
  async handler({ url, services, viewer }) {
    const { order, cursor, limit } = query.parse(Object.fromEntries(url.searchParams));
    const page = order === 'hot' ? await hotFeed(services, viewer, cursor, limit) : await newestFeed(services, viewer, cursor, limit);
    return { order, ...page };
  },
});
