import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/env.ts';
import { createApiRouter, type EndpointModule } from './api-router.ts';

const config = loadConfig({ LOG_LEVEL: 'silent', SITE_URL: 'https://huaku.test' });
const echo = (name: string) => (context: { request: Request; params: Record<string, string> }) =>
  Response.json({ name, method: context.request.method, params: context.params });
const endpoint = (name: string, extra: EndpointModule = {}) => async () => ({ prerender: false, GET: echo(name), ...extra });

const router = createApiRouter(
  {
    // Keys as import.meta.glob gives them from src/api-routes.ts, in no particular order.
    './pages/api/v1/generate/[job_id].ts': endpoint('job'),
    './pages/api/v1/generate/presets.ts': endpoint('presets'),
    './pages/api/v1/generate/[job_id]/cancel.ts': endpoint('cancel', { POST: echo('cancel') }),
    './pages/api/auth/google/index.ts': endpoint('google'),
    './pages/api/artworks/[id]/like.ts': async () => ({ prerender: false, POST: echo('like'), DELETE: echo('unlike') }),
    './pages/api/static.ts': async () => ({ GET: echo('static') }),
  },
  () => config,
);

async function call(method: string, pathname: string, headers: Record<string, string> = {}) {
  const found = await router.match(pathname);
  if (!found) return null;
  const url = new URL(pathname, 'https://huaku.test');
  return found.handle({ request: new Request(url, { method, headers }), url, clientAddress: '127.0.0.1' });
}

describe('API router', () => {
  it('matches by file path with Astro precedence: literal segments before parameters, index files, trailing slashes', async () => {
    expect(router.routes.indexOf('/api/v1/generate/presets')).toBeLessThan(router.routes.indexOf('/api/v1/generate/[job_id]'));
    expect(await (await call('GET', '/api/v1/generate/presets'))!.json()).toMatchObject({ name: 'presets', params: {} });
    expect(await (await call('GET', '/api/v1/generate/j42/'))!.json()).toMatchObject({ name: 'job', params: { job_id: 'j42' } });
    expect(await (await call('POST', '/api/v1/generate/j42/cancel'))!.json()).toMatchObject({ name: 'cancel', params: { job_id: 'j42' } });
    expect(await (await call('GET', '/api/auth/google'))!.json()).toMatchObject({ name: 'google' });
    // Not served here (Astro answers them): no file, an empty parameter, a prerendered endpoint.
    for (const pathname of ['/api/nothing', '/api/artworks//like', '/api/v1/generate/j42/cancel/more', '/api/static']) expect(await router.match(pathname), pathname).toBeNull();
  });

  it("dispatches methods as Astro does: the method's export, HEAD by GET without a body, 404 without a handler", async () => {
    expect(await (await call('DELETE', '/api/artworks/7/like'))!.json()).toMatchObject({ name: 'unlike', params: { id: '7' } });
    const head = (await call('HEAD', '/api/v1/generate/presets'))!;
    expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([200, 'application/json', '']);
    expect((await call('GET', '/api/artworks/7/like'))!.status).toBe(404);
  });

  it("does the middleware's edge work: security headers, and a cross-site write refused before the route runs", async () => {
    const answer = (await call('POST', '/api/artworks/7/like', { origin: 'https://huaku.test' }))!;
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const refused = (await call('POST', '/api/artworks/7/like', { origin: 'https://evil.test' }))!;
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([403, 'cross_site']);
  });

  it('refuses route syntax whose precedence it does not implement', () => {
    expect(() => createApiRouter({ './pages/api/files/[...path].ts': endpoint('x') }, () => config)).toThrow(/unsupported route segment/);
  });
});
