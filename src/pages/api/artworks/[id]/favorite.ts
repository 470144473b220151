// POST /api/artworks/:id/favorite and DELETE: favorite or unfavorite a published artwork. Idempotent.
// → {artwork_id, is_favorite, favorite_count}
import type { APIRoute } from 'astro';
import { reactionRoutes } from '../../../../server/http/reaction-routes.ts';

export const prerender = false;

const routes = reactionRoutes('favorite');
export const POST: APIRoute = routes.POST;
export const DELETE: APIRoute = routes.DELETE;
