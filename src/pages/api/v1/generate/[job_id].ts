// GET /api/v1/generate/{job_id} → exactly {job_id, status, progress, result: {image_url}, log} (seed 001 §9.5); owner only.
import type { APIRoute } from 'astro';
import { statusRoute } from '../../../../server/http/generation-routes.ts';

export const prerender = false;

export const GET: APIRoute = statusRoute;
