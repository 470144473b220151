// GET /api/v1/generate/presets (mine) and POST {name, params} (a submit body): saved generation parameters.
import type { APIRoute } from 'astro';
import { presetListRoute, presetCreateRoute } from '../../../../server/http/generation-routes.ts';

export const prerender = false;

export const GET: APIRoute = presetListRoute;
export const POST: APIRoute = presetCreateRoute;
