// GET /api/v1/generate/{job_id}/detail: the full job view (request, images with seeds, error, times); owner only.
import type { APIRoute } from 'astro';
import { detailRoute } from '../../../../../server/http/generation-routes.ts';

export const prerender = false;

export const GET: APIRoute = detailRoute;
