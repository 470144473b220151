// Browser test of /analytics over the fixture site (site-fixture.ts, built once by the site project's global
// setup). Every chart is drawn (non-transparent pixels on each canvas), its labels are Chinese and drawn in
// the embedded Noto Sans SC, the data JSON cannot break out of its <script>, and the tables carry the same
// figures. Then /trends over the fixture's history (and its empty state over none) and the 新增 badges of
// the works the snapshot's diff added. Chromium missing: skipped locally, a failure with REQUIRE_SERVICES=1 (CI).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkSource } from '../../src/core/snapshot/schema.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { seriousAxeViolations } from './axe.ts';
import { chromiumAvailability } from './harness.ts';
import { connectChromium, recordPageErrors, ReusedTab, site } from './site.ts';
import { ADDED_IDS, GENERATED_AT, HISTORY_DAYS, NEWCOMER_WORK, RACING_BEFORE, SCRIPT_BREAKER, siteWorks } from './site-fixture.ts';
import { workPath } from '../../src/site/works.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());
const CHART_IDS = ['daily', 'sources', 'authors', 'checkpoints', 'loras', 'words'];

interface EmbeddedChart {
  id: string;
  config: { type: string; data: { labels: string[]; datasets: { label: string }[] }; options: { plugins: { title: { text: string } } } };
}

/** A source's row of the totals table, counted from the fixture: works, distinct authors, images. */
function sourceRow(source: WorkSource, label: string): string[] {
  const works = siteWorks.filter((w) => w.source === source);
  const authors = new Set(works.flatMap((w) => (w.author ? [w.author.id] : [])));
  return [label, String(works.length), String(authors.size), String(works.reduce((sum, w) => sum + w.images.length, 0))];
}

// One tab for the whole file, reset before each page it shows (a new context per page cost ~1 CPU-s each).
let browser: Browser | undefined;
let tab: ReusedTab | undefined;
const DESKTOP = { width: 1280, height: 900 };

beforeAll(async () => {
  if (!enabled) return;
  browser = await connectChromium();
  tab = await ReusedTab.open(browser);
});

afterAll(async () => {
  await tab?.close();
  await browser?.close();
});

