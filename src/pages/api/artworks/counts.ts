// GET /api/artworks/counts?ids=1,2,3 (at most 100): Huaku's own likes and favorites of these works and the
// caller's own state, `{counts: {"<id>": {likes, favorites, liked, favorited}}}`. The prerendered cards
// show them beside the source's figures (src/components/community/huaku-counts.ts).
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { huakuCounts } from '../../../server/community/artworks.ts';
import { apiRoute } from '../../../server/http/route.ts';

export const prerender = false;

const query = z.object({
  ids: z
    .string({ error: '请提供作品 id（ids=1,2,3）' })
    .regex(/^\d{1,15}(,\d{1,15}){0,99}$/, 'ids 须为逗号分隔的作品 id，最多 100 个')
    .transform((ids) => [...new Set(ids.split(',').map(Number))]),
});

export const GET: APIRoute = apiRoute({
  access: 'public',
  async handler({ url, services, viewer }) {
    const { ids } = query.parse(Object.fromEntries(url.searchParams));
    return { counts: Object.fromEntries(await huakuCounts(services, ids, viewer)) };
  },
});
