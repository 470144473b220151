// Where to send the browser after login (`next` on /login, /api/auth/login, /api/auth/google and the
// Google callback's cookie): one function, so every redirect parameter is judged the same way.
// The value is resolved against SITE_URL with the URL parser browsers use and kept only when it stays on
// that origin. Characters a browser strips or reinterprets before parsing (tabs and newlines, other
// controls, backslashes, zero-width and bidi controls) are refused outright rather than cleaned: cleaning
// is exactly how `/\t/evil.example` becomes `//evil.example`. The result is a relative, percent-encoded
// path, so it is always a valid Location header (no 500 for NUL or non-ASCII).

const MAX_LENGTH = 2048;
/** Controls, whitespace of any kind, backslashes, and invisible/format characters (bidi, zero-width, BOM). */
const REFUSED = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\p{Default_Ignorable_Code_Point}\\\u115F\u1160\u3164\uFFA0\uFFFD]/u;

/**
 * A same-origin path (`/path?query#hash`) for `next`, or `fallback` when `next` is missing, too long,
 * holds a refused character, or points anywhere but SITE_URL's origin.
 */
export function safeRedirectTarget(next: unknown, siteUrl: string, fallback = '/'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > MAX_LENGTH) return fallback;
  if (REFUSED.test(next)) return fallback;
  // Only paths: a scheme (`javascript:`, `https:evil`) or an authority (`//evil`) never names our origin
  // in a form a browser would read the same way.
  if (!next.startsWith('/') || next.startsWith('//')) return fallback;
  let site: URL;
  let target: URL;
  try {
    site = new URL(siteUrl);
    target = new URL(next, site);
  } catch {
    return fallback;
  }
  if (target.origin !== site.origin || target.username || target.password) return fallback;
  const path = target.pathname + target.search + target.hash;
  // Dot segments can collapse into `//host` (`/.//evil`): such a path would be read as another origin.
  if (!path.startsWith('/') || path.startsWith('//')) return fallback;
  return path;
}
