// GET /api/artworks/:id: one artwork with its author, counts and the caller's liked/favorited state.
// Published works are public; a draft is visible to its owner only (404 for everyone else).
import type { APIRoute } from 'astro';
import { toArtworkItems, visibleWork } from '../../../server/community/artworks.ts';
import { apiRoute, idParams } from '../../../server/http/route.ts';

export const prerender = false;

export const GET: APIRoute = apiRoute({
  access: 'public',
  params: idParams,
  async handler({ params, services, viewer }) {
    const work = await visibleWork(services, params.id, viewer);
    const [artwork] = await toArtworkItems(services, [work], viewer);
    return artwork!;
  },
});
