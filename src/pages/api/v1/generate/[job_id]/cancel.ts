// POST /api/v1/generate/{job_id}/cancel: a queued job never starts, a running one is aborted; a finished one is left as it is.
import type { APIRoute } from 'astro';
import { cancelRoute } from '../../../../../server/http/generation-routes.ts';

export const prerender = false;

export const POST: APIRoute = cancelRoute;
