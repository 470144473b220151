// The works pages in a real browser, over the fixture site (site-fixture.ts, built once by the site
// project's global setup): home sections, the feed in both orders with pagination, an artwork page
// (parameters, models, copy buttons, lightbox, reactions, SEO), a user page, NSFW blur and its toggle, hostile
// text rendered as text, on-demand fallbacks for ids the build did not know, axe-core, and no console
// errors anywhere. Chromium missing: skipped locally, a failure with REQUIRE_SERVICES=1 (CI).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareHot, compareNewestFirst, isListed, loraPath, modelPath, userPath, workPath } from '../../src/site/works.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { seriousAxeViolations } from './axe.ts';
import { chromiumAvailability } from './harness.ts';
import { shippedJavaScript } from './shipped-javascript.ts';
import { connectChromium, recordPageErrors, ReusedTab, site, type TabOptions } from './site.ts';
import {
  API_WORK_ID, byN, CAR_MODEL, DETAIL_N, HOME_WORKS, PARTIAL_N, RECIPE_N, RECIPE_TEXT, FEED_PAGE_SIZE, HOTTEST_N, NSFW_N, PAINTER_NS, painter, SITE_URL, siteLorasList,
  siteWorks as works, USED_BY, VIDEO_N, XSS, XSS_N,
} from './site-fixture.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());

/** The works the lists show: those with an image (a work without one keeps its page only). */
const listed = works.filter(isListed);
const newestIds = [...listed].sort(compareNewestFirst).map((w) => w.id);
const hotIds = [...listed].sort(compareHot).map((w) => w.id);
const lastFeedPage = Math.ceil(listed.length / FEED_PAGE_SIZE);
/** The home page's top LoRAs: the 8 most downloaded. */
const topLoraPaths = [...siteLorasList].sort((a, b) => b.downloads - a.downloads).slice(0, 8).map((l) => `/lora/${l.id}`);

