// POST /api/v1/generate/{job_id}/rerun {random_seed?} → 202 {job_id, status: 'queued'}: the same request again.
import type { APIRoute } from 'astro';
import { rerunRoute } from '../../../../../server/http/generation-routes.ts';

export const prerender = false;

export const POST: APIRoute = rerunRoute;
