// POST /api/auth/logout: end this session ({all: true}: every session of the user) and clear the cookie.
// Idempotent: without a session it still answers 200. A form post is redirected home.
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { clearSessionCookie } from '../../../server/http/request-auth.ts';
import { apiRoute, readJson } from '../../../server/http/route.ts';

export const prerender = false;

const body = z.object({ all: z.boolean().optional() });

export const POST: APIRoute = apiRoute({
  access: 'public',
  async handler({ request, services, auth, viewer, setCookie }) {
    const type = request.headers.get('content-type') ?? '';
    const form = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type);
    const all = form ? (await request.formData()).get('all') === 'true' : type ? (await readJson(request, body)).all === true : false;
    if (viewer && all) await services.sessions.invalidateAll(viewer.id);
    else if (auth.token) await services.sessions.invalidate(auth.token);
    if (auth.via !== 'bearer') setCookie(clearSessionCookie(services));
    if (form) return new Response(null, { status: 303, headers: { Location: '/' } });
    return { ok: true, all };
  },
});
