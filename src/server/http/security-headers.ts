// The security headers of every response, in one place: pages and API responses get them from the Astro
// middleware (src/middleware.ts), static files and anything the adapter answers itself from the Node
// server (src/server/serve.ts), /media on top of its own sandboxing policy.
//
// Content-Security-Policy comes in two parts. The script and style policy with its hashes is Astro's
// (`security.csp` in astro.config.mjs): a <meta> in each prerendered page, a header on on-demand pages.
// The directives a <meta> cannot carry (frame-ancestors) or that no page needs (plugins, foreign <base>
// and form targets) are the header policy below; where a response has a policy already they are appended
// to it, elsewhere they form a policy of their own. Two policies both apply, so neither loosens the other.
import type { Config } from '../../core/env.ts';

export interface SecurityHeaderOptions {
  /** Strict-Transport-Security: in production, or whenever the public origin is https. */
  hsts: boolean;
}

export function securityHeaderOptions(config: Pick<Config, 'nodeEnv' | 'server'>): SecurityHeaderOptions {
  return { hsts: config.nodeEnv === 'production' || config.server.siteUrl.startsWith('https:') };
}

/** For HTML and static files: the directives a <meta> policy cannot carry or that no page needs. */
export const DOCUMENT_CSP = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'";
/** For API responses and everything else that is not a page: nothing may load, run or frame it. */
const RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers every response carries (CSP aside: see `applySecurityHeaders`). */
export function securityHeaderValues(options: SecurityHeaderOptions): ReadonlyArray<readonly [string, string]> {
  return options.hsts ? WITH_HSTS : WITHOUT_HSTS;
}

function headerValues(options: SecurityHeaderOptions): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    // Only features every browser knows: an unrecognised name is a console error on every page.
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
  ];
  if (options.hsts) headers.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  return headers;
}
// Made once: every response asks.
const WITH_HSTS = headerValues({ hsts: true });
const WITHOUT_HSTS = headerValues({ hsts: false });

/**
 * Add the security headers to a response's headers, keeping what the response set itself (a route's own
 * Referrer-Policy, /media's sandbox policy) and completing its CSP with frame-ancestors.
 */
export function applySecurityHeaders(headers: Headers, options: SecurityHeaderOptions): void {
  for (const [name, value] of securityHeaderValues(options)) if (!headers.has(name)) headers.set(name, value);
  const policy = headers.get('Content-Security-Policy');
  if (policy) {
    // Only the directives it lacks: a repeated directive is ignored with a console error.
    const present = new Set(policy.split(';').map((d) => d.trim().split(/\s+/)[0]!.toLowerCase()));
    const missing = DOCUMENT_CSP.split('; ').filter((d) => !present.has(d.split(' ')[0]!));
    if (missing.length > 0) headers.set('Content-Security-Policy', [policy.replace(/[;\s]+$/, ''), ...missing].join('; '));
  } else {
    const html = /^text\/html\b/i.test(headers.get('Content-Type') ?? '');
    headers.set('Content-Security-Policy', html ? DOCUMENT_CSP : RESOURCE_CSP);
  }
}
