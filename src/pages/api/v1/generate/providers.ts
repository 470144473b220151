// GET /api/v1/generate/providers: the configured providers in order ({kind, name, billed}: a billed one asks to confirm first, seed 001 §9.6) and the daily quota.
import type { APIRoute } from 'astro';
import { providersRoute } from '../../../../server/http/generation-routes.ts';

export const prerender = false;

export const GET: APIRoute = providersRoute;
