// GET /api/auth/me: the signed-in user, or {user: null} (never an error: pages ask it to decide what to show).
import type { APIRoute } from 'astro';
import { apiRoute } from '../../../server/http/route.ts';
import { ownUser } from '../../../server/http/users.ts';

export const prerender = false;

export const GET: APIRoute = apiRoute({
  access: 'public',
  async handler({ viewer, session, services }) {
    return {
      user: viewer ? ownUser(viewer) : null,
      expires_at: session?.session.expiresAt.toISOString() ?? null,
      google_login: services.google !== null,
    };
  },
});
