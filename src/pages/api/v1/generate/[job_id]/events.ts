// GET /api/v1/generate/{job_id}/events: server-sent events (event: job) of the job view until it is final.
import type { APIRoute } from 'astro';
import { eventsRoute } from '../../../../../server/http/generation-routes.ts';

export const prerender = false;

export const GET: APIRoute = eventsRoute;
