// POST /api/auth/login: sign-in. Local account: JSON {username, password, token?}; Google (the seed's
// "OAuth token" login, for clients that signed in with Google themselves): JSON {provider: "google",
// idToken, token?}, the ID token verified in full (signature against Google's JWKS, issuer, audience,
// expiry) and the user found or created by Google subject as in the redirect flow. Either way → {user,
// expires_at} and the session cookie; with `token: true` the session token is returned in the body instead
// of a cookie (a personal API token for scripts: `Authorization: Bearer <token>`). A form post (no
// JavaScript, local only) is answered with a redirect to `next`, or back to /login with an error. Rate
// limited per address (both kinds) and, with backoff, per username and address (src/server/auth/rate-limit.ts).
import type { APIRoute } from 'astro';
import { z } from 'zod';
import { authenticateLocal, upsertGoogleUser } from '../../../server/auth/accounts.ts';
import { OAuthLoginError } from '../../../server/auth/google.ts';
import { loginBackoffRules } from '../../../server/auth/rate-limit.ts';
import { UnauthenticatedError, UnavailableError } from '../../../core/errors.ts';
import type { User } from '../../../core/store/store.ts';
import { sessionCookieValue } from '../../../server/http/request-auth.ts';
import { apiRoute, readJson } from '../../../server/http/route.ts';
import { ownUser } from '../../../server/http/users.ts';
import { safeRedirectTarget } from '../../../server/http/redirect-target.ts';

export const prerender = false;

const body = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(1024),
  token: z.boolean().optional(),
});

const googleBody = z.object({
  provider: z.literal('google'),
  idToken: z.string().trim().min(1, '缺少 Google ID token').max(8192),
  token: z.boolean().optional(),
});

export const POST: APIRoute = apiRoute({
  access: 'public',
  rateLimit: 'login',
  async handler({ request, services, client, limit, setCookie }) {
    const form = /^application\/x-www-form-urlencoded\b/i.test(request.headers.get('content-type') ?? '');
    let input: unknown;
    let next = '/';
    if (form) {
      const data = await request.formData();
      input = { username: data.get('username'), password: data.get('password') };
      next = safeRedirectTarget(data.get('next'), services.config.server.siteUrl);
    } else {
      input = await readJson(request, z.unknown());
    }
    const signIn = async (user: User, asToken: boolean | undefined) => {
      const { token, session } = await services.sessions.create(user.id);
      if (asToken) return { user: ownUser(user), token, expires_at: session.expiresAt.toISOString() };
      setCookie(sessionCookieValue(services, token, session));
      if (form) return redirect(next);
      return { user: ownUser(user), expires_at: session.expiresAt.toISOString() };
    };
    if (!form && typeof input === 'object' && input !== null && 'provider' in input) {
      const google = googleBody.parse(input);
      if (!services.google) throw new UnavailableError('本站未启用 Google 登录', { code: 'google_disabled' });
      let user: User;
      try {
        user = await upsertGoogleUser(services.store, await services.google.verifyIdToken(google.idToken));
      } catch (error) {
        if (!(error instanceof OAuthLoginError)) throw error;
        services.log.warn({ code: error.code, reason: error.message }, 'Google ID token login failed');
        if (error.code === 'oauth_unavailable') throw new UnavailableError('暂时无法连接 Google，请稍后再试', { code: 'google_unavailable' });
        throw new UnauthenticatedError('Google 登录凭证无效或已过期，请重新登录', { code: 'invalid_token' });
      }
      return signIn(user, google.token);
    }
    const parsed = body.safeParse(input);
    if (!parsed.success) {
      if (form) return redirect('/login?error=missing');
      throw parsed.error;
    }
    // Per account and address, with backoff (never per account alone: that would let anyone lock the owner out).
    await limit('login', `user:${parsed.data.username.toLowerCase()}:ip:${client.rateKey}`, loginBackoffRules(services.config.community.rateLimits.login));
    const user = await authenticateLocal(services.store, parsed.data.username, parsed.data.password);
    if (!user) {
      if (form) return redirect('/login?error=credentials');
      throw new UnauthenticatedError('用户名或密码错误', { code: 'invalid_credentials' });
    }
    return signIn(user, parsed.data.token);
  },
});

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { Location: location } });
}
