// Cookie parsing and Set-Cookie values for the session and the OAuth round trip. Every cookie is
// httpOnly, SameSite=Lax (sent on top-level navigations, never on cross-site POSTs) and Secure in production.

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  path?: string;
}

export function parseCookies(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (cookies.has(name)) continue; // the first (most specific path) wins, as browsers send it
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? '/'}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(options.maxAge))}`];
  if (options.maxAge <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  else parts.push(`Expires=${new Date(Date.now() + options.maxAge * 1000).toUTCString()}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

export function deleteCookie(name: string, secure: boolean, path = '/'): string {
  return serializeCookie(name, '', { secure, maxAge: 0, path });
}
