// Search, SEO files and accessibility of the built site, in one `astro build` over a small snapshot:
// pagefind finds works by Chinese and English words through the real /search page, the header search box
// is on every page kind and submits (with and without JavaScript), the sitemap index and its files are
// valid XML with the right URLs (split by a tiny SITEMAP_MAX_URLS), robots.txt, and axe-core finds no
// serious or critical violation on the main page types.
// Chromium missing: skipped locally, a failure with REQUIRE_SERVICES=1 (CI).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/core/blob/local-blob-store.ts';
import { loraPath, userPath, workPath } from '../../src/site/works.ts';
import { sampleLora, sampleWork, writeTestSnapshot } from '../../src/core/snapshot/test-fixtures.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { REPO_ROOT, buildSite, chromiumAvailability, launchChromium, makeWorkDir, startSiteServer, type RunningServer } from './harness.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());

const SITE_URL = 'https://huaku.example';
/** Small enough that this snapshot's URLs need three sitemap files. */
const SITEMAP_MAX_URLS = 15;
/** A valid 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

// Twenty fillers share the fixture's prompt; three works carry the words the queries look for.
const INK = sampleWork(101, {
  title: '水墨山水',
  titleEn: 'Ink landscape',
  prompt: '水墨画风格的山水，远山与云雾，一叶扁舟',
  author: { id: 'liblib:ink', username: 'liblib-ink-master', name: '墨客', avatarUrl: null },
});
const NEON = sampleWork(102, {
  title: '霓虹少女',
  titleEn: null,
  prompt: 'a cyberpunk girl with neon lights, rain, reflections',
  models: [
    { type: 'CHECKPOINT', name: 'Juggernaut XL', url: null, loraId: null },
    { type: 'LORA', name: 'Neon Glow', url: null, loraId: '1' },
  ],
});
const HOSTILE = sampleWork(103, {
  title: '<script>window.__xss = 1</script>',
  prompt: '"><img src=x onerror="window.__xss = 1"> 恶意测试',
});
const works = [...Array.from({ length: 20 }, (_, i) => sampleWork(i + 1)), INK, NEON, HOSTILE];
const loras = [sampleLora(1, { workIds: [NEON.id] }), sampleLora(2)];
const authors = [...new Set(works.flatMap((w) => (w.author ? [w.author.username] : [])))];

/** Every URL the sitemap must list (no feed pages beyond the first: 23 works fit one page). */
const expectedUrls = [
  '/', '/features', '/feed', '/feed/hot', '/loras', '/analytics',
  ...works.map(workPath), ...authors.map(userPath), ...loras.map((l) => loraPath(l.id)),
].map((p) => new URL(p, SITE_URL).href);

/** The main page types, each with the path to open. */
const PAGE_KINDS: Array<{ name: string; path: string; status?: number }> = [
  { name: 'home', path: '/' },
  { name: 'feed', path: '/feed' },
  { name: 'artwork', path: workPath(INK) },
  { name: 'user', path: userPath(INK.author!.username) },
  { name: 'loras', path: '/loras' },
  { name: 'lora', path: loraPath('1') },
  { name: 'analytics', path: '/analytics' },
  { name: 'search', path: `/search?q=${encodeURIComponent('山水')}` },
  { name: 'login', path: '/login' },
  { name: '404', path: '/no-such-page', status: 404 },
];

