// Browser smoke test of the built site: one `astro build` over a small snapshot, the standalone Node
// server, headless Chromium. A second build over an empty snapshot checks the empty state (HTML only).
// Chromium missing: skipped locally, a failure with REQUIRE_SERVICES=1 (CI).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/core/blob/local-blob-store.ts';
import { sampleWork, writeTestSnapshot } from '../../src/core/snapshot/test-fixtures.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { buildSite, chromiumAvailability, launchChromium, makeWorkDir, startSiteServer, type RunningServer } from './harness.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());

const SITE_URL = 'https://huaku.example';
const TITLE = '画库 Huaku · AI 绘画作品与模型库';
/** A valid 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

// Six works, newest = 6. Variants: only an English title, no author, no images.
const works = [
  sampleWork(1),
  sampleWork(2, { title: null, titleEn: 'English only title' }),
  sampleWork(3, { author: null }),
  sampleWork(4, { images: [] }),
  sampleWork(5, { source: 'civitai', id: 'civitai-5', externalId: '5' }),
  sampleWork(6, { title: '赛博朋克城市夜景', author: { id: 'liblib:a-9', username: 'liblib-a-9', name: '画师小王', avatarUrl: null } }),
];

// A generous timeout: on a busy machine the first test (loading every thumbnail) nears the default 30 s.
describe.runIf(enabled)('home page in a browser', { timeout: 120_000 }, () => {
  let cleanup: (() => Promise<void>) | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let emptyIndexHtml = '';
  const timings: Record<string, number> = {};
  const ODD_KEY = 'test/空 格#1?%25.png';
  let oddKeyUrl = '';

  beforeAll(async () => {
    const work = await makeWorkDir('huaku-browser-');
    cleanup = work.cleanup;
    const dir = work.dir;
    const snapshotDir = path.join(dir, 'snapshot');
    const blobDir = path.join(dir, 'blobs');
    await writeTestSnapshot(snapshotDir, works, { chunkSize: 4 });

    // The works' images live in the local blob store and are served by /media/… (the route under test).
    const blobs = new LocalBlobStore({ driver: 'local', dir: blobDir, publicBaseUrl: '/media' });
    for (const work of works) {
      for (const image of work.images) await blobs.put(image.url.replace(/^\/media\//, ''), PNG, { contentType: 'image/png' });
    }
    // A key with characters that publicUrl percent-encodes (space, #, ?, CJK): the route must invert it.
    await blobs.put(ODD_KEY, PNG, { contentType: 'image/png' });
    oddKeyUrl = blobs.publicUrl(ODD_KEY);
    await blobs.close();

    // Two builds in parallel: the snapshot one is served, the empty one is only read as HTML.
    const [full, empty] = await Promise.all([
      buildSite({
        outDir: path.join(dir, 'dist'),
        cacheDir: path.join(dir, 'astro-cache'),
        env: { SNAPSHOT_DIR: snapshotDir, SITE_URL },
      }),
      buildSite({
        outDir: path.join(dir, 'dist-empty'),
        cacheDir: path.join(dir, 'astro-cache-empty'),
        env: { SNAPSHOT_DIR: path.join(dir, 'no-snapshot'), SITE_URL },
      }),
    ]);
    timings.buildMs = full.ms;
    timings.emptyBuildMs = empty.ms;
    emptyIndexHtml = await readFile(path.join(empty.outDir, 'client', 'index.html'), 'utf8');

    const started = performance.now();
    server = await startSiteServer({ outDir: full.outDir, workDir: dir, snapshotDir, blobDir, env: { SITE_URL } });
    timings.serverStartMs = Math.round(performance.now() - started);
    browser = await launchChromium();
  });

  afterAll(async () => {
    console.info(`[browser] timings ${JSON.stringify(timings)}`);
    await browser?.close();
    await server?.stop();
    await cleanup?.();
  });

  /** A fresh page that records console errors and uncaught exceptions. */
  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    return { page, errors };
  }

  it('renders the newest works with their thumbnails, without console errors', async () => {
    const { page, errors } = await openPage();
    const response = await page.goto(`${server!.url}/`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe(TITLE);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toBe(`${SITE_URL}/`);
    expect(await page.locator('meta[property="og:title"]').getAttribute('content')).toBe(TITLE);

    // The newest section: newest first; the newest work's title and author are visible.
    const newest = page.locator('#newest');
    const cards = newest.locator('.work-card');
    expect(await cards.count()).toBe(works.length);
    await expect.poll(() => cards.first().getAttribute('data-work-id')).toBe(works[5]!.id);
    expect(await newest.getByText('赛博朋克城市夜景').isVisible()).toBe(true);
    expect(await newest.getByText('画师小王').isVisible()).toBe(true);
    expect(await newest.getByText('English only title').isVisible()).toBe(true);
    expect(await newest.locator('[data-work-id="liblib-1000000000000000003"]').getByText('佚名').count()).toBe(1);
    expect(await newest.locator('[data-work-id="liblib-1000000000000000004"]').getByText('暂无图片').count()).toBe(1);
    expect(await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '作品流', exact: true }).getAttribute('href')).toBe('/feed');
    expect(await page.getByText('还没有作品').count()).toBe(0);

    // Thumbnails carry their dimensions; the first screen (the hot section) loads eagerly, the rest lazily.
    const images = await newest.locator('.work-card img').evaluateAll((nodes) =>
      (nodes as HTMLImageElement[]).map((img) => ({
        src: img.getAttribute('src'),
        width: img.getAttribute('width'),
        height: img.getAttribute('height'),
        loading: img.getAttribute('loading'),
      })),
    );
    expect(images).toHaveLength(5);
    for (const image of images) {
      expect(image.src).toMatch(/^\/media\/test\/\d\.png$/);
      expect([image.width, image.height]).toEqual(['768', '1024']);
    }
    expect(images.map((i) => i.loading)).toEqual(['lazy', 'lazy', 'lazy', 'lazy', 'lazy']);
    const hotLoading = await page.locator('#hot .work-card img').evaluateAll((nodes) => nodes.map((img) => img.getAttribute('loading')));
    expect(hotLoading).toEqual(['eager', 'eager', 'eager', 'eager', 'eager']);

    // Every image, lazy ones included once scrolled to, loads through /media/….
    await newest.scrollIntoViewIfNeeded();
    await expect
      .poll(() => page.locator('.work-card img').evaluateAll((nodes) => (nodes as HTMLImageElement[]).every((i) => i.complete && i.naturalWidth === 1)))
      .toBe(true);

    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the empty state when there is no snapshot', () => {
    expect(emptyIndexHtml).toContain('<html lang="zh-CN"');
    expect(emptyIndexHtml).toContain(`<title>${TITLE}</title>`);
    expect(emptyIndexHtml).toContain('还没有作品');
    expect(emptyIndexHtml).toContain('npm run ingest');
    expect(emptyIndexHtml).not.toContain('data-work-id');
  });

  it('answers /api/health with JSON', async () => {
    const response = await fetch(`${server!.url}/api/health`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toMatchObject({
      status: 'ok',
      database: { ok: true, dialect: 'sqlite' },
      blobs: { ok: true, driver: 'local' },
    });
    expect(response.status).toBe(200);
  });

  it('serves media from the blob store, 404 for a missing key and 400 for an invalid one', async () => {
    const found = await fetch(`${server!.url}/media/test/1.png`);
    expect(found.status).toBe(200);
    expect(found.headers.get('content-type')).toBe('image/png');
    expect(found.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await found.arrayBuffer())).toEqual(PNG);

    const odd = await fetch(`${server!.url}${oddKeyUrl}`);
    expect(oddKeyUrl).toBe('/media/test/%E7%A9%BA%20%E6%A0%BC%231%3F%2525.png');
    expect(odd.status).toBe(200);
    expect(Buffer.from(await odd.arrayBuffer())).toEqual(PNG);

    const head = await fetch(`${server!.url}/media/test/1.png`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(PNG.length));

    const missing = await fetch(`${server!.url}/media/test/nope.png`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(missing.headers.get('cache-control')).toBe('no-store');

    for (const bad of ['test/a%5Cb.png', 'test/..%2F..%2Fsecret', 'test/a%00b.png']) {
      const invalid = await fetch(`${server!.url}/media/${bad}`);
      expect(invalid.status, bad).toBe(400);
      expect(await invalid.json()).toMatchObject({ error: { code: 'invalid_key' } });
    }
  });

  it('answers a missing page with the Chinese 404 page', async () => {
    const { page, errors } = await openPage();
    const response = await page.goto(`${server!.url}/no-such-page`);
    expect(response?.status()).toBe(404);
    expect(await page.title()).toBe('页面不存在 · 画库 Huaku');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('页面不存在');
    expect(await page.getByRole('link', { name: '返回首页' }).getAttribute('href')).toBe('/');
    expect(await page.locator('meta[name="robots"]').getAttribute('content')).toBe('noindex');
    // The browser logs the 404 status of the document itself; nothing else may fail.
    expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    await page.close();
  });
});
