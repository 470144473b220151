// Search, SEO files and accessibility of the fixture site (site-fixture.ts, built once by the site project's
// global setup): the static search index finds works, LoRAs and authors by Chinese and English words
// through the real /search page (ranking itself: src/site/search/search-index.test.ts), with filters; the header
// search box is on every page kind and submits (with and without JavaScript), the sitemap index and its files
// are valid XML with the right URLs (split by a small SITEMAP_MAX_URLS), robots.txt, and axe-core finds no
// serious or critical violation on the main page types.
// Chromium missing: skipped locally, a failure with REQUIRE_SERVICES=1 (CI).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeFacet } from '../../src/site/search/search-index.ts';
import { isListed, loraPath, userPath, workPath } from '../../src/site/works.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { chromiumAvailability } from './harness.ts';
import { connectChromium, ReusedTab, site } from './site.ts';
import { seriousAxeViolations } from './axe.ts';
import { byN, expectedSitemapUrls, FILLER_N, GENERATED_AT, HOSTILE, INK, NEON, NSFW_N, SITE_URL, SITEMAP_MAX_URLS, siteLorasList, siteWorks as works } from './site-fixture.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());

/** A plain work: the fixture's default prompt, none of the words the queries look for. */
const FILLER = byN(FILLER_N);
/** Every URL the sitemap must list. */
const expectedUrls = expectedSitemapUrls();

/** The main page types, each with the path to open. */
/**
 * The main page types. Each is audited with axe-core once in the suite: `auditedIn` names the file whose test
 * audits that page in the state it checks (an axe run with its navigation costs Chromium ~1.5 CPU-s); the
 * accessibility test below audits the others.
 */
const PAGE_KINDS: Array<{ name: string; path: string; status?: number; auditedIn?: string }> = [
  { name: 'home', path: '/', auditedIn: 'works-pages.browser.test.ts' },
  { name: 'feed', path: '/feed', auditedIn: 'works-pages.browser.test.ts (/feed/hot/2)' },
  { name: 'artwork', path: workPath(INK), auditedIn: 'works-pages.browser.test.ts' },
  { name: 'user', path: userPath(INK.author!.username), auditedIn: 'works-pages.browser.test.ts' },
  { name: 'loras', path: '/loras', auditedIn: 'loras.browser.test.ts (light and dark)' },
  { name: 'lora', path: loraPath('1'), auditedIn: 'loras.browser.test.ts (light and dark)' },
  { name: 'analytics', path: '/analytics', auditedIn: 'analytics.browser.test.ts' },
  { name: 'search', path: `/search?q=${encodeURIComponent('山水')}` },
  { name: 'login', path: '/login' },
  { name: '404', path: '/no-such-page', status: 404 },
];

