// The fixture site (built once by the site project's global setup) deployed to a fresh s3rver bucket with the
// real deploy (ingest/deploy/), served by the bucket server `ingest deploy --preview` runs (it reads the bucket
// through the S3 API as the CDN does; the community paths go to the fixture's Node server as the CDN's second
// origin), and opened in the shared Chromium: pages whole, cache headers as stored, and a second deploy that
// uploads only what changed while the previous release's asset stays served. The server's own answers (404 page,
// conditional requests, what goes to the origin) are unit-tested in ingest/deploy/bucket-site-server.test.ts.
// Chromium missing: skipped locally, a failure with REQUIRE_SERVICES=1 (CI).
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBucketSiteServer, type BucketSiteServer } from '../../ingest/deploy/bucket-site-server.ts';
import { deploySite, IMMUTABLE } from '../../ingest/deploy/deploy-site.ts';
import { SiteBucket } from '../../ingest/deploy/site-bucket.ts';
import { S3RVER_CREDENTIALS, startS3rver } from '../../src/core/testing/s3rver.ts';
import { serviceGate, uniqueSuffix } from '../../src/core/testing/services.ts';
import { chromiumAvailability } from './harness.ts';
import { connectChromium, recordPageErrors, ReusedTab, site } from './site.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());

const HTML_MAX_AGE = 300;
const SHORT = `public, max-age=${HTML_MAX_AGE}, must-revalidate`;

