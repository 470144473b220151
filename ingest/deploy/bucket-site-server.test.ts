// The bucket server (`ingest deploy --preview`) against s3rver: what the CDN answers — directory pages, stored
// headers, conditional requests, the 404 page, nothing of `_deploy/` — and what goes to the community origin.
// The whole site through it in Chromium: tests/browser/deployed-site.browser.test.ts.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3RVER_CREDENTIALS, startS3rver } from '../../src/core/testing/s3rver.ts';
import { uniqueSuffix } from '../../src/core/testing/services.ts';
import { keyOfPath, startBucketSiteServer, type BucketSiteServer } from './bucket-site-server.ts';
import { deploySite, IMMUTABLE } from './deploy-site.ts';
import { SiteBucket } from './site-bucket.ts';

const SHORT = 'public, max-age=300, must-revalidate';

describe('keyOfPath', () => {
  it('maps URL paths to bucket keys, directories to their index.html, and refuses what no key can be', () => {
    expect(['/', '/a/', '/a/b.css', '/%E7%94%BB/'].map(keyOfPath)).toEqual(['index.html', 'a/index.html', 'a/b.css', '画/index.html']);
    expect(['/a/../_deploy/manifest.json', '/%2e%2e/x', '/%E0%A4%A', '/a%00b'].map(keyOfPath)).toEqual([null, null, null, null]);
  });
});

describe('the bucket server on s3rver', () => {
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  let bucket: SiteBucket;
  let origin: http.Server;
  const seen: string[] = [];
  let plain: BucketSiteServer;
  let withOrigin: BucketSiteServer;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-bucket-server-'));

  beforeAll(async () => {
    s3 = await startS3rver();
    if ('error' in s3) throw s3.error;
    bucket = new SiteBucket({ bucket: `huaku-preview-${uniqueSuffix()}`, endpoint: s3.endpoint, region: 'us-east-1', ...S3RVER_CREDENTIALS, forcePathStyle: true, keepDays: 7, htmlMaxAge: 300 });
    await bucket.ensure();
    for (const [file, body] of Object.entries({
      'index.html': '<html>home</html>', '404.html': '<html>不存在</html>', 'loras/index.html': '<html>loras</html>', '_astro/app.A1.js': 'app',
    })) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), body);
    }
    await deploySite({ bucket, dir, htmlMaxAge: 300, keepDays: 7 });
    // The community server: echoes what reached it, sets a cookie.
    origin = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body}`.trim());
        res.writeHead(req.url === '/api/missing' ? 404 : 200, { 'content-type': 'application/json', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
        res.end(JSON.stringify({ from: 'origin', url: req.url }));
      });
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    plain = await startBucketSiteServer({ bucket });
    withOrigin = await startBucketSiteServer({ bucket, origin: `http://127.0.0.1:${(origin.address() as AddressInfo).port}/` });
  });
  afterAll(async () => {
    await plain?.stop();
    await withOrigin?.stop();
    await new Promise((resolve) => origin?.close(resolve));
    bucket?.close();
    if (s3 && !('error' in s3)) await s3.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves directory pages with or without the slash, with the headers the deploy stored', async () => {
    for (const url of ['/', '/loras', '/loras/', '/loras?x=1']) {
      const response = await fetch(`${plain.url}${url}`);
      expect([url, response.status, response.headers.get('content-type'), response.headers.get('cache-control')]).toEqual([url, 200, 'text/html; charset=utf-8', SHORT]);
      expect(await response.text()).toBe(url === '/' ? '<html>home</html>' : '<html>loras</html>');
    }
    const asset = await fetch(`${plain.url}/_astro/app.A1.js`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', IMMUTABLE]);
    const again = await fetch(`${plain.url}/_astro/app.A1.js`, { headers: { 'if-none-match': asset.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const head = await fetch(`${plain.url}/`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, '17', '']);
  });

  it('answers a miss, a bad path and the deploy manifest with the 404 page; refuses writes without an origin', async () => {
    for (const url of ['/nope', '/_astro/gone.B2.js', '/_deploy/manifest.json', '/%E0%A4%A']) {
      const response = await fetch(`${plain.url}${url}`);
      expect([url, response.status, await response.text()]).toEqual([url, 404, '<html>不存在</html>']);
    }
    const post = await fetch(`${plain.url}/api/auth/login`, { method: 'POST', body: '{}' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('forwards the community paths, writes and missing pages to the origin, never a missing file', async () => {
    seen.length = 0;
    const api = await fetch(`${withOrigin.url}/api/feed?page=2`);
    expect([api.status, await api.json(), api.headers.getSetCookie()]).toEqual([200, { from: 'origin', url: '/api/feed?page=2' }, ['a=1; Path=/', 'b=2; Path=/']]);
    expect((await fetch(`${withOrigin.url}/api/missing`)).status).toBe(404);
    expect((await fetch(`${withOrigin.url}/login`, { method: 'POST', body: 'name=x' })).status).toBe(200);
    expect((await fetch(`${withOrigin.url}/user/someone`)).status).toBe(200);
    // From the bucket, not the origin: a page it has, a file it lacks.
    expect(await (await fetch(`${withOrigin.url}/loras`)).text()).toBe('<html>loras</html>');
    expect((await fetch(`${withOrigin.url}/_astro/gone.B2.js`)).status).toBe(404);
    expect(seen).toEqual(['GET /api/feed?page=2', 'GET /api/missing', 'POST /login name=x', 'GET /user/someone']);
  });
});
