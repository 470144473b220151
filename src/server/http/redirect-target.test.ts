// Security class: open redirects. Every known payload class against the one function that resolves
// redirect parameters, then through the login form (a redirect after the session is created must never
// be a 500, whatever `next` holds).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as login } from '../../pages/api/auth/login.ts';
import { hashPassword } from '../auth/password.ts';
import { testServices } from '../testing/community.ts';
import { safeRedirectTarget } from './redirect-target.ts';

const corpus = JSON.parse(fs.readFileSync(new URL('./fixtures/open-redirect-payloads.json', import.meta.url), 'utf8')) as { site: string; payloads: string[] };
const SITE = corpus.site;
const FALLBACK = '/fallback';

/** Where a browser would go with `value` as a Location on SITE (Node's URL is the WHATWG parser browsers use). */
function browserTarget(value: string): URL | null {
  try {
    return new URL(value, SITE);
  } catch {
    return null;
  }
}

describe('redirect targets', () => {
  it(`keeps ${corpus.payloads.length} known open-redirect payloads on SITE_URL's origin, as a plain ASCII path`, () => {
    expect(corpus.payloads.length).toBeGreaterThanOrEqual(50);
    for (const payload of corpus.payloads) {
      const result = safeRedirectTarget(payload, SITE, FALLBACK);
      const label = JSON.stringify(payload);
      expect(result, label).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/); // a path, printable ASCII, no `//` or `/\` start
      expect(new URL(result, SITE).origin, label).toBe(new URL(SITE).origin);
      expect(() => new Headers({ location: result }), label).not.toThrow();
      // Whatever a browser would have made of the raw value off our origin falls back.
      if (browserTarget(payload)?.origin !== new URL(SITE).origin) expect(result, label).toBe(FALLBACK);
      // Characters browsers strip or reinterpret are refused, not cleaned.
      if (/[\p{Cc}\p{Cf}\p{Z}\\]/u.test(payload)) expect(result, label).toBe(FALLBACK);
    }
  });

  it('keeps same-origin paths (query and hash too), percent-encoding what is not ASCII', () => {
    expect(safeRedirectTarget('/upload', SITE)).toBe('/upload');
    expect(safeRedirectTarget('/artwork/42/x?tab=2#c', SITE)).toBe('/artwork/42/x?tab=2#c');
    expect(safeRedirectTarget('/作品', SITE)).toBe('/%E4%BD%9C%E5%93%81');
    expect(safeRedirectTarget('/%2F%2Fevil.example', SITE)).toBe('/%2F%2Fevil.example'); // a path segment, not a host
    expect(safeRedirectTarget(undefined, SITE, '/me')).toBe('/me');
    expect(safeRedirectTarget(`/${'a'.repeat(5000)}`, SITE, '/me')).toBe('/me');
  });
});

describe('login form redirects', () => {
  let services: Awaited<ReturnType<typeof testServices>>;
  beforeAll(async () => {
    services = await testServices({ SITE_URL: SITE });
    await services.store.users.create({ username: 'redirected', name: 'R', passwordHash: await hashPassword('pass-word-1') });
  });
  afterAll(() => services?.cleanup());

  const post = (next: string) =>
    login({
      request: new Request(`${SITE}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SITE },
        body: new URLSearchParams({ username: 'redirected', password: 'pass-word-1', next }),
      }),
      params: {},
      url: new URL(`${SITE}/api/auth/login`),
      clientAddress: '203.0.113.9',
      locals: { services },
    } as never) as Promise<Response>;

  it('answers 303 to a safe target for NUL, non-ASCII and tab-smuggled `next`, with the session cookie', async () => {
    const cases: Array<[string, string]> = [
      ['/作品?q=画', '/%E4%BD%9C%E5%93%81?q=%E7%94%BB'],
      ['/\u0000', '/'],
      ['/\t/evil.example', '/'],
    ];
    for (const [next, location] of cases) {
      const response = await post(next);
      expect([response.status, response.headers.get('location')], JSON.stringify(next)).toEqual([303, location]);
      expect(response.headers.getSetCookie().some((c) => c.startsWith('huaku_session='))).toBe(true);
    }
  });
});
