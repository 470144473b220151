// POST /api/artworks/generate {job_id, images?, title?} (seed 002): a complete job's images become my draft artworks with their recipe.
import type { APIRoute } from 'astro';
import { draftsRoute } from '../../../server/http/generation-routes.ts';

export const prerender = false;

export const POST: APIRoute = draftsRoute;
