// GET /api/auth/google?next=/path: start Google login. The state, the PKCE code verifier and where to go
// afterwards wait in httpOnly cookies (10 minutes) for the callback.
import type { APIRoute } from 'astro';
import { NotFoundError } from '../../../../core/errors.ts';
import { serializeCookie } from '../../../../server/auth/cookies.ts';
import { apiRoute } from '../../../../server/http/route.ts';
import { safeRedirectTarget } from '../../../../server/http/redirect-target.ts';
import { OAUTH_COOKIES } from '../../../../server/auth/oauth-cookies.ts';

export const prerender = false;

export const GET: APIRoute = apiRoute({
  access: 'public',
  rateLimit: 'login',
  async handler({ url, services, setCookie }) {
    if (!services.google) throw new NotFoundError('本站未启用 Google 登录', { code: 'google_disabled' });
    const { url: target, state, codeVerifier } = services.google.start();
    const { secure } = services.config.community.session;
    const options = { secure, maxAge: 600, path: '/api/auth/google' };
    setCookie(serializeCookie(OAUTH_COOKIES.state, state, options));
    setCookie(serializeCookie(OAUTH_COOKIES.verifier, codeVerifier, options));
    setCookie(serializeCookie(OAUTH_COOKIES.next, safeRedirectTarget(url.searchParams.get('next'), services.config.server.siteUrl), options));
    return new Response(null, { status: 302, headers: { Location: target.href } });
  },
});
