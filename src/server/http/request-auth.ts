// Who is asking: the session cookie (browsers) or `Authorization: Bearer <token>` (scripts), validated
// per Lucia's guide. Shared by API routes and on-demand pages.
import { deleteCookie, parseCookies, serializeCookie } from '../auth/cookies.ts';
import type { ValidSession } from '../auth/sessions.ts';
import type { ServerServices } from '../start-up.ts';
import type { Session } from '../../core/store/store.ts';

export interface RequestAuth {
  session: ValidSession | null;
  /** The raw token (to invalidate it on logout). */
  token: string | null;
  via: 'cookie' | 'bearer' | null;
  /** Set-Cookie values the response must carry (a slid expiry, or deleting a dead cookie). */
  setCookies: string[];
}

export function sessionCookieValue(services: ServerServices, token: string, session: Pick<Session, 'expiresAt'>): string {
  const { cookieName, secure } = services.config.community.session;
  return serializeCookie(cookieName, token, { secure, maxAge: (session.expiresAt.getTime() - Date.now()) / 1000 });
}

export function clearSessionCookie(services: ServerServices): string {
  const { cookieName, secure } = services.config.community.session;
  return deleteCookie(cookieName, secure);
}

export async function authenticateRequest(services: ServerServices, request: Request): Promise<RequestAuth> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (bearer) {
    return { session: await services.sessions.validate(bearer), token: bearer, via: 'bearer', setCookies: [] };
  }
  const token = parseCookies(request.headers.get('cookie')).get(services.config.community.session.cookieName);
  if (!token) return { session: null, token: null, via: null, setCookies: [] };
  const session = await services.sessions.validate(token);
  const setCookies = !session
    ? [clearSessionCookie(services)]
    : session.refreshed
      ? [sessionCookieValue(services, token, session.session)]
      : [];
  return { session, token, via: 'cookie', setCookies };
}
