// POST /api/auth/login: local account sign-in. JSON {username, password, token?} → {user, expires_at} and
// the session cookie; with `token: true` the session token is returned in the body instead of a cookie
// (a personal API token for scripts: `Authorization: Bearer <token>`). A form post (no JavaScript) is
// answered with a redirect to `next`, or back to /login with an error. Rate limited per IP and per username.
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { authenticateLocal } from '../../../lib/auth/accounts.ts';
import { ApiError } from '../../../lib/http/api-error.ts';
import { sessionCookieValue } from '../../../lib/http/request-auth.ts';
import { apiRoute, readJson } from '../../../lib/http/route.ts';
import { ownUser, safeNextPath } from '../../../lib/http/users.ts';

export const prerender = false;

const body = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(1024),
  token: z.boolean().optional(),
});

export const POST: APIRoute = apiRoute({
  access: 'public',
  rateLimit: 'login',
  async handler({ request, services, limit, setCookie }) {
    const form = /^application\/x-www-form-urlencoded\b/i.test(request.headers.get('content-type') ?? '');
    let input: unknown;
    let next = '/';
    if (form) {
      const data = await request.formData();
      input = { username: data.get('username'), password: data.get('password') };
      next = safeNextPath(String(data.get('next') ?? ''));
    } else {
      input = await readJson(request, z.unknown());
    }
    const parsed = body.safeParse(input);
    if (!parsed.success) {
      if (form) return redirect('/login?error=missing');
      throw parsed.error;
    }
    await limit('login', `user:${parsed.data.username.toLowerCase()}`);
    const user = await authenticateLocal(services.store, parsed.data.username, parsed.data.password);
    if (!user) {
      if (form) return redirect('/login?error=credentials');
      throw new ApiError(401, 'invalid_credentials', '用户名或密码错误');
    }
    const { token, session } = await services.sessions.create(user.id);
    if (parsed.data.token) return { user: ownUser(user), token, expires_at: session.expiresAt.toISOString() };
    setCookie(sessionCookieValue(services, token, session));
    if (form) return redirect(next);
    return { user: ownUser(user), expires_at: session.expiresAt.toISOString() };
  },
});

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { Location: location } });
}
