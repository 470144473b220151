// The LoRA gallery and a LoRA page in headless Chromium, over the fixture site's 30 LoRAs (site-fixture.ts)
// whose covers (real PNGs of three different shapes) are served from the local blob store: layout (columns,
// one cover ratio), search, filters, pagination, placeholders for a missing and a 404 cover, compare mode,
// and the parameter editor's validation and JSON export.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COVER_PLACEHOLDER } from '../../src/site/loras/lora-display.ts';
import { workPath } from '../../src/site/works.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { chromiumAvailability } from './harness.ts';
import { connectChromium, recordPageErrors, ReusedTab, site } from './site.ts';
import { seriousAxeViolations } from './axe.ts';
import { DEAD_COVER_ID, MISSING_COVER, NO_COVER_ID, SITE_URL, siteLorasList, USED_BY } from './site-fixture.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());

// The machine running this is shared: generous timeouts, polls instead of fixed waits.
const POLL = { timeout: 15_000 };

describe.runIf(enabled)('LoRA gallery and LoRA page in a browser', { timeout: 120_000 }, () => {
  let browser: Browser | undefined;
  // One tab for the whole file, reset before each page it shows (a new context per page cost ~1 CPU-s each).
  let tab: ReusedTab | undefined;
  let base = '';
  let downloads = '';
  const errors: string[] = [];

  beforeAll(async () => {
    expect(siteLorasList).toHaveLength(30);
    base = site().url;
    downloads = await mkdtemp(path.join(os.tmpdir(), 'huaku-lora-downloads-'));
    browser = await connectChromium();
    tab = await ReusedTab.open(browser, { acceptDownloads: true });
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await rm(downloads, { recursive: true, force: true });
  });

  const VIEWPORT = { width: 1280, height: 900 };

  /** Goes to `url`, recording the page's console errors and uncaught exceptions (the deliberate 404 cover aside). */
  async function visit(page: Page, url: string): Promise<Page> {
    recordPageErrors(page, errors, { ignore: (message) => message.location().url.endsWith(MISSING_COVER) });
    await page.goto(`${base}${url}`);
    return page;
  }

  /** The reused tab, fresh at 1280×900, on `url`. */
  async function openPage(url: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
    return visit(await tab!.fresh({ viewport: VIEWPORT, colorScheme: options.colorScheme }), url);
  }

  const visibleIds = (page: Page) =>
    page.locator('#lora-grid > li:not([hidden])').evaluateAll((cells) => cells.map((cell) => (cell as HTMLElement).dataset.loraId));
  const status = (page: Page) => page.locator('#lora-status').textContent();

  it('lays the gallery out in at least 3 columns at 1280 px with every cover in one ratio', async () => {
    const page = await openPage('/loras');
    expect(await page.title()).toBe('Top LoRA 模型榜 · 画库 Huaku');
    expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toBe(`${SITE_URL}/loras`);
    await expect.poll(() => status(page), POLL).toBe('共 30 个 LoRA · 第 1 / 2 页');
    expect(await visibleIds(page)).toHaveLength(24);

    const boxes = await page.locator('#lora-grid > li:not([hidden]) .lora-card').evaluateAll((cards) =>
      cards.map((card) => {
        const box = card.getBoundingClientRect();
        const media = card.querySelector('.lora-card__media')!.getBoundingClientRect();
        const img = card.querySelector('img')!.getBoundingClientRect();
        return { top: Math.round(box.top), left: Math.round(box.left), ratio: media.width / media.height, imgRatio: img.width / img.height };
      }),
    );
    const firstRow = boxes.filter((box) => box.top === boxes[0]!.top);
    expect(new Set(firstRow.map((box) => box.left)).size).toBeGreaterThanOrEqual(3);
    for (const box of boxes) {
      expect(box.ratio).toBeCloseTo(boxes[0]!.ratio, 2);
      expect(box.imgRatio).toBeCloseTo(boxes[0]!.ratio, 2);
    }
    const fit = await page.locator('.lora-card__media img').first().evaluate((img) => getComputedStyle(img).objectFit);
    expect(fit).toBe('cover');

    // Real <img>s with dimensions; the first row eager, the rest lazy.
    const images = await page.locator('.lora-card img').evaluateAll((nodes) =>
      (nodes as HTMLImageElement[]).map((img) => ({ width: img.getAttribute('width'), height: img.getAttribute('height'), loading: img.loading })),
    );
    expect(images.every((img) => Number(img.width) > 0 && Number(img.height) > 0)).toBe(true);
    expect(images.slice(0, 4).map((img) => img.loading)).toEqual(['eager', 'eager', 'eager', 'eager']);
    expect(images.slice(4).every((img) => img.loading === 'lazy')).toBe(true);

    for (const url of ['/loras', '/lora/1', `/lora/${NO_COVER_ID}`]) {
      const html = await (await fetch(`${base}${url}`)).text();
      expect(html, url).not.toMatch(/data:image/);
      expect(html, url).not.toMatch(/;base64,/);
    }
  });

  it('shows the placeholder file for a missing cover and for a cover that answers 404', async () => {
    const page = await openPage('/loras');
    const src = (id: string) => page.locator(`[data-lora-id="${id}"] .lora-card img`).first().getAttribute('src');
    expect(await src(NO_COVER_ID)).toBe(COVER_PLACEHOLDER);
    // The dead cover's card may be below the fold, where its lazy image is not requested yet.
    await page.locator(`[data-lora-id="${DEAD_COVER_ID}"] .lora-card`).first().scrollIntoViewIfNeeded();
    await expect.poll(() => src(DEAD_COVER_ID), POLL).toBe(COVER_PLACEHOLDER);
    const placeholderLoaded = await page
      .locator(`[data-lora-id="${DEAD_COVER_ID}"] .lora-card img`)
      .first()
      .evaluate(async (img: HTMLImageElement) => {
        await img.decode().catch(() => undefined);
        return img.naturalWidth;
      });
    expect(placeholderLoaded).toBeGreaterThan(0);
    expect((await fetch(`${base}${COVER_PLACEHOLDER}`)).headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  });

  it('narrows results by a Chinese and an English search, and says when nothing matches', async () => {
    const page = await openPage('/loras');
    await page.getByLabel('搜索 LoRA').fill('山水');
    await expect.poll(() => visibleIds(page), POLL).toEqual(['1']);
    expect(await status(page)).toBe('找到 1 个 LoRA（共 30 个）');
    expect(await page.locator('#lora-end').isVisible()).toBe(true);
    expect(await page.locator('#lora-end').textContent()).toBe('没有更多内容');

    await page.getByLabel('搜索 LoRA').fill('cyberpunk');
    await expect.poll(() => visibleIds(page), POLL).toEqual(['2']);
    await page.getByLabel('搜索 LoRA').fill('NEONWORKS');
    await expect.poll(() => visibleIds(page), POLL).toEqual(['2']);
    await page.getByLabel('搜索 LoRA').fill('ink wash');
    await expect.poll(() => visibleIds(page), POLL).toEqual(['1']);

    await page.getByLabel('搜索 LoRA').fill('不存在的模型');
    await expect.poll(() => visibleIds(page), POLL).toEqual([]);
    expect(await page.locator('#lora-empty').isVisible()).toBe(true);
    expect(await status(page)).toBe('没有找到符合条件的 LoRA');
    await page.locator('#lora-empty-reset').click();
    await expect.poll(() => visibleIds(page).then((ids) => ids.length), POLL).toBe(24);
    expect(await page.getByLabel('搜索 LoRA').inputValue()).toBe('');
  });

  it('narrows results by task, base model and tag, together and with search, and keeps them in the URL', async () => {
    const page = await openPage('/loras');
    await page.locator('label.chip', { hasText: '图生视频' }).click();
    await expect.poll(() => visibleIds(page).then((ids) => ids.length), POLL).toBe(10);
    expect((await visibleIds(page)).every((id) => Number(id) % 3 === 0)).toBe(true);

    await page.getByRole('combobox', { name: '基础模型' }).selectOption('FLUX.1');
    await expect.poll(() => visibleIds(page), POLL).toEqual(['6', '12', '18', '24', '30']);
    await page.getByRole('combobox', { name: '标签' }).selectOption('国风');
    await expect.poll(() => visibleIds(page), POLL).toEqual(['30']);
    // One result keeps the usual card size: its column, not the whole row.
    expect(await page.locator('#lora-grid > li:not([hidden])').evaluate((li) => li.getBoundingClientRect().width)).toBeLessThan(400);
    expect(new URL(page.url()).search).toBe('?task=image-to-video&base=FLUX.1&tag=%E5%9B%BD%E9%A3%8E');

    // A shared URL restores the same view.
    await page.reload();
    await expect.poll(() => visibleIds(page), POLL).toEqual(['30']);
    expect(await page.getByRole('combobox', { name: '标签' }).inputValue()).toBe('国风');

    await page.getByRole('button', { name: '清除筛选' }).first().click();
    await page.getByRole('combobox', { name: '排序' }).selectOption('likes');
    await expect.poll(() => visibleIds(page).then((ids) => ids.slice(0, 3)), POLL).toEqual(['30', '29', '28']);
    await page.getByRole('combobox', { name: '标签' }).selectOption('国风');
    await page.getByLabel('搜索 LoRA').fill('示例 LoRA 10');
    await expect.poll(() => visibleIds(page), POLL).toEqual(['10']);
  });

  it('pages through the results and says when there is no more', async () => {
    const page = await openPage('/loras');
    const firstPage = await visibleIds(page);
    expect(await page.locator('#lora-end').isVisible()).toBe(false);
    await page.getByRole('navigation', { name: '分页' }).getByRole('button', { name: '下一页' }).click();
    await expect.poll(() => visibleIds(page).then((ids) => ids.length), POLL).toBe(6);
    const secondPage = await visibleIds(page);
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    expect(await status(page)).toBe('共 30 个 LoRA · 第 2 / 2 页');
    expect(await page.locator('#lora-end').isVisible()).toBe(true);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('lora-status');
    // Lazy covers of the second page load once shown.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect
      .poll(() => page.locator('#lora-grid > li:not([hidden]) img').evaluateAll((imgs) => (imgs as HTMLImageElement[]).every((img) => img.complete && img.naturalWidth > 0)))
      .toBe(true);
    await page.getByRole('button', { name: '1', exact: true }).click();
    await expect.poll(() => visibleIds(page), POLL).toEqual(firstPage);
  });

  it('compares two ticked LoRAs side by side', async () => {
    const page = await openPage('/loras');
    expect(await page.locator('#compare-bar').isVisible()).toBe(false);
    await page.getByLabel('对比：墨韵山水').check();
    expect(await page.locator('#compare-open').isDisabled()).toBe(true);
    await page.getByLabel('对比：赛博朋克霓虹').check();
    await page.getByRole('button', { name: '开始对比' }).click();
    const dialog = page.getByRole('dialog', { name: 'LoRA 对比' });
    expect(await dialog.isVisible()).toBe(true);
    const columns = await dialog.locator('.compare__column').evaluateAll((nodes) =>
      nodes.map((node) => {
        const box = node.getBoundingClientRect();
        return { top: Math.round(box.top), left: Math.round(box.left), width: box.width, text: node.textContent };
      }),
    );
    expect(columns).toHaveLength(2);
    expect(columns[0]!.top).toBe(columns[1]!.top);
    expect(columns[1]!.left).toBeGreaterThanOrEqual(columns[0]!.left + columns[0]!.width);
    expect(columns[0]!.text).toContain('墨韵山水');
    expect(columns[0]!.text).toContain('SDXL');
    expect(columns[0]!.text).toContain('Euler a');
    expect(columns[1]!.text).toContain('FLUX.1');

    // At most four: the fifth checkbox is disabled.
    await dialog.getByRole('button', { name: '关闭' }).click();
    for (const n of [5, 6]) await page.getByLabel(`对比：示例 LoRA ${n}`).check();
    expect(await page.getByLabel('对比：示例 LoRA 7').isDisabled()).toBe(true);
    expect(await page.locator('#compare-count').textContent()).toContain('已选 4 个');

    // The selection is in the URL: a reload (or a shared link) keeps it, beside the gallery's filters.
    await page.getByRole('combobox', { name: '排序' }).selectOption('likes');
    expect(new URL(page.url()).searchParams.get('compare')).toBe('1,2,5,6');
    await page.reload();
    await expect.poll(() => page.locator('#compare-count').textContent(), POLL).toContain('已选 4 个');
    expect(await page.getByLabel('对比：赛博朋克霓虹').isChecked()).toBe(true);
    expect(new URL(page.url()).searchParams.get('sort')).toBe('likes');
    await page.getByRole('button', { name: '清空' }).click();
    expect(new URL(page.url()).searchParams.has('compare')).toBe(false);
  });

  it('works without JavaScript: every card listed, the missing cover as the placeholder', async () => {
    // A context of its own: JavaScript cannot be switched off in a running one.
    const context = await browser!.newContext({ viewport: VIEWPORT, javaScriptEnabled: false });
    try {
      const page = await visit(await context.newPage(), '/loras');
      expect(await page.locator('#lora-grid > li').count()).toBe(30);
      expect(await page.locator('#lora-grid > li:not([hidden])').count()).toBe(30);
      expect(await page.locator(`[data-lora-id="${NO_COVER_ID}"] .lora-card img`).first().getAttribute('src')).toBe(COVER_PLACEHOLDER);
    } finally {
      await context.close();
    }
  });

  it('shows a LoRA page with SEO data, its works and trigger words', async () => {
    const page = await openPage('/lora/1');
    expect(await page.title()).toBe('墨韵山水 · LoRA · 画库 Huaku');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('墨韵山水');
    expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toBe(`${SITE_URL}/lora/1`);
    expect(await page.locator('meta[property="og:image"]').getAttribute('content')).toBe(`${SITE_URL}/media/test/lora-1.png`);
    const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent())!);
    expect(ld['@graph'].map((node: { '@type': string }) => node['@type'])).toEqual(['CreativeWork', 'BreadcrumbList']);
    expect(ld['@graph'][0]).toMatchObject({ name: '墨韵山水', alternateName: 'Ink-Landscape', author: { name: 'owner1' } });
    expect(await page.getByRole('link', { name: '在 ModelScope 查看' }).getAttribute('href')).toBe('https://modelscope.cn/models/owner1/lora-1');
    expect(await page.locator('.triggers code').textContent()).toBe('ink wash');
    expect(await page.locator('.work-card a').first().getAttribute('href')).toBe(workPath(USED_BY));
    // Works are shown, so the sensitive-content switch is there too.
    expect(await page.locator('.used-by [data-nsfw-toggle]').isVisible()).toBe(true);
    expect(await page.getByText('Apache License 2.0').count()).toBe(1);
    expect(await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: 'LoRA' }).getAttribute('aria-current')).toBe('page');

    const dead = await openPage(`/lora/${NO_COVER_ID}`);
    expect(await dead.locator('.lora__cover img').getAttribute('src')).toBe(COVER_PLACEHOLDER);
    expect(await dead.locator('meta[property="og:image"]').count()).toBe(0);
  });

  it('validates edited parameters and exports them as a JSON file', async () => {
    const page = await openPage('/lora/1');
    const steps = page.getByLabel('采样步数');
    await steps.fill('200');
    const error = page.locator('#param-steps-error');
    expect(await error.isVisible()).toBe(true);
    expect(await error.textContent()).toBe('采样步数超出范围：允许范围 1–150（整数），建议值 30');
    expect(await steps.getAttribute('aria-invalid')).toBe('true');

    // Export refuses while a field is invalid.
    let downloaded = false;
    page.on('download', () => (downloaded = true));
    await page.getByRole('button', { name: '导出参数为 JSON' }).click();
    expect(await page.locator('#param-status').textContent()).toBe('有参数不在允许范围内，请先修正');
    await page.waitForTimeout(500);
    expect(downloaded).toBe(false);

    await steps.fill('25');
    expect(await error.isVisible()).toBe(false);
    await page.getByLabel('LoRA 权重').fill('1.1');
    await page.getByLabel('采样器').fill('DPM++ 2M Karras');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出参数为 JSON' }).click()]);
    expect(download.suggestedFilename()).toBe('owner1-lora-1.params.json');
    const file = path.join(downloads, 'export.json');
    await download.saveAs(file);
    const exported = JSON.parse(await readFile(file, 'utf8'));
    expect(exported).toEqual({
      model_id: 'owner1/lora-1',
      task: 'text-to-image-synthesis',
      base_model: 'SDXL',
      params: { lora_weight: 1.1, sampler: 'DPM++ 2M Karras', steps: 25, cfg_scale: 7, width: 1024, height: 1024 },
      trigger_words: ['ink wash'],
      source: { site: 'huaku', lora_id: '1', page_url: 'https://modelscope.cn/models/owner1/lora-1' },
    });
    expect(JSON.parse((await page.locator('#param-json').textContent())!)).toEqual(exported);

    // 复制 JSON puts the same text on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.getByRole('button', { name: '复制 JSON' }).click();
    await expect.poll(() => page.locator('#param-status').textContent(), POLL).toBe('已复制 JSON');
    expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toEqual(exported);

    await page.getByRole('button', { name: /^复制\s*触发词 ink wash$/ }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), POLL).toBe('ink wash');
    // The visible word changes; the button keeps naming the trigger word for screen readers.
    expect(await page.locator('button[data-copy="ink wash"]').textContent()).toMatch(/^已复制\s*触发词 ink wash$/);

    await page.getByRole('button', { name: '恢复建议值' }).click();
    expect(await steps.inputValue()).toBe('30');
  });

  it('has no serious or critical axe-core violations on the gallery and a LoRA page', async () => {
    for (const [url, colorScheme] of [['/loras', 'light'], ['/lora/1', 'light'], ['/loras', 'dark'], ['/lora/1', 'dark']] as const) {
      const page = await openPage(url, { colorScheme });
      const violations = await seriousAxeViolations(page);
      expect(violations, `${url} (${colorScheme})`).toEqual([]);
    }
  });

  it('logged no console errors on any page', () => {
    expect(errors).toEqual([]);
  });
});