// Generous timeouts: axe-core alone takes seconds per page on a busy CI machine.
describe.runIf(enabled)('works pages in a browser', { timeout: 180_000 }, () => {
  let browser: Browser | undefined;
  /** The one tab the tests look at pages in (a new context per page was most of this file's Chromium CPU). */
  let tab: ReusedTab;
  let base = '';
  let outDir = '';
  /** Console errors and uncaught exceptions of every page opened, checked at the end. */
  const errors: string[] = [];

  beforeAll(async () => {
    base = site().url;
    outDir = site().outDir;
    browser = await connectChromium();
    tab = await ReusedTab.open(browser);
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
  });

  /** The reused tab as a new context would show it (tab.fresh()), its console errors and uncaught exceptions collected. */
  async function reset(options?: TabOptions): Promise<Page> {
    const page = await tab.fresh(options);
    recordPageErrors(page, errors);
    return page;
  }

  async function visit(page: Page, path: string): Promise<Page> {
    const response = await page.goto(`${base}${path}`);
    expect(response?.status(), path).toBe(200);
    return page;
  }

  /** `path` in the reused tab, reset first. */
  async function open(path: string, options?: TabOptions): Promise<Page> {
    return visit(await reset(options), path);
  }

  const cardIds = (page: Page, scope = 'main') => page.locator(`${scope} .work-card`).evaluateAll((cards) => cards.map((c) => c.getAttribute('data-work-id')));

  async function jsonLdTypes(page: Page): Promise<{ types: string[]; data: Record<string, unknown>[] }> {
    const texts = await page.locator('script[type="application/ld+json"]').allTextContents();
    const data = texts.map((text) => JSON.parse(text) as Record<string, unknown>);
    return { types: data.map((d) => String(d['@type'])), data };
  }

  it('home: hot and newest works, top LoRAs, what the site offers, links into everything', async () => {
    const page = await open('/');
    expect(await cardIds(page, '#hot')).toEqual(hotIds.slice(0, 24));
    expect((await cardIds(page, '#hot'))[0]).toBe(byN(HOTTEST_N).id);
    expect(await cardIds(page, '#newest')).toEqual(newestIds.slice(0, 24));
    const loraLinks = await page.locator('#loras .lora-card a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(topLoraPaths).toEqual(['/lora/1', '/lora/2', '/lora/3', '/lora/4', '/lora/5', '/lora/6', '/lora/7', '/lora/8']);
    expect(loraLinks).toEqual(topLoraPaths);
    expect(await page.locator('#offers li').count()).toBeGreaterThanOrEqual(5);
    const links = await page.locator('main a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of ['/feed', '/feed/hot', '/loras', '/analytics', '/features', '/search']) expect(links, href).toContain(href);
    // The first screen's images load at once; everything further down lazily.
    const loading = await page.locator('main .work-card__media img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('loading')));
    expect(loading.slice(0, 16)).toEqual(Array(16).fill('eager'));
    expect(new Set(loading.slice(16))).toEqual(new Set(['lazy']));
    expect((await jsonLdTypes(page)).types).toContain('WebSite');
    expect(await seriousAxeViolations(page)).toEqual([]);

    const features = await open('/features');
    expect(await features.getByRole('heading', { level: 1 }).textContent()).toBe('画库能做什么');
    expect(await features.locator('main h2').count()).toBeGreaterThanOrEqual(6);
    expect(await seriousAxeViolations(features)).toEqual([]);
  });

  it('feed: newest pages 1 to the last through prev/next and numbered links, rel=prev/next, justified rows', async () => {
    expect(lastFeedPage).toBe(4);
    const page = await open('/feed');
    expect(await cardIds(page)).toEqual(newestIds.slice(0, 48));
    expect(await page.locator('link[rel="next"]').getAttribute('href')).toBe('/feed/2');
    expect(await page.locator('link[rel="prev"]').count()).toBe(0);
    expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toBe(`${SITE_URL}/feed`);

    // Every card's image box has the image's aspect ratio before anything loads, and the boxes of a row share a height.
    const boxes = await page.locator('main .work-card__media').evaluateAll((nodes) => nodes.map((n) => {
      const r = n.getBoundingClientRect();
      return { top: Math.round(r.top), height: r.height };
    }));
    const firstRow = boxes.filter((b) => b.top === boxes[0]!.top);
    expect(firstRow.length).toBeGreaterThan(1);
    for (const box of firstRow) expect(Math.abs(box.height - firstRow[0]!.height)).toBeLessThan(2);
    // Video cards show a poster thumbnail only (their original is a clip, not an image candidate).
    const sizes = await page.locator('main .work-card:not([data-video]) .work-card__media img').evaluateAll((imgs) => imgs.map((i) => [i.getAttribute('width'), i.getAttribute('height'), i.getAttribute('srcset')]));
    for (const [w, h, srcset] of sizes) {
      expect(Number(w)).toBeGreaterThan(0);
      expect(Number(h)).toBeGreaterThan(0);
      // Every stored thumbnail narrower than the original, then the original: 960 only for the 1024 px wide.
      expect(srcset).toMatch(/^\/media\/thumbs\/320\/\S+ 320w, (\/media\/thumbs\/960\/\S+ 960w, )?\/media\/test\/\S+ \d+w$/);
      if (w === '1024') expect(srcset).toContain(' 960w, ');
    }

    await page.getByRole('navigation', { name: '作品流分页' }).getByRole('link', { name: '下一页' }).click();
    await page.waitForURL(`${base}/feed/2`);
    expect(await cardIds(page)).toEqual(newestIds.slice(48, 96));
    expect(await page.locator('link[rel="prev"]').getAttribute('href')).toBe('/feed');
    expect(await page.locator('link[rel="next"]').getAttribute('href')).toBe('/feed/3');
    expect(await page.title()).toContain('第 2 页');

    await page.getByRole('link', { name: `第 ${lastFeedPage} 页` }).click();
    await page.waitForURL(`${base}/feed/${lastFeedPage}`);
    expect(await cardIds(page)).toEqual(newestIds.slice((lastFeedPage - 1) * 48));
    expect(await page.locator('link[rel="prev"]').getAttribute('href')).toBe(`/feed/${lastFeedPage - 1}`);
    expect(await page.locator('link[rel="next"]').count()).toBe(0);
    expect(await page.getByRole('link', { name: `第 ${lastFeedPage} 页` }).getAttribute('aria-current')).toBe('page');
    await page.getByRole('link', { name: '上一页' }).click();
    await page.waitForURL(`${base}/feed/${lastFeedPage - 1}`);
    expect(await cardIds(page)).toEqual(newestIds.slice((lastFeedPage - 2) * 48, (lastFeedPage - 1) * 48));

    // Page 1 has one URL; past the end there is no page.
    expect((await fetch(`${base}/feed/1`)).status).toBe(404);
    expect((await fetch(`${base}/feed/${lastFeedPage + 1}`)).status).toBe(404);
  });

  it('feed: hot order across pages', async () => {
    const page = await open('/feed/hot');
    expect(await cardIds(page)).toEqual(hotIds.slice(0, 48));
    expect(await page.getByRole('navigation', { name: '排序' }).getByRole('link', { name: '最热' }).getAttribute('aria-current')).toBe('page');
    await page.getByRole('navigation', { name: '作品流分页' }).getByRole('link', { name: '下一页' }).click();
    await page.waitForURL(`${base}/feed/hot/2`);
    expect(await cardIds(page)).toEqual(hotIds.slice(48, 96));
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('artwork page: images, titles, author, parameters, models, copy buttons, lightbox, SEO', async () => {
    const work = byN(DETAIL_N);
    const page = await reset();
    await tab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await visit(page, workPath(work));

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('雨夜霓虹街道');
    expect(await page.getByText('Neon street on a rainy night').isVisible()).toBe(true);
    expect(await page.locator('.artwork-page__byline a').getAttribute('href')).toBe(userPath(painter.username));
    expect(await page.locator('.artwork-page__byline img.avatar').getAttribute('src')).toBe(painter.avatarThumbs[0]!.url);
    expect(await page.locator('.artwork-page__byline time').getAttribute('datetime')).toBe(work.publishedAt);
    expect(await page.getByRole('link', { name: /在 Liblib 查看原作/ }).getAttribute('href')).toBe(work.sourceUrl);

    const params = Object.fromEntries(await page.locator('table.params tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent])));
    expect(params).toEqual({ 采样器: 'DPM++ 2M Karras', 步数: '28', CFG: '6.5', 尺寸: '832 × 1216', 种子: '18446744073709551615' });
    const models = page.getByRole('region', { name: '使用的模型' });
    expect(await models.getByRole('link', { name: '墨韵水彩' }).getAttribute('href')).toBe('/lora/1');
    expect(await models.getByRole('link', { name: 'Film Grain' }).getAttribute('href')).toBe('https://civitai.com/models/202');
    expect(await models.getByRole('link', { name: 'SDXL 1.0' }).getAttribute('href')).toBe('https://civitai.com/models/101');

    // Images: dimensions, srcset, the first eager and the rest lazy.
    const images = await page.locator('.gallery__list img').evaluateAll((imgs) => imgs.map((i) => ({ loading: i.getAttribute('loading'), width: i.getAttribute('width'), srcset: i.getAttribute('srcset') })));
    expect(images.map((i) => i.loading)).toEqual(['eager', 'lazy', 'lazy']);
    expect(images.map((i) => i.width)).toEqual(['832', '1216', '1024']);
    for (const image of images) expect(image.srcset).toContain('320w');

    // Copy buttons put the exact text on the clipboard and say so.
    const copyPrompt = page.getByRole('button', { name: '复制提示词' });
    await copyPrompt.click();
    await expect.poll(() => copyPrompt.textContent()).toBe('已复制');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(work.prompt);
    await page.getByRole('button', { name: '复制反向提示词' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(work.negativePrompt);

    // Lightbox: opens on click with the full image, steps with the arrow keys, closes with Esc and the button.
    const dialog = page.getByRole('dialog', { name: '查看大图' });
    expect(await dialog.isVisible()).toBe(false);
    await page.locator('.gallery__open').first().click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.locator('img').getAttribute('src')).toBe(work.images[0]!.url);
    await page.keyboard.press('ArrowRight');
    expect(await dialog.locator('img').getAttribute('src')).toBe(work.images[1]!.url);
    expect(await dialog.locator('[data-lightbox-caption]').textContent()).toBe('2 / 3');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('gallery__open'))).toBe(true);
    await page.locator('.gallery__open').nth(2).click();
    await expect.poll(() => dialog.locator('[data-lightbox-caption]').textContent()).toBe('3 / 3');
    await dialog.getByRole('button', { name: '关闭' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);

    // Related works: the same author's works first.
    const related = await cardIds(page, '.related');
    expect(related.slice(0, PAINTER_NS.length - 1).sort()).toEqual(PAINTER_NS.filter((n) => n !== DETAIL_N).map((n) => byN(n).id).sort());

    // SEO: canonical, OpenGraph and Twitter with the absolute image, JSON-LD.
    const canonical = `${SITE_URL}${workPath(work)}`;
    expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toBe(canonical);
    expect(await page.title()).toBe('雨夜霓虹街道 · 画师阿青 · 画库 Huaku');
    const imageUrl = `${SITE_URL}${work.images[0]!.url}`;
    expect(await page.locator('meta[property="og:image"]').getAttribute('content')).toBe(imageUrl);
    expect(await page.locator('meta[name="twitter:image"]').getAttribute('content')).toBe(imageUrl);
    expect(await page.locator('meta[property="og:type"]').getAttribute('content')).toBe('article');
    expect(await page.locator('meta[name="description"]').getAttribute('content')).toBe(work.prompt);
    const { types, data } = await jsonLdTypes(page);
    expect(types.sort()).toEqual(['BreadcrumbList', 'CreativeWork']);
    const creative = data.find((d) => d['@type'] === 'CreativeWork')!;
    expect(creative).toMatchObject({ url: canonical, name: '雨夜霓虹街道', author: { '@type': 'Person', name: '画师阿青' } });
    expect((creative.image as Record<string, unknown>[]).map((i) => [i['@type'], i.contentUrl])).toEqual(work.images.map((i) => ['ImageObject', `${SITE_URL}${i.url}`]));

    // Reactions: this work has no community API id, so the buttons are disabled and say why.
    await expect.poll(() => page.getByText('这件作品暂不支持点赞和收藏').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await page.getByRole('button', { name: /点赞/ }).isDisabled()).toBe(true);

    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('recipes (issue 16): completeness badges, each image\'s recipe, LoRA weights, 复制全部生成参数 as A1111 text, comments, the 可复现 feed', async () => {
    const work = byN(RECIPE_N);
    const page = await reset();
    await tab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await visit(page, workPath(work));
    expect(await page.locator('.artwork-page .completeness').textContent()).toBe('可复现');
    const copy = page.getByRole('button', { name: '复制全部生成参数' });
    await copy.click();
    await expect.poll(() => copy.textContent()).toBe('已复制');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(RECIPE_TEXT);
    expect(RECIPE_TEXT).toContain('Seed: 9007199254740993');
    expect(await page.locator('.image-recipe summary').allTextContents()).toEqual(['第 1 张 · 种子 9007199254740993', '第 2 张 · 种子 9007199254740994']);
    expect(await page.getByRole('region', { name: '使用的模型' }).getByText('× 0.7').isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: '评论（1）' }).getByText('这个光影太棒了').isVisible()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);

    const partial = await open(workPath(byN(PARTIAL_N)));
    expect(await partial.locator('.artwork-page .completeness').getAttribute('title')).toBe('缺少：种子');
    expect(await partial.locator('.artwork-page .completeness').textContent()).toBe('部分参数');

    // The 可复现 feed: only complete works, each card badged so.
    const feed = await open('/feed/reproducible');
    const full = listed.filter((w) => w.completeness === 'full');
    expect(full.length).toBeLessThan(listed.length);
    expect(await feed.locator('.feed-count').textContent()).toContain(`共 ${full.length.toLocaleString('zh-CN')} 件作品`);
    expect(await cardIds(feed)).not.toContain(byN(PARTIAL_N).id);
    expect(new Set(await feed.locator('main .work-card .completeness').allTextContents())).toEqual(new Set(['可复现']));
  });

  it('model page (issue 16): each source\'s page, base model, downloads and likes, the link method (name marked weaker), works from every source; the LoRA page lists the other sources', async () => {
    const page = await open(modelPath(CAR_MODEL.id));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Car LoRA');
    const rows = page.locator('.model-sources tbody tr');
    const column = (i: number) => rows.evaluateAll((trs, i) => trs.map((tr) => tr.querySelectorAll('td')[i]!.textContent!.trim()), i);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-method')))).toEqual(['origin', 'hash', 'hash', 'id', 'name']);
    expect(await column(0)).toEqual(['Liblib', 'ModelScope', 'Civitai', 'Civitai', 'Civitai']);
    expect(await column(2)).toEqual(['首个来源', '文件哈希一致', '文件哈希一致', '同一上游模型', '名称与基础模型相同（较弱）']);
    expect(await column(3)).toEqual(['SDXL', 'SDXL', 'SDXL 1.0', 'SDXL 1.0', 'SDXL 1.0']);
    expect(await column(5)).toEqual(['—', '999', '12,345', '321', '55']);
    expect(await column(6)).toEqual(['—', '1', '678', '—', '6']);
    // Each source's own page, and the catalogue LoRA's page for the ModelScope member.
    expect(await page.locator('.model-sources__page').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(CAR_MODEL.members.map((m) => m.pageUrl));
    expect(await page.locator('.model-sources__lora').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual([loraPath('1')]);
    // The name + base model link is marked weaker, with what matched.
    const weak = page.locator('.model-sources__method--weak');
    expect(await weak.count()).toBe(1);
    expect(await weak.getAttribute('title')).toBe('匹配：carlora @ sdxl');
    expect(await weak.evaluate((td) => getComputedStyle(td).fontStyle)).toBe('italic');
    // Works from every source.
    const sourcesOf = (ids: Array<string | null>) => new Set(ids.map((id) => works.find((w) => w.id === id)!.source));
    expect(new Set(await cardIds(page))).toEqual(new Set([byN(RECIPE_N).id, USED_BY.id, HOME_WORKS[4]!.id]));
    expect(sourcesOf(await cardIds(page))).toEqual(new Set(['liblib', 'civitai']));
    expect(await seriousAxeViolations(page)).toEqual([]);

    const lora = await open(loraPath('1'));
    const others = lora.locator('.other-sources li');
    expect(await others.count()).toBe(4);
    expect(await others.nth(1).textContent()).toContain('下载 12,345 · 点赞 678');
    expect(await lora.locator('.other-sources [data-method="name"]').getAttribute('class')).toContain('other-sources__weak');
    expect(await lora.getByRole('link', { name: '在模型页查看全部来源与作品 →' }).getAttribute('href')).toBe(modelPath(CAR_MODEL.id));
  });

  it('artwork page: like and favorite read the live state from the API, and degrade when it is unreachable', async () => {
    const work = works.find((w) => w.id === API_WORK_ID)!;
    const page = await reset();
    await page.route(`**/api/artworks/${API_WORK_ID}`, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ id: 4242, like_count: 7, favorite_count: 2, is_liked: true, is_favorite: false }) }),
    );
    await visit(page, workPath(work));
    const like = page.getByRole('button', { name: /已赞/ });
    await expect.poll(() => like.isEnabled(), { timeout: 20_000 }).toBe(true);
    expect(await like.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('like-count').textContent()).toBe('7');
    expect(await page.getByTestId('favorite-count').textContent()).toBe('2');

    // tab.fresh(), not reset(): the refused request logs a console error, which is the point here.
    const offline = await tab.fresh();
    offline.on('pageerror', (error) => errors.push(`offline: ${error.message}`));
    await offline.route(`**/api/artworks/${API_WORK_ID}`, (route) => route.abort('connectionrefused'));
    await offline.goto(`${base}${workPath(work)}`);
    await expect.poll(() => offline.getByText('互动服务暂不可用，请稍后再试').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await offline.getByRole('button', { name: /点赞/ }).isDisabled()).toBe(true);
    expect(await offline.getByTestId('like-count').count()).toBe(0);
  });

  it('artwork page: a signed-out click asks to log in; a signed-in click is optimistic and rolled back on error', async () => {
    const work = works.find((w) => w.id === API_WORK_ID)!;
    const answer = { id: 4242, like_count: 7, favorite_count: 2, is_liked: true, is_favorite: false };
    const routeAnswer = (page: Page) => page.route(`**/api/artworks/${API_WORK_ID}`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) }));

    // Signed out (the real server's /api/auth/me): a click says why and goes to the login page, coming back here.
    const signedOut = await reset();
    await routeAnswer(signedOut);
    await visit(signedOut, workPath(work));
    const like = signedOut.getByRole('button', { name: /已赞/ });
    await expect.poll(() => like.isEnabled(), { timeout: 20_000 }).toBe(true);
    await like.click();
    await signedOut.waitForURL(`${base}/login?next=${encodeURIComponent(workPath(work))}`);

    // Signed in: unlike (DELETE) fails → the previous state comes back with a toast; favorite (POST) succeeds.
    // tab.fresh(), not reset(): the routed 503 logs a console error ("Failed to load resource"), which is the point here.
    const page = await tab.fresh();
    page.on('pageerror', (error) => errors.push(`reactions: ${error.message}`));
    await routeAnswer(page);
    await page.route('**/api/auth/me', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ user: { id: 1, username: 'reader' } }) }));
    const requests: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**/api/artworks/${API_WORK_ID}/like`, async (route) => {
      requests.push(`${route.request().method()} like`);
      await held; // the optimistic state is visible while the request is in flight
      await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'x', message: '服务暂时不可用' } }) });
    });
    await page.route(`**/api/artworks/${API_WORK_ID}/favorite`, (route) => {
      requests.push(`${route.request().method()} favorite ${route.request().headers()['content-type']}`);
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ is_favorite: true, favorite_count: 3 }) });
    });
    await page.goto(`${base}${workPath(work)}`);
    const liked = page.getByRole('button', { name: /已赞/ });
    await expect.poll(() => liked.isEnabled(), { timeout: 20_000 }).toBe(true);
    await liked.click();
    const unliked = page.getByRole('button', { name: /点赞/ });
    await expect.poll(() => unliked.getAttribute('aria-pressed')).toBe('false');
    expect(await page.getByTestId('like-count').textContent()).toBe('6');
    release();
    await page.getByText('点赞失败：服务暂时不可用').waitFor();
    await expect.poll(() => page.getByTestId('like-count').textContent()).toBe('7');
    expect(await liked.getAttribute('aria-pressed')).toBe('true');
    expect(await liked.getAttribute('class')).toContain('is-active');

    const favorite = page.getByRole('button', { name: /收藏/ });
    expect(await favorite.getAttribute('aria-pressed')).toBe('false');
    await favorite.click();
    await page.locator('.toast').getByText('已收藏', { exact: true }).waitFor();
    await expect.poll(() => page.getByTestId('favorite-count').textContent()).toBe('3');
    expect(await page.getByRole('button', { name: /已收藏/ }).getAttribute('aria-pressed')).toBe('true');
    expect(requests).toEqual(['DELETE like', 'POST favorite application/json']);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('artwork page: no React, and at most 30 KB of gzipped JavaScript (issue 7)', async () => {
    const clientDir = path.join(outDir, 'client');
    for (const work of [byN(DETAIL_N), works.find((w) => w.id === API_WORK_ID)!]) {
      const html = await readFile(path.join(clientDir, workPath(work), 'index.html'), 'utf8');
      expect(html).not.toContain('<astro-island');
      const scripts = await shippedJavaScript(clientDir, workPath(work));
      const names = scripts.map((s) => s.name);
      expect(names.filter((name) => /\breact\b|react-dom|jsx-runtime|\/client\.[\w-]+\.js$/i.test(name)), workPath(work)).toEqual([]);
      for (const script of scripts.filter((s) => s.name.startsWith('/'))) {
        const source = await readFile(path.join(clientDir, script.name.split('?')[0]!), 'utf8');
        expect(/Minified React error|react\.(?:transitional\.)?element|__REACT_DEVTOOLS/.test(source), script.name).toBe(false);
      }
      const total = scripts.reduce((sum, s) => sum + s.gzip, 0);
      expect(total, `${workPath(work)}: ${scripts.map((s) => `${s.name} ${s.gzip} B`).join(', ')}`).toBeLessThanOrEqual(30 * 1024);
    }
  });

  it('video work: a poster card whose muted preview loads and loops only when visible (never for reduced motion), and a page with <video>, VideoObject and og:video', async () => {
    const work = byN(VIDEO_N);
    const feedPage = Math.floor(newestIds.indexOf(work.id) / FEED_PAGE_SIZE) + 1;
    const feedPath = feedPage === 1 ? '/feed' : `/feed/${feedPage}`;
    const previewUrl = work.images[0]!.video!.previewUrl!;

    const page = await open(feedPath);
    const card = page.locator(`main .work-card[data-work-id="${work.id}"]`);
    expect(await card.locator('.work-card__media img').getAttribute('src')).toBe(work.images[0]!.thumbUrl);
    const preview = card.locator('video.video-preview');
    expect(await preview.evaluate((v: HTMLVideoElement) => [v.muted, v.loop, v.preload, v.hasAttribute('playsinline'), v.getAttribute('aria-hidden')])).toEqual([true, true, 'none', true, 'true']);
    await card.scrollIntoViewIfNeeded();
    await expect.poll(() => preview.getAttribute('src'), { timeout: 10_000 }).toBe(previewUrl);
    // It really plays: the browser decodes the H.264 preview (then the class reveals it over the poster).
    await expect.poll(() => preview.evaluate((v: HTMLVideoElement) => !v.paused && v.currentTime > 0 && v.classList.contains('is-playing')), { timeout: 15_000 }).toBe(true);

    const calm = await open(feedPath, { reducedMotion: 'reduce' });
    const calmCard = calm.locator(`main .work-card[data-work-id="${work.id}"]`);
    await calmCard.scrollIntoViewIfNeeded();
    // Two frames: any IntersectionObserver callback has run by then.
    await calm.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await calmCard.locator('video').getAttribute('src')).toBeNull();

    const detail = await open(workPath(work));
    const player = detail.locator('main video[controls]');
    expect(await player.evaluate((v: HTMLVideoElement) => [v.preload, v.getAttribute('poster'), v.getAttribute('width'), v.getAttribute('height')])).toEqual(['none', work.images[0]!.thumbUrl, '96', '64']);
    expect(await player.locator('source').getAttribute('src')).toBe(work.images[0]!.url);
    expect(await player.locator('source').getAttribute('type')).toBe('video/mp4');
    expect(await player.evaluate((v: HTMLVideoElement) => v.readyState)).toBe(0); // preload="none": nothing fetched yet
    const { data } = await jsonLdTypes(detail);
    const creative = data.find((d) => d['@type'] === 'CreativeWork')!;
    expect(creative.video).toEqual([expect.objectContaining({ '@type': 'VideoObject', contentUrl: `${SITE_URL}${work.images[0]!.url}`, thumbnailUrl: `${SITE_URL}${work.images[0]!.thumbUrl}` })]);
    expect(await detail.locator('meta[property="og:video"]').getAttribute('content')).toBe(`${SITE_URL}${work.images[0]!.url}`);
    expect(await detail.locator('meta[property="og:image"]').getAttribute('content')).toBe(`${SITE_URL}${work.images[0]!.thumbUrl}`);
  });

  it('user page: exactly that author\'s works, newest first, with a Person', async () => {
    const page = await open(userPath(painter.username));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('画师阿青');
    expect(await cardIds(page)).toEqual(PAINTER_NS.map((n) => byN(n).id));
    expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toBe(`${SITE_URL}/user/${painter.username}`);
    const { types, data } = await jsonLdTypes(page);
    expect(types.sort()).toEqual(['BreadcrumbList', 'Person']);
    expect(data.find((d) => d['@type'] === 'Person')).toMatchObject({ name: '画师阿青', url: `${SITE_URL}/user/${painter.username}` });
    // The avatar is the stored copy under /media (never the upstream's), at 72 px from its thumbnails; the cards carry it too.
    const avatar = page.locator('.profile img.avatar');
    expect(await avatar.getAttribute('src')).toMatch(/^\/media\//);
    expect(await avatar.getAttribute('srcset')).toBe(painter.avatarThumbs.map((t) => `${t.url} ${t.width}w`).join(', '));
    // decode() fails for a broken image (naturalWidth is scaled by the `w` candidate's density: not a test).
    expect(await avatar.evaluate(async (img: HTMLImageElement) => (await img.decode(), new URL(img.currentSrc).pathname))).toMatch(/^\/media\/thumbs\//);
    const cardAvatars = await page.locator('.work-card__author img.avatar').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src')));
    expect(cardAvatars).toEqual(PAINTER_NS.map(() => painter.avatarThumbs[0]!.url));
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Without a stored avatar: the initial, and no image at all.
    const other = await open(userPath(byN(1).author!.username));
    expect(await other.locator('.profile img').count()).toBe(0);
    expect(await other.locator('.profile .avatar--initial').textContent()).toBe([...byN(1).author!.name][0]);
  });

  it('NSFW: Mature and X are blurred with a label; the toggle unblurs everywhere and persists across pages', async () => {
    const page = await open('/feed');
    const sensitive = page.locator(`.work-card[data-work-id="${byN(NSFW_N).id}"]`);
    const filterOf = (card: ReturnType<Page['locator']>) => card.locator('img').evaluate((img) => getComputedStyle(img).filter);
    expect(await filterOf(sensitive)).toContain('blur');
    expect(await sensitive.getByText('敏感内容').isVisible()).toBe(true);
    expect(await filterOf(page.locator(`.work-card[data-work-id="${byN(97).id}"]`))).toContain('blur');
    expect(await filterOf(page.locator(`.work-card[data-work-id="${byN(96).id}"]`))).toBe('none');
    expect(await page.locator('.work-card[data-sensitive]').count()).toBe(2);

    const toggle = page.getByRole('button', { name: '显示敏感内容' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    expect(await filterOf(sensitive)).toBe('none');
    expect(await sensitive.getByText('敏感内容').isVisible()).toBe(false);

    // Another page, the work's own page: unblurred from the start.
    await page.goto(`${base}${workPath(byN(NSFW_N))}`);
    expect(await page.locator('.gallery__item img').first().evaluate((img) => getComputedStyle(img).filter)).toBe('none');
    expect(await page.getByRole('button', { name: '显示敏感内容' }).getAttribute('aria-pressed')).toBe('true');
    // Off again: blurred again, also after a reload.
    await page.getByRole('button', { name: '显示敏感内容' }).click();
    await page.reload();
    expect(await page.locator('.gallery__item img').first().evaluate((img) => getComputedStyle(img).filter)).toContain('blur');

    // Without JavaScript: blurred, and no toggle that could not work (the one context option a page cannot emulate).
    const noJs = await browser!.newContext({ javaScriptEnabled: false });
    const plain = await noJs.newPage();
    await plain.goto(`${base}/feed`);
    expect(await filterOf(plain.locator(`.work-card[data-work-id="${byN(NSFW_N).id}"]`))).toContain('blur');
    expect(await plain.getByRole('button', { name: '显示敏感内容' }).count()).toBe(0);
    await noJs.close();
  });

  it('renders a hostile title and prompt as text: no dialog, no injected element', async () => {
    const work = byN(XSS_N);
    const dialogs: string[] = [];
    for (const path of [workPath(work), '/feed', userPath(work.author!.username)]) {
      const page = await reset();
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await visit(page, path);
      expect(await page.locator('img[src="x"]').count(), path).toBe(0);
      const scripts = await page.locator('script:not([type="application/ld+json"])').evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ''));
      expect(scripts.filter((s) => s.includes('alert(1)')), path).toEqual([]);
      if (path === workPath(work)) {
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(XSS);
        expect(await page.locator('#prompt').textContent()).toBe(`提示词 ${XSS}`);
        expect(await page.locator('#negative-prompt').textContent()).toBe(XSS);
        expect(await page.title()).toContain(XSS);
        expect(await page.getByText(`提示词 ${XSS}`, { exact: true }).isVisible()).toBe(true);
        expect((await jsonLdTypes(page)).data.find((d) => d['@type'] === 'CreativeWork')).toMatchObject({ name: XSS });
      } else {
        expect(await page.locator(`.work-card[data-work-id="${work.id}"] .work-card__title`).textContent(), path).toBe(XSS);
      }
    }
    expect(dialogs).toEqual([]);
  });

  it('leaves ids the build did not know to the on-demand routes', async () => {
    const artwork = await fetch(`${base}/artwork/999999/unknown`);
    expect(artwork.status).toBe(404);
    expect(await artwork.text()).toContain('作品不存在');
    const user = await fetch(`${base}/user/no_such_user`);
    expect(user.status).toBe(404);
    expect(await user.text()).toContain('用户不存在');
  });

  it('logged no console errors on any page', () => {
    expect(errors).toEqual([]);
  });
});