describe.runIf(enabled)('search, sitemap, robots.txt and accessibility', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let clientDir = '';

  beforeAll(async () => {
    const work = await makeWorkDir('huaku-search-seo-');
    cleanup = work.cleanup;
    const snapshotDir = path.join(work.dir, 'snapshot');
    const blobDir = path.join(work.dir, 'blobs');
    await writeTestSnapshot(snapshotDir, works, { loras, manifest: { generatedAt: '2025-03-01T00:00:00.000Z' } });
    const blobs = new LocalBlobStore({ driver: 'local', dir: blobDir, publicBaseUrl: '/media' });
    for (const w of works) for (const image of w.images) await blobs.put(image.url.replace(/^\/media\//, ''), PNG, { contentType: 'image/png' });
    for (const l of loras) if (l.coverUrl) await blobs.put(l.coverUrl.replace(/^\/media\//, ''), PNG, { contentType: 'image/png' });
    await blobs.close();

    const env = { SNAPSHOT_DIR: snapshotDir, SITE_URL, SITEMAP_MAX_URLS: String(SITEMAP_MAX_URLS) };
    const built = await buildSite({ outDir: path.join(work.dir, 'dist'), cacheDir: path.join(work.dir, 'astro-cache'), env });
    clientDir = path.join(built.outDir, 'client');
    server = await startSiteServer({ outDir: built.outDir, workDir: work.dir, snapshotDir, blobDir, env });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await cleanup?.();
  });

  /** Results shown on /search for `query`, once the page has finished searching. */
  async function searchResults(page: Page): Promise<Array<{ href: string | null; title: string; image: string | null }>> {
    await expect.poll(() => page.locator('[data-search-status]').textContent(), { timeout: 30_000 }).toMatch(/找到|没有找到|不可用/);
    return page.locator('.search-result a').evaluateAll((links) =>
      links.map((a) => ({ href: a.getAttribute('href'), title: a.querySelector('h2')?.textContent ?? '', image: a.querySelector('img')?.getAttribute('src') ?? null })),
    );
  }

  /** One tab for the query helper: pagefind's files stay in its cache between queries. */
  let searchPage: Page | undefined;
  async function search(query: string): Promise<Array<{ href: string | null; title: string; image: string | null }>> {
    searchPage ??= await browser!.newPage();
    await searchPage.goto(`${server!.url}/search?q=${encodeURIComponent(query)}`);
    return searchResults(searchPage);
  }

  it('writes a pagefind index over the artwork pages only', async () => {
    const entry = JSON.parse(await readFile(path.join(clientDir, 'pagefind', 'pagefind-entry.json'), 'utf8')) as {
      languages: Record<string, { page_count: number }>;
    };
    // Pagefind keys the index by the pages' language (zh-CN): Chinese is segmented into words.
    expect(Object.keys(entry.languages)).toEqual(['zh-cn']);
    expect(entry.languages['zh-cn']!.page_count).toBe(works.length);
  });

  it('finds a work by Chinese words of its prompt, title and author', async () => {
    for (const query of ['山水', '云雾', '水墨画', '墨客']) {
      const results = await search(query);
      expect(results.map((r) => r.href), query).toContain(workPath(INK));
      expect(results.find((r) => r.href === workPath(INK)), query).toMatchObject({ title: '水墨山水', image: INK.images[0]!.url });
      expect(results.map((r) => r.href), `${query} matches only the ink work`).not.toContain(workPath(works[0]!));
    }
  }, 60_000);

  it('finds a work by English words of its prompt, English title and model', async () => {
    expect((await search('cyberpunk')).map((r) => r.href)).toEqual([workPath(NEON)]);
    expect((await search('neon')).map((r) => r.href)).toContain(workPath(NEON));
    expect((await search('Juggernaut')).map((r) => r.href)).toEqual([workPath(NEON)]);
    expect((await search('landscape')).map((r) => r.href)).toEqual([workPath(INK)]);
    // Words no work contains (common characters like 的 or 不 would match the pages' own copy).
    expect(await search('qzxjvw')).toEqual([]);
    expect(await search('龘靐')).toEqual([]);
  }, 60_000);

  it('renders hostile titles and prompts in results as text', async () => {
    const page = await browser!.newPage();
    await page.goto(`${server!.url}/search?q=${encodeURIComponent('恶意测试')}`);
    const results = await searchResults(page);
    expect(results).toEqual([{ href: workPath(HOSTILE), title: HOSTILE.title, image: HOSTILE.images[0]!.url }]);
    expect(await page.locator('.search-results img[src="x"], .search-results script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    await page.close();
  });

  it('runs a new query from the search page form and keeps it in the URL', async () => {
    const page = await browser!.newPage();
    await page.goto(`${server!.url}/search`);
    await page.getByRole('searchbox', { name: '关键词' }).fill('一叶扁舟');
    await page.getByRole('searchbox', { name: '关键词' }).press('Enter');
    expect((await searchResults(page)).map((r) => r.href)).toContain(workPath(INK));
    expect(new URL(page.url()).searchParams.get('q')).toBe('一叶扁舟');
    await page.close();
  });

  it('has the header search box on every page kind, and it submits to /search', async () => {
    for (const kind of PAGE_KINDS) {
      const page = await browser!.newPage();
      await page.goto(`${server!.url}${kind.path}`);
      const box = page.getByRole('search', { name: '全站搜索' }).getByRole('searchbox', { name: '搜索作品' });
      expect(await box.count(), kind.name).toBe(1);
      await box.fill('云雾');
      await box.press('Enter');
      await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === '云雾');
      // The results themselves: one page kind is enough (the other tests query /search directly).
      if (kind.name === 'artwork') expect((await searchResults(page)).map((r) => r.href)).toContain(workPath(INK));
      await page.close();
    }
  }, 180_000);

  it('submits the header box without JavaScript, and /search says JavaScript is needed', async () => {
    const context = await browser!.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server!.url}/`);
    await page.getByRole('searchbox', { name: '搜索作品' }).fill('山水');
    await page.getByRole('searchbox', { name: '搜索作品' }).press('Enter');
    await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === '山水');
    expect(await page.getByText('搜索需要启用 JavaScript').isVisible()).toBe(true);
    await context.close();
  });

  it('publishes a sitemap index whose files are valid XML listing every public URL once, split at the limit', async () => {
    const page = await browser!.newPage();
    /** Parse XML in the browser; null when it is not well-formed. */
    const parse = (xml: string) =>
      page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        if (doc.querySelector('parsererror')) return null;
        const ns = 'http://www.sitemaps.org/schemas/sitemap/0.9';
        const locs = (tag: string) =>
          [...doc.getElementsByTagNameNS(ns, tag)].map((el) => ({
            loc: el.getElementsByTagNameNS(ns, 'loc')[0]?.textContent ?? '',
            lastmod: el.getElementsByTagNameNS(ns, 'lastmod')[0]?.textContent ?? null,
          }));
        return { root: doc.documentElement.localName, sitemaps: locs('sitemap'), urls: locs('url') };
      }, xml);

    const indexResponse = await fetch(`${server!.url}/sitemap-index.xml`);
    expect(indexResponse.status).toBe(200);
    const index = await parse(await indexResponse.text());
    expect(index?.root).toBe('sitemapindex');
    const fileCount = Math.ceil(expectedUrls.length / SITEMAP_MAX_URLS);
    expect(fileCount).toBe(3);
    expect(index!.sitemaps.map((s) => s.loc)).toEqual(Array.from({ length: fileCount }, (_, i) => `${SITE_URL}/sitemap-${i + 1}.xml`));

    const listed: Array<{ loc: string; lastmod: string | null }> = [];
    for (const [i, sitemap] of index!.sitemaps.entries()) {
      const response = await fetch(`${server!.url}${new URL(sitemap.loc).pathname}`);
      expect(response.status).toBe(200);
      const file = await parse(await response.text());
      expect(file?.root, sitemap.loc).toBe('urlset');
      expect(file!.urls.length, sitemap.loc).toBe(i < fileCount - 1 ? SITEMAP_MAX_URLS : expectedUrls.length - SITEMAP_MAX_URLS * (fileCount - 1));
      listed.push(...file!.urls);
    }
    expect(listed.map((u) => u.loc).sort()).toEqual([...expectedUrls].sort());
    // lastmod: a work's publishedAt, the snapshot's generatedAt for lists.
    expect(listed.find((u) => u.loc === `${SITE_URL}${workPath(INK)}`)?.lastmod).toBe(INK.publishedAt);
    expect(listed.find((u) => u.loc === `${SITE_URL}/`)?.lastmod).toBe('2025-03-01T00:00:00.000Z');
    expect(await fetch(`${server!.url}/sitemap-${fileCount + 1}.xml`).then((r) => r.status)).toBe(404);
    // Every listed URL is a page the build published.
    for (const { loc } of listed) {
      expect(await fetch(`${server!.url}${new URL(loc).pathname}`).then((r) => r.status), loc).toBe(200);
    }
    await page.close();
  });

  it('serves robots.txt pointing at the sitemap index and keeping crawlers out of the API and private pages', async () => {
    const response = await fetch(`${server!.url}/robots.txt`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const lines = (await response.text()).split('\n');
    expect(lines).toContain('User-agent: *');
    for (const path of ['/api/', '/me', '/upload']) expect(lines).toContain(`Disallow: ${path}`);
    expect(lines).toContain(`Sitemap: ${SITE_URL}/sitemap-index.xml`);
  });

  it('has no serious or critical axe-core violations on the main page types', async () => {
    const axeSource = path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');
    const problems: string[] = [];
    for (const kind of PAGE_KINDS) {
      const page = await browser!.newPage();
      const response = await page.goto(`${server!.url}${kind.path}`);
      if (response?.status() !== (kind.status ?? 200)) {
        problems.push(`${kind.name} (${kind.path}): HTTP ${response?.status()}, expected ${kind.status ?? 200}`);
        await page.close();
        continue;
      }
      if (kind.name === 'search') await searchResults(page);
      await page.addScriptTag({ path: axeSource });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }> }> } }).axe;
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`) }));
      });
      for (const v of violations) {
        problems.push(`${kind.name} (${kind.path}): [${v.impact}] ${v.id}: ${v.help}\n    ${v.targets.join('\n    ')}`);
      }
      await page.close();
    }
    expect(problems, `\n${problems.join('\n')}\n`).toEqual([]);
  }, 180_000);
});
