// POST /api/artworks/:id/like and DELETE: like or unlike a published artwork (community or ingested).
// Idempotent (one like per user and artwork). → {artwork_id, like_count, isLiked}
import type { APIRoute } from 'astro';
import { reactionRoutes } from '../../../../server/http/reaction-routes.ts';

export const prerender = false;

const routes = reactionRoutes('like');
export const POST: APIRoute = routes.POST;
export const DELETE: APIRoute = routes.DELETE;
