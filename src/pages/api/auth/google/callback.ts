// GET /api/auth/google/callback?code&state: finish Google login. The state must equal the one in this
// browser's cookie (else the login was not started here: CSRF / a replayed link); the cookies are deleted
// at once so a callback URL works only once; the code is exchanged with the PKCE verifier (the provider
// refuses a code used before). Success: session cookie and a redirect to `next`; failure: back to
// /login?error=<code> (the page says what happened), with no session.
import { timingSafeEqual } from 'node:crypto';
import type { APIRoute } from 'astro';
import { NotFoundError } from '../../../../core/errors.ts';
import { upsertGoogleUser } from '../../../../server/auth/accounts.ts';
import { deleteCookie, parseCookies } from '../../../../server/auth/cookies.ts';
import { OAuthLoginError } from '../../../../server/auth/google.ts';
import { OAUTH_COOKIES } from '../../../../server/auth/oauth-cookies.ts';
import { sessionCookieValue } from '../../../../server/http/request-auth.ts';
import { apiRoute } from '../../../../server/http/route.ts';
import { safeRedirectTarget } from '../../../../server/http/redirect-target.ts';

export const prerender = false;

const sameString = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export const GET: APIRoute = apiRoute({
  access: 'public',
  rateLimit: 'login',
  async handler({ request, url, services, setCookie }) {
    if (!services.google) throw new NotFoundError('本站未启用 Google 登录', { code: 'google_disabled' });
    const cookies = parseCookies(request.headers.get('cookie'));
    const { secure } = services.config.community.session;
    for (const name of Object.values(OAUTH_COOKIES)) setCookie(deleteCookie(name, secure, '/api/auth/google'));
    const back = (code: string) => new Response(null, { status: 303, headers: { Location: `/login?error=${code}` } });

    const state = url.searchParams.get('state');
    const code = url.searchParams.get('code');
    const expected = cookies.get(OAUTH_COOKIES.state);
    const verifier = cookies.get(OAUTH_COOKIES.verifier);
    if (url.searchParams.get('error')) return back('oauth_denied');
    if (!state || !code || !expected || !verifier || !sameString(state, expected)) {
      services.log.warn({ hasState: Boolean(state), hasCookie: Boolean(expected) }, 'Google callback with a missing or wrong state refused');
      return back('oauth_state');
    }
    try {
      const profile = await services.google.finish(code, verifier);
      const user = await upsertGoogleUser(services.store, profile);
      const { token, session } = await services.sessions.create(user.id);
      setCookie(sessionCookieValue(services, token, session));
      return new Response(null, { status: 303, headers: { Location: safeRedirectTarget(cookies.get(OAUTH_COOKIES.next), services.config.server.siteUrl) } });
    } catch (error) {
      if (error instanceof OAuthLoginError) {
        services.log.warn({ code: error.code, reason: error.message }, 'Google login failed');
        return back(error.code);
      }
      throw error;
    }
  },
});
