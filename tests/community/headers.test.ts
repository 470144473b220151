// Security class: response headers. The built server (production, an https SITE_URL) answers an on-demand
// page, a prerendered page, a static asset, an API route, /media and the adapter's own refusals with the
// security headers; pages carry a script policy without 'unsafe-inline' (a header on demand, Astro's
// <meta> with hashes in prerendered HTML), and /media serves only safe content types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/core/blob/local-blob-store.ts';
import { testImage } from '../../src/server/testing/community.ts';
import { makeWorkDir } from '../browser/harness.ts';
import { site } from '../browser/site.ts';
import { sqliteBackend, startCommunityServer, type Backend, type CommunityServer } from './harness.ts';

const COMMON = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

describe('security headers', () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let backend: Backend;
  let server: CommunityServer;

  beforeAll(async () => {
    work = await makeWorkDir('huaku-headers-');
    backend = await sqliteBackend(work.dir);
    server = await startCommunityServer({ outDir: site().emptyOutDir, dir: work.dir, backend, env: { SITE_URL: 'https://huaku.test' } });
    const blobs = new LocalBlobStore({ driver: 'local', dir: server.blobDir, publicBaseUrl: '/media' });
    await blobs.put('headers/cover.png', await testImage('png', 8, 8), { contentType: 'image/png' });
    await blobs.put('headers/page.html', Buffer.from('<script>alert(1)</script>'), { contentType: 'text/html' });
    await blobs.close();
  });
  afterAll(async () => {
    await server?.stop();
    await work?.cleanup();
  });

  const get = (pathname: string) => fetch(new URL(pathname, server.url), { redirect: 'manual' });

  function expectSecurityHeaders(response: Response, label: string): string {
    for (const [name, value] of Object.entries(COMMON)) expect(response.headers.get(name), `${label}: ${name}`).toBe(value);
    expect(response.headers.get('permissions-policy'), label).toMatch(/camera=\(\)/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp, label).toContain("frame-ancestors 'none'");
    return csp;
  }

  /** The script policy a page enforces: its CSP header's, else the <meta> Astro put in the HTML. */
  function scriptPolicy(csp: string, html: string): string {
    const meta = /<meta http-equiv="content-security-policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    return [csp, meta].flatMap((policy) => policy.split(';')).find((d) => d.trim().startsWith('script-src'))?.trim() ?? '';
  }

  it('an on-demand page, a prerendered page, a static asset, an API route, /media and a refusal all carry them', async () => {
    const onDemand = await get('/login');
    const onDemandScripts = scriptPolicy(expectSecurityHeaders(onDemand, '/login'), await onDemand.text());
    const prerendered = await get('/');
    expect(prerendered.headers.get('content-type')).toMatch(/^text\/html/);
    const staticScripts = scriptPolicy(expectSecurityHeaders(prerendered, '/'), await prerendered.text());
    for (const policy of [onDemandScripts, staticScripts]) {
      expect(policy).toMatch(/^script-src 'self' .*'sha256-/);
      expect(policy).not.toContain('unsafe-inline');
    }

    const favicon = await get('/favicon.svg');
    expect(favicon.status).toBe(200);
    expectSecurityHeaders(favicon, '/favicon.svg');

    const api = await get('/api/auth/me');
    expect(expectSecurityHeaders(api, '/api/auth/me')).toContain("default-src 'none'");

    const image = await get('/media/headers/cover.png');
    expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(expectSecurityHeaders(image, '/media (image)')).toContain('sandbox');

    // An uploaded document is never rendered on our origin: opaque bytes, downloaded.
    const html = await get('/media/headers/page.html');
    expect([html.headers.get('content-type'), html.headers.get('content-disposition')]).toEqual(['application/octet-stream', 'attachment']);
    expectSecurityHeaders(html, '/media (html)');

    const missing = await get('/media/headers/nothing.png');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing, '/media (404)');
    // The adapter's own answer to a malformed path, before Astro runs.
    const malformed = await get('/feed/%E0%A4%A');
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expectSecurityHeaders(malformed, 'malformed path');
  });
});