describe.runIf(enabled)('/analytics in a browser', () => {
  let page: Page | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    page = await tab!.fresh({ viewport: DESKTOP });
    recordPageErrors(page, errors);
    // A loaded machine can take long over the font subsets; the tests below wait for what they need.
    page.setDefaultTimeout(60_000);
    const response = await page.goto(`${site().url}/analytics`, { waitUntil: 'domcontentloaded' });
    expect(response?.status()).toBe(200);
  });

  it('draws every chart: each canvas has non-transparent pixels', async () => {
    expect(await page!.locator('canvas[data-chart]').evaluateAll((nodes) => nodes.map((n) => (n as HTMLCanvasElement).dataset.chart))).toEqual(CHART_IDS);
    const inkPerChart = () =>
      page!.locator('canvas[data-chart]').evaluateAll((nodes) =>
        (nodes as HTMLCanvasElement[]).map((canvas) => {
          if (canvas.width === 0 || canvas.height === 0) return 0;
          const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
          let ink = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) ink += 1;
          return ink;
        }),
      );
    // Charts animate in: wait until every canvas has settled on a substantial drawing.
    await expect.poll(async () => Math.min(...(await inkPerChart())), { timeout: 20_000 }).toBeGreaterThan(2000);
  });

  it('labels the charts in Chinese, drawn in the embedded Noto Sans SC', async () => {
    await expect.poll(() => page!.evaluate(() => document.fonts.check('12px "Noto Sans SC"', '作品'))).toBe(true);
    expect(await page!.evaluate(() => document.fonts.check('12px "Noto Sans SC"', '赛博朋克夜景'))).toBe(true);

    const charts = JSON.parse((await page!.locator('#analytics-charts').textContent()) ?? '[]') as EmbeddedChart[];
    const byId = new Map(charts.map((chart) => [chart.id, chart.config]));
    expect([...byId.keys()]).toEqual(CHART_IDS);
    expect(byId.get('daily')!.options.plugins.title.text).toBe('每日作品数（按来源）');
    expect(byId.get('daily')!.data.datasets.map((d) => d.label)).toEqual(['Liblib', 'Civitai']);
    expect(byId.get('authors')!.data.labels).toContain('画师小王');
    expect(byId.get('checkpoints')!.data.labels).toEqual(['SDXL 1.0', '麦橘写实 majicMIX realistic', 'Juggernaut XL', 'majicMIX realistic · v7']);
    expect(byId.get('loras')!.data.labels).toContain('赛车风格 LoRA');
    expect(byId.get('words')!.type).toBe('wordCloud');
    expect(byId.get('words')!.data.labels).toEqual(expect.arrayContaining(['赛博朋克', '跑车', '夜景', 'car']));
    // Stop words, LoRA tags and weights are not words.
    expect(byId.get('words')!.data.labels).not.toEqual(expect.arrayContaining(['的']));
    expect(byId.get('words')!.data.labels.some((w) => w.includes('lora') || w.includes('1.2'))).toBe(false);
    // Quality boilerplate and single-character fragments are not words either (issue 17).
    const words = byId.get('words')!.data.labels as string[];
    for (const boilerplate of ['masterpiece', 'best', 'quality', '超高清']) expect(words, boilerplate).not.toContain(boilerplate);
    expect(words.filter((w) => [...w].length < 2)).toEqual([]);
  });

  it('has a heading, an explanation and a table of the same figures for each chart', async () => {
    const headings = await page!.locator('.chart-section h2').allTextContents();
    // 18 authors (15 shown), 4 checkpoints (one from the recipes work), 7 LoRA names in the fixture.
    expect(headings).toEqual(['每日作品数（按来源）', '各来源作品总数', '作品最多的作者 Top 15', 'Checkpoint 引用 Top 4', 'LoRA 引用 Top 7', '提示词词云']);
    expect(await page!.locator('.chart-section details table').count()).toBe(6);
    expect(await page!.getByRole('heading', { level: 1 }).textContent()).toBe('数据分析');

    const sources = page!.locator('[data-chart-section="sources"] table');
    await page!.locator('[data-chart-section="sources"] summary').click();
    expect((await sources.locator('tbody tr').allInnerTexts()).map((row) => row.split('\t'))).toEqual([sourceRow('liblib', 'Liblib'), sourceRow('civitai', 'Civitai')]);
    expect(await page!.locator('[data-chart-section="checkpoints"] table').textContent()).toContain('麦橘写实 majicMIX realistic');
    const author = page!.locator('[data-chart-section="authors"] table a', { hasText: '画师小王' });
    expect(await author.getAttribute('href')).toBe('/user/civitai-car-author-0');
    expect(await page!.locator('[data-chart-section="loras"] table a', { hasText: '赛车风格 LoRA' }).getAttribute('href')).toBe('/lora/racing-style');
  });

  it('keeps markup in the data inert: the embedded JSON and the tables show it as text', async () => {
    expect(await page!.evaluate(() => (window as unknown as { __analyticsInjected?: boolean }).__analyticsInjected)).toBeUndefined();
    expect(await page!.locator('[data-chart-section="loras"] table').textContent()).toContain(`Neon City ${SCRIPT_BREAKER}`);
    const charts = JSON.parse((await page!.locator('#analytics-charts').textContent()) ?? '[]') as EmbeddedChart[];
    // On the chart the long name is shortened; the table above has it in full.
    expect(charts.find((c) => c.id === 'loras')!.config.data.labels).toContain('Neon City </script><scr…');
  });

  it('has no console errors and no serious accessibility violations', async () => {
    expect(await seriousAxeViolations(page!)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('on a dark phone: charts on the dark surface, the word cloud inside the screen (issue 17)', async () => {
    // Last: the tab leaves the desktop /analytics the tests above read.
    const phone = await tab!.fresh({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await phone.goto(`${site().url}/analytics`);
    const card = phone.locator('[data-chart-section="words"] .chart-section__canvas');
    expect(await card.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(28, 25, 23)');
    await expect.poll(() => phone.locator('canvas[data-chart="words"]').getAttribute('data-drawn'), { timeout: 30_000 }).toBe('true');
    const box = (await phone.locator('canvas[data-chart="words"]').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  });
});

describe.runIf(enabled)('/trends and 新增 badges in a browser', () => {
  let page: Page | undefined;
  const errors: string[] = [];
  const today = GENERATED_AT.slice(0, 10);

  beforeAll(async () => {
    page = await tab!.fresh({ viewport: DESKTOP });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.setDefaultTimeout(60_000);
    const response = await page.goto(`${site().url}/trends`, { waitUntil: 'domcontentloaded' });
    expect(response?.status()).toBe(200);
  });

  const rows = async (chart: string) => {
    await page!.locator(`[data-chart-section="${chart}"] summary`).click();
    return (await page!.locator(`[data-chart-section="${chart}"] tbody tr`).allInnerTexts()).map((row) => row.split('\t'));
  };

  it('compares the snapshot with the history a week before and draws every trend chart', async () => {
    expect(await page!.getByTestId('trends-range').textContent()).toContain(`基于 3 个发布日（${HISTORY_DAYS[0]} 至 ${today}）`);
    const charts = ['volume', 'rising-loras', 'rising-checkpoints', 'rising-words', 'new-authors'];
    expect(await page!.locator('[data-chart-section]').evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.chartSection))).toEqual(charts);
    await expect.poll(() => page!.locator('canvas[data-chart][data-drawn="true"]').count(), { timeout: 20_000 }).toBe(charts.length);

    // 赛车风格 LoRA: 5 works on the base day, 20 (the odd analytics works) now, linked to its LoRA page; Neon City
    // (the even ones, not on the base day's list) grew more, and its markup stays text.
    const using = (name: string) => siteWorks.filter((w) => w.models.some((m) => m.name === name)).length;
    const racing = using('赛车风格 LoRA');
    const neon = using(`Neon City ${SCRIPT_BREAKER}`);
    const loras = await rows('rising-loras');
    expect(loras[0]).toEqual(['1', `Neon City ${SCRIPT_BREAKER}`, '新上榜', String(neon), String(neon)]);
    expect(loras[1]).toEqual(['2', '赛车风格 LoRA', String(RACING_BEFORE), String(racing), String(racing - RACING_BEFORE)]);
    expect(await page!.locator('[data-chart-section="rising-loras"] table a', { hasText: '赛车风格 LoRA' }).getAttribute('href')).toBe('/lora/racing-style');
    expect((await rows('rising-words')).some((row) => row[2] === '新上榜')).toBe(true);

    // Daily volume: the first day has no baseline; today added the two works of the snapshot's diff.
    const liblib = siteWorks.filter((w) => w.source === 'liblib').length;
    const volume = await rows('volume');
    expect(volume.map((row) => row[0])).toEqual([...HISTORY_DAYS, today]);
    expect(volume[0]!.at(-1)).toBe('—');
    expect(volume[2]).toEqual([today, `${ADDED_IDS.length}（${liblib}）`, `0（${siteWorks.length - liblib}）`, String(ADDED_IDS.length)]);
  });

  it('names the author new this week and has no errors or serious accessibility violations', async () => {
    const newcomer = page!.getByTestId('new-authors').getByRole('link', { name: NEWCOMER_WORK.author!.name });
    expect(await newcomer.getAttribute('href')).toBe(`/user/${NEWCOMER_WORK.author!.username}`);
    expect(await page!.getByTestId('new-authors').locator('li').count()).toBe(1);
    expect(await seriousAxeViolations(page!)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('marks the works the snapshot added with 新增, on their cards and pages, and no others', async () => {
    await page!.goto(`${site().url}/user/${NEWCOMER_WORK.author!.username}`, { waitUntil: 'domcontentloaded' });
    expect(await page!.locator(`.work-card[data-work-id="${NEWCOMER_WORK.id}"] .new-badge`).textContent()).toBe('新增');
    await page!.goto(`${site().url}${workPath(NEWCOMER_WORK)}`, { waitUntil: 'domcontentloaded' });
    expect(await page!.locator('.artwork-page__byline .new-badge').textContent()).toBe('新增');
    // On the page of analytics work 1's author, each card has the badge exactly when the diff added its work.
    const author = siteWorks.find((w) => w.id === ADDED_IDS[1])!.author!;
    await page!.goto(`${site().url}/user/${author.username}`, { waitUntil: 'domcontentloaded' });
    const cards = await page!.locator('.work-card').evaluateAll((nodes) => nodes.map((n) => [(n as HTMLElement).dataset.workId, n.querySelector('.new-badge') !== null]));
    expect(cards.length).toBeGreaterThan(1);
    expect(cards).toEqual(cards.map(([id]) => [id, ADDED_IDS.includes(id as string)]));
  });

  it('shows an honest empty state when there are fewer than two published days', async () => {
    const html = await readFile(path.join(site().emptyOutDir, 'client', 'trends', 'index.html'), 'utf8');
    expect(html).toContain('历史数据还不够');
    expect(html).toContain('目前只有 0 天');
    expect(html).not.toContain('data-chart-section');
  });
});
