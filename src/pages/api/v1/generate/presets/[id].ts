// PUT /api/v1/generate/presets/{id} {name?, params?} and DELETE: my preset (another user's is 404).
import type { APIRoute } from 'astro';
import { presetUpdateRoute, presetDeleteRoute } from '../../../../../server/http/generation-routes.ts';

export const prerender = false;

export const PUT: APIRoute = presetUpdateRoute;
export const DELETE: APIRoute = presetDeleteRoute;