describe.runIf(enabled)('the site deployed to the bucket, through the CDN-like bucket server', { timeout: 120_000 }, () => {
  let s3: Awaited<ReturnType<typeof startS3rver>> | undefined;
  let bucket: SiteBucket | undefined;
  let server: BucketSiteServer | undefined;
  let browser: Browser | undefined;
  let tab: ReusedTab | undefined;
  let dir = '';
  let base = '';
  const day = Date.parse('2026-12-04T19:00:00Z');

  beforeAll(async () => {
    // A copy: the second deploy changes a file, and the built site is shared by every file of the project.
    dir = await mkdtemp(path.join(os.tmpdir(), 'huaku-deployed-'));
    await cp(path.join(site().outDir, 'client'), dir, { recursive: true });
    s3 = await startS3rver();
    if ('error' in s3) throw s3.error;
    bucket = new SiteBucket({
      bucket: `huaku-deployed-${uniqueSuffix()}`, endpoint: s3.endpoint, region: 'us-east-1', ...S3RVER_CREDENTIALS,
      forcePathStyle: true, keepDays: 7, htmlMaxAge: HTML_MAX_AGE,
    });
    await bucket.ensure();
    const first = await deploySite({ bucket, dir, htmlMaxAge: HTML_MAX_AGE, keepDays: 7, now: new Date(day), concurrency: 16 });
    expect(first.uploaded).toBe(first.files);
    server = await startBucketSiteServer({ bucket, origin: site().url });
    base = server.url;
    browser = await connectChromium();
    tab = await ReusedTab.open(browser);
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await server?.stop();
    bucket?.close();
    if (s3 && !('error' in s3)) await s3.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The file's tab, reset, recording console errors, uncaught exceptions, failed requests and every response. */
  async function openPage(): Promise<{ page: Page; problems: string[]; responses: Response[] }> {
    const page = await tab!.fresh();
    const problems: string[] = [];
    const responses: Response[] = [];
    recordPageErrors(page, problems);
    // ERR_ABORTED: a request the page itself dropped on leaving (a lazy image when a link is followed), not a failure.
    page.on('requestfailed', (r) => {
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
    });
    page.on('response', (r) => {
      responses.push(r);
      if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
    });
    return { page, problems, responses };
  }

  const pathOf = (r: Response) => new URL(r.url()).pathname;

  it('serves the home page whole, an artwork page from its link, and the search page with its search index', async () => {
    const { page, problems, responses } = await openPage();
    const home = await page.goto(`${base}/`);
    expect([home?.status(), home?.headers()['content-type'], home?.headers()['cache-control']]).toEqual([200, 'text/html; charset=utf-8', SHORT]);
    // The layout's styles are inline (astro.config.mjs: no render-blocking stylesheet) and apply: the
    // layout's font stack, not the browser default.
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain('PingFang SC');

    // An artwork page, reached by its link; its scripts load from the bucket too.
    const link = page.locator('a[href^="/artwork/"]').first();
    const href = (await link.getAttribute('href'))!;
    await Promise.all([page.waitForURL(`${base}${href}`), link.click()]);
    expect(await page.locator('h1').count()).toBeGreaterThan(0);
    const artwork = responses.find((r) => pathOf(r) === href);
    expect([artwork?.status(), artwork?.headers()['cache-control']]).toEqual([200, SHORT]);
    const scripts = responses.filter((r) => /^\/_astro\/.*\.js$/.test(pathOf(r)));
    expect(scripts.length, 'scripts from /_astro/').toBeGreaterThan(0);
    for (const script of scripts) expect([script.status(), script.headers()['content-type'], script.headers()['cache-control']]).toEqual([200, 'text/javascript; charset=utf-8', IMMUTABLE]);

    // The search page runs a query over the search index read from the bucket.
    await page.goto(`${base}/search?q=${encodeURIComponent('山水')}`);
    await expect.poll(() => page.locator('[data-search-status]').textContent(), { timeout: 60_000 }).toMatch(/找到 \d+/);
    expect(await page.locator('.search-results .work-card').count()).toBeGreaterThan(0);
    const entry = responses.find((r) => pathOf(r) === '/search-index/entry.json');
    expect([entry?.status(), entry?.headers()['cache-control']]).toEqual([200, SHORT]);
    const shard = responses.find((r) => /^\/search-index\/[0-9a-f]{12}\/terms\//.test(pathOf(r)));
    expect([shard?.status(), shard?.headers()['content-type'], shard?.headers()['cache-control']]).toEqual([200, 'application/json', IMMUTABLE]);
    expect(problems).toEqual([]);
  });

  it('uploads only what a second deploy changed, and keeps serving the asset the previous page names', async () => {
    // The /analytics page's script changed: a new hashed name, and every page naming it (the chart pages
    // share it) names the new one.
    const pageHtml = path.join(dir, 'analytics', 'index.html');
    const oldJs = (await readFile(pageHtml, 'utf8')).match(/\/_astro\/([^"/]+\.js)"/)![1]!;
    const newJs = oldJs.replace(/\.js$/, '2.js');
    await writeFile(path.join(dir, '_astro', newJs), `${await readFile(path.join(dir, '_astro', oldJs), 'utf8')}\n// v2\n`);
    await rm(path.join(dir, '_astro', oldJs));
    const naming: string[] = [];
    for (const file of await readdir(dir, { recursive: true })) {
      if (!file.endsWith('.html')) continue;
      const html = await readFile(path.join(dir, file), 'utf8');
      if (!html.includes(`/_astro/${oldJs}`)) continue;
      naming.push(file);
      await writeFile(path.join(dir, file), html.replaceAll(oldJs, newJs));
    }
    expect(naming).toContain(path.join('analytics', 'index.html'));
    const second = await deploySite({ bucket: bucket!, dir, htmlMaxAge: HTML_MAX_AGE, keepDays: 7, now: new Date(day + 86_400_000), concurrency: 16 });
    expect(second).toMatchObject({ uploaded: 1 + naming.length, retired: 1, deleted: 0 });

    // A visitor holding yesterday's /analytics still gets its script; today's page loads the new one, whole.
    const old = await fetch(`${base}/_astro/${oldJs}`);
    expect([old.status, old.headers.get('cache-control')]).toEqual([200, IMMUTABLE]);
    const { page, problems, responses } = await openPage();
    await page.goto(`${base}/analytics`);
    await expect.poll(() => responses.map(pathOf)).toContain(`/_astro/${newJs}`);
    expect(responses.map(pathOf)).not.toContain(`/_astro/${oldJs}`);
    expect(problems).toEqual([]);
  });
});