describe.runIf(enabled)('search, sitemap, robots.txt and accessibility', { timeout: 120_000 }, () => {
  let browser: Browser | undefined;
  /** The file's one tab, reset for every page a test looks at (see ReusedTab). */
  let tab: ReusedTab | undefined;
  let base = '';
  let clientDir = '';

  beforeAll(async () => {
    base = site().url;
    clientDir = path.join(site().outDir, 'client');
    browser = await connectChromium();
    tab = await ReusedTab.open(browser);
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
  });

  /**
   * Works shown on /search for `query`, once the page has finished searching: the status names the count
   * (找到 N 件…) only after the first results are in the grid, and the grid then holds that many, up to a
   * page of 24 (the site's own work cards).
   */
  async function searchResults(page: Page): Promise<Array<{ href: string | null; title: string; image: string | null; source?: string }>> {
    await expect.poll(() => page.locator('[data-search-status]').textContent(), { timeout: 60_000 }).toMatch(/找到|没有找到|不可用/);
    const status = (await page.locator('[data-search-status]').textContent())!;
    const found = /找到 (\d+) 件/.exec(status);
    expect(await page.locator('.search-results .work-card').count(), status).toBe(found ? Math.min(Number(found[1]), 24) : 0);
    return page.locator('.search-results .work-card').evaluateAll((cards) =>
      cards.map((card) => ({
        href: card.querySelector('.work-card__link')!.getAttribute('href'),
        title: card.querySelector('h3')?.textContent ?? '',
        image: card.querySelector('img')?.getAttribute('src') ?? null,
      })),
    );
  }

  /** Links of the author or LoRA results. */
  const sideResults = (page: Page, kind: 'author' | 'lora') =>
    page.locator(`[data-search-section="${kind}"] a`).evaluateAll((links) => links.map((a) => a.getAttribute('href')));

  /**
   * The query helper's page: the tab, reset at a test's first query and then kept from query to query (the
   * index's files stay in its cache, as they would in a visitor's tab).
   */
  let searchPage: Page | undefined;
  beforeEach(() => {
    searchPage = undefined;
  });
  async function search(query: string, filters = ''): Promise<Array<{ href: string | null; title: string; image: string | null }>> {
    searchPage ??= await tab!.fresh();
    await searchPage.goto(`${base}/search?q=${encodeURIComponent(query)}${filters}`);
    return searchResults(searchPage);
  }

  it('writes a search index of the listed works, the LoRAs and the authors', async () => {
    const dir = path.join(clientDir, 'search-index');
    const entry = JSON.parse(await readFile(path.join(dir, 'entry.json'), 'utf8')) as { path: string; docCount: number };
    const facets = JSON.parse(await readFile(path.join(clientDir, entry.path, 'facets.json'), 'utf8')) as number[];
    expect(facets).toHaveLength(entry.docCount);
    const types = facets.map((code) => decodeFacet(code).type);
    expect(types.filter((t) => t === 'work')).toHaveLength(works.filter(isListed).length);
    expect(types.filter((t) => t === 'lora')).toHaveLength(siteLorasList.length);
    expect(types.filter((t) => t === 'author').length).toBeGreaterThan(5);
  });

  it('shows LoRAs and authors as results, filters works by source and sensitivity, and finds nothing for a single letter', async () => {
    expect(await search('墨客')).toContainEqual(expect.objectContaining({ href: workPath(INK) }));
    expect(await sideResults(searchPage!, 'author')).toContain(userPath(INK.author!.username));
    await search('山水');
    expect(await sideResults(searchPage!, 'lora')).toContain(loraPath('1'));

    const everySource = await search('赛博朋克');
    const civitai = await search('赛博朋克', '&source=civitai');
    expect(civitai.length).toBeGreaterThan(0);
    expect(civitai.length).toBeLessThan(everySource.length);
    expect(await searchPage!.locator('.search-results .work-card__source').allTextContents()).toEqual(civitai.map(() => expect.stringContaining('Civitai')));
    expect(await searchPage!.locator('[data-search-source]').inputValue()).toBe('civitai');

    const nsfw = byN(NSFW_N);
    expect((await search(nsfw.title!)).map((r) => r.href)).toContain(workPath(nsfw));
    expect((await search(nsfw.title!, '&nsfw=hide')).map((r) => r.href)).not.toContain(workPath(nsfw));

    for (const query of ['x', 'q z']) {
      expect(await search(query), query).toEqual([]);
      expect(await searchPage!.locator('[data-search-status]').textContent()).toMatch(/^没有找到/);
    }
  }, 180_000);

  it('finds a work by Chinese words of its prompt, title and author', async () => {
    for (const query of ['山水', '云雾', '水墨画', '墨客']) {
      const results = await search(query);
      expect(results.map((r) => r.href), query).toContain(workPath(INK));
      expect(results.find((r) => r.href === workPath(INK)), query).toMatchObject({ title: '水墨山水', image: INK.images[0]!.thumbUrl });
      expect(results.map((r) => r.href), `${query} does not match a plain work`).not.toContain(workPath(FILLER));
    }
  }, 180_000);

  it('finds a work by English words of its prompt, English title and model', async () => {
    expect((await search('cyberpunk')).map((r) => r.href)).toEqual([workPath(NEON)]);
    expect((await search('neon')).map((r) => r.href)).toContain(workPath(NEON));
    expect((await search('Juggernaut')).map((r) => r.href)).toEqual([workPath(NEON)]);
    expect((await search('landscape')).map((r) => r.href)).toEqual([workPath(INK)]);
    // Words no work contains (common characters like 的 or 不 would match the pages' own copy).
    expect(await search('qzxjvw')).toEqual([]);
    expect(await search('龘靐')).toEqual([]);
  }, 180_000);

  it('renders hostile titles and prompts in results as text', async () => {
    const page = await tab!.fresh();
    await page.goto(`${base}/search?q=${encodeURIComponent('恶意测试')}`);
    const results = await searchResults(page);
    expect(results).toEqual([{ href: workPath(HOSTILE), title: HOSTILE.title, image: HOSTILE.images[0]!.thumbUrl }]);
    expect(await page.locator('.search-results img[src="x"], .search-results script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('runs a new query from the search page form and keeps it in the URL', async () => {
    const page = await tab!.fresh();
    await page.goto(`${base}/search`);
    await page.getByRole('searchbox', { name: '关键词' }).fill('一叶扁舟');
    await page.getByRole('searchbox', { name: '关键词' }).press('Enter');
    expect((await searchResults(page)).map((r) => r.href)).toContain(workPath(INK));
    expect(new URL(page.url()).searchParams.get('q')).toBe('一叶扁舟');
  });

  it('has the header search box on every page kind, and it submits to /search', async () => {
    for (const kind of PAGE_KINDS) {
      const page = await tab!.fresh();
      // The header form is plain HTML: it can be used as soon as the document is parsed (images and fonts
      // still loading do not matter here, and waiting for them made this the slowest test).
      await page.goto(`${base}${kind.path}`, { waitUntil: 'domcontentloaded' });
      const box = page.getByRole('search', { name: '全站搜索' }).getByRole('searchbox', { name: '搜索作品' });
      expect(await box.count(), kind.name).toBe(1);
      // The same header on every kind: a GET form to /search whose box is its q. Typing and submitting it is
      // done on one kind (the search page's own load is the expensive part, and the same on all of them).
      expect(await box.evaluate((input: HTMLInputElement) => [input.form?.method, new URL(input.form!.action).pathname, input.name]), kind.name).toEqual(['get', '/search', 'q']);
      if (kind.name === 'artwork') {
        await box.fill('云雾');
        await box.press('Enter');
        await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === '云雾', { waitUntil: 'domcontentloaded' });
        expect((await searchResults(page)).map((r) => r.href)).toContain(workPath(INK));
      }
    }
  }, 180_000);

  it('submits the header box without JavaScript, and /search says JavaScript is needed', async () => {
    // A context of its own: JavaScript cannot be turned off for one page of a context.
    const context = await browser!.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole('searchbox', { name: '搜索作品' }).fill('山水');
    await page.getByRole('searchbox', { name: '搜索作品' }).press('Enter');
    await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === '山水');
    expect(await page.getByText('搜索需要启用 JavaScript').isVisible()).toBe(true);
    await context.close();
  });

  it('publishes a sitemap index whose files are valid XML listing every public URL once, split at the limit', async () => {
    const page = await tab!.fresh();
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

    const indexResponse = await fetch(`${base}/sitemap-index.xml`);
    expect(indexResponse.status).toBe(200);
    const index = await parse(await indexResponse.text());
    expect(index?.root).toBe('sitemapindex');
    const fileCount = Math.ceil(expectedUrls.length / SITEMAP_MAX_URLS);
    expect(fileCount).toBe(3);
    expect(index!.sitemaps.map((s) => s.loc)).toEqual(Array.from({ length: fileCount }, (_, i) => `${SITE_URL}/sitemap-${i + 1}.xml`));

    const listed: Array<{ loc: string; lastmod: string | null }> = [];
    for (const [i, sitemap] of index!.sitemaps.entries()) {
      const response = await fetch(`${base}${new URL(sitemap.loc).pathname}`);
      expect(response.status).toBe(200);
      const file = await parse(await response.text());
      expect(file?.root, sitemap.loc).toBe('urlset');
      expect(file!.urls.length, sitemap.loc).toBe(i < fileCount - 1 ? SITEMAP_MAX_URLS : expectedUrls.length - SITEMAP_MAX_URLS * (fileCount - 1));
      listed.push(...file!.urls);
    }
    expect(listed.map((u) => u.loc).sort()).toEqual([...expectedUrls].sort());
    // lastmod: a work's publishedAt, the snapshot's generatedAt for lists.
    expect(listed.find((u) => u.loc === `${SITE_URL}${workPath(INK)}`)?.lastmod).toBe(INK.publishedAt);
    expect(listed.find((u) => u.loc === `${SITE_URL}/`)?.lastmod).toBe(GENERATED_AT);
    expect(await fetch(`${base}/sitemap-${fileCount + 1}.xml`).then((r) => r.status)).toBe(404);
    // Every listed URL is a page the build published.
    for (const { loc } of listed) {
      expect(await fetch(`${base}${new URL(loc).pathname}`).then((r) => r.status), loc).toBe(200);
    }
  });

  it('serves robots.txt pointing at the sitemap index and keeping crawlers out of the API and private pages', async () => {
    const response = await fetch(`${base}/robots.txt`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const lines = (await response.text()).split('\n');
    expect(lines).toContain('User-agent: *');
    for (const path of ['/api/', '/me', '/upload']) expect(lines).toContain(`Disallow: ${path}`);
    expect(lines).toContain(`Sitemap: ${SITE_URL}/sitemap-index.xml`);
  });

  it('has no serious or critical axe-core violations on the page types no other file audits (search, login, 404)', async () => {
    const problems: string[] = [];
    for (const kind of PAGE_KINDS.filter((k) => !k.auditedIn)) {
      const page = await tab!.fresh();
      const response = await page.goto(`${base}${kind.path}`);
      if (response?.status() !== (kind.status ?? 200)) {
        problems.push(`${kind.name} (${kind.path}): HTTP ${response?.status()}, expected ${kind.status ?? 200}`);
        continue;
      }
      if (kind.name === 'search') await searchResults(page);
      for (const violation of await seriousAxeViolations(page)) problems.push(`${kind.name} (${kind.path}): ${violation}`);
    }
    expect(problems, `\n${problems.join('\n')}\n`).toEqual([]);
  }, 180_000);
});
