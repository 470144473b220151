// Browser test of /analytics: one `astro build` over a small snapshot, the standalone Node server, headless
// Chromium. Every chart is drawn (non-transparent pixels on each canvas), its labels are Chinese and drawn
// in the embedded Noto Sans SC, the data JSON cannot break out of its <script>, and the tables carry the
// same figures. Chromium missing: skipped locally, a failure with REQUIRE_SERVICES=1 (CI).
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestSnapshot } from '../../src/core/snapshot/test-fixtures.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { analyticsWorks, SCRIPT_BREAKER } from './analytics-fixture.ts';
import { seriousAxeViolations } from './axe.ts';
import { buildSite, chromiumAvailability, launchChromium, makeWorkDir, startSiteServer, type RunningServer } from './harness.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());
const CHART_IDS = ['daily', 'sources', 'authors', 'checkpoints', 'loras', 'words'];

interface EmbeddedChart {
  id: string;
  config: { type: string; data: { labels: string[]; datasets: { label: string }[] }; options: { plugins: { title: { text: string } } } };
}

describe.runIf(enabled)('/analytics in a browser', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    const work = await makeWorkDir('huaku-analytics-browser-');
    cleanup = work.cleanup;
    const snapshotDir = path.join(work.dir, 'snapshot');
    await writeTestSnapshot(snapshotDir, analyticsWorks(), { chunkSize: 16 });
    const built = await buildSite({ outDir: path.join(work.dir, 'dist'), cacheDir: path.join(work.dir, 'astro-cache'), env: { SNAPSHOT_DIR: snapshotDir } });
    server = await startSiteServer({ outDir: built.outDir, workDir: work.dir, snapshotDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    // A loaded machine can take long over the font subsets; the tests below wait for what they need.
    page.setDefaultTimeout(60_000);
    const response = await page.goto(`${server.url}/analytics`, { waitUntil: 'domcontentloaded' });
    expect(response?.status()).toBe(200);
  }, 600_000); // the build waits for the cross-process build lock while other test files build

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await cleanup?.();
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
    expect(byId.get('checkpoints')!.data.labels).toEqual(['SDXL 1.0', '麦橘写实 majicMIX realistic']);
    expect(byId.get('loras')!.data.labels).toContain('赛车风格 LoRA');
    expect(byId.get('words')!.type).toBe('wordCloud');
    expect(byId.get('words')!.data.labels).toEqual(expect.arrayContaining(['赛博朋克', '跑车', '夜景', 'car']));
    // Stop words, LoRA tags and weights are not words.
    expect(byId.get('words')!.data.labels).not.toEqual(expect.arrayContaining(['的']));
    expect(byId.get('words')!.data.labels.some((w) => w.includes('lora') || w.includes('1.2'))).toBe(false);
  });

  it('has a heading, an explanation and a table of the same figures for each chart', async () => {
    const headings = await page!.locator('.chart-section h2').allTextContents();
    expect(headings).toEqual(['每日作品数（按来源）', '各来源作品总数', '作品最多的作者 Top 4', 'Checkpoint 引用 Top 2', 'LoRA 引用 Top 2', '提示词词云']);
    expect(await page!.locator('.chart-section details table').count()).toBe(6);
    expect(await page!.getByRole('heading', { level: 1 }).textContent()).toBe('数据分析');

    const sources = page!.locator('[data-chart-section="sources"] table');
    await page!.locator('[data-chart-section="sources"] summary').click();
    expect((await sources.locator('tbody tr').allInnerTexts()).map((row) => row.split('\t'))).toEqual([
      ['Liblib', '30', '3', '30'],
      ['Civitai', '10', '1', '10'],
    ]);
    expect(await page!.locator('[data-chart-section="checkpoints"] table').textContent()).toContain('麦橘写实 majicMIX realistic');
    const author = page!.locator('[data-chart-section="authors"] table a', { hasText: '画师小王' });
    expect(await author.getAttribute('href')).toMatch(/^\/user\/(liblib|civitai)-author-\d$/);
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
});
