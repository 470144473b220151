// POST /api/artworks/:id/publish: draft → published, by its owner only (403 for other users, 404 when they
// cannot even see it). Idempotent: publishing a published work answers the same 200.
import type { APIRoute } from 'astro';
import { publishArtwork } from '../../../../server/community/actions.ts';
import { artworkPath } from '../../../../server/community/artworks.ts';
import { apiRoute, idParams } from '../../../../server/http/route.ts';

export const prerender = false;

export const POST: APIRoute = apiRoute({
  access: 'user',
  params: idParams,
  rateLimit: 'write',
  async handler({ params, services, viewer }) {
    const { work, changed } = await publishArtwork(services, viewer, params.id);
    return { artwork_id: work.id, status: work.status, published_at: work.publishedAt?.toISOString() ?? null, page_url: artworkPath(work), changed };
  },
});
