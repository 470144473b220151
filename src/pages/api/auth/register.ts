// POST /api/auth/register: create a local account {username, password, name?} and sign in (201).
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { displayNameSchema, passwordSchema, registerLocalUser, usernameSchema } from '../../../server/auth/accounts.ts';
import { sessionCookieValue } from '../../../server/http/request-auth.ts';
import { apiRoute, readJson } from '../../../server/http/route.ts';
import { ownUser } from '../../../server/http/users.ts';

export const prerender = false;

const body = z.object({ username: usernameSchema, password: passwordSchema, name: displayNameSchema.optional() });

export const POST: APIRoute = apiRoute({
  access: 'public',
  rateLimit: 'login',
  async handler({ request, services, setCookie }) {
    const input = await readJson(request, body);
    const user = await registerLocalUser(services.store, input);
    const { token, session } = await services.sessions.create(user.id);
    setCookie(sessionCookieValue(services, token, session));
    return Response.json({ user: ownUser(user), expires_at: session.expiresAt.toISOString() }, { status: 201 });
  },
});
