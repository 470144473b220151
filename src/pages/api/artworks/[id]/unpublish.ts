// POST /api/artworks/:id/unpublish: published → draft, by its owner only (403 for other users, 404 when they
// cannot see it). Idempotent. Gone from the feed and the owner's page at once; publishing again restores it.
import type { APIRoute } from 'astro';
import { unpublishArtwork } from '../../../../server/community/actions.ts';
import { artworkPath } from '../../../../server/community/artworks.ts';
import { apiRoute, idParams } from '../../../../server/http/route.ts';

export const prerender = false;

export const POST: APIRoute = apiRoute({
  access: 'user',
  params: idParams,
  rateLimit: 'write',
  async handler({ params, services, viewer }) {
    const work = await unpublishArtwork(services, viewer, params.id);
    return { artwork_id: work.id, status: work.status, page_url: artworkPath(work) };
  },
});
