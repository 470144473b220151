// POST /api/v1/generate → 202 {job_id, status: 'queued'} (seed 001 §9.5); GET: my jobs, newest first. docs/generation.md.
import type { APIRoute } from 'astro';
import { submitRoute, listRoute } from '../../../../server/http/generation-routes.ts';

export const prerender = false;

export const POST: APIRoute = submitRoute;
export const GET: APIRoute = listRoute;
