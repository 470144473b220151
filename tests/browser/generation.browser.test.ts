// Generation in a real browser on the fixture site, served by a community server whose providers are the
// demo fakes (A1111 first, then ModelScope API-Inference): an artwork's 做同款 prefills /generate,
// the range and compatibility checks block 生成 with their reason, a remote submission asks to confirm, the
// job's progress, log and output show, the output becomes a draft, is published and is visible; then the
// gallery's 对比生成 fills a labelled grid saved as one PNG plus its JSON, and 我的生成 lists the jobs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceGate } from '../../src/core/testing/services.ts';
import { workPath } from '../../src/site/works.ts';
import { sqliteBackend, startCommunityServer, type CommunityServer } from '../community/harness.ts';
import { chromiumAvailability, makeWorkDir } from './harness.ts';
import { byN, DETAIL_N } from './site-fixture.ts';
import { connectChromium, site } from './site.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());

describe.runIf(enabled)('generation in a browser', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let dir = '';
  let server: CommunityServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const work = await makeWorkDir('huaku-generation-browser-');
    cleanup = work.cleanup;
    dir = work.dir;
    server = await startCommunityServer({
      outDir: site().outDir,
      dir: work.dir,
      backend: await sqliteBackend(work.dir),
      generation: true,
      env: { SNAPSHOT_DIR: path.join(path.dirname(site().blobDir), 'snapshot') },
    });
    const { token } = await server.user('Huasheng');
    browser = await connectChromium();
    context = await browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
    await context.addCookies([{ name: 'huaku_session', value: token, url: server.url }]);
    page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await cleanup?.();
  });

  const submit = () => page.locator('#gen-submit');

  it('做同款 → checks → confirm → progress and output → draft → publish → visible', async () => {
    const base = server!.url;
    await page.goto(`${base}${workPath(byN(DETAIL_N))}`);
    await page.getByTestId('remix').click();
    await page.waitForURL(/\/generate#recipe=/);

    // Prefilled from the recipe; the catalogue LoRA matched by its link, the unknown one named.
    expect(await page.locator('#gen-prompt').inputValue()).toBe('赛博朋克, 雨夜, 霓虹灯, 街道, 超高清, masterpiece');
    expect(await page.locator('#gen-negativePrompt').inputValue()).toBe('lowres, bad anatomy, 模糊');
    expect(await page.locator('#gen-checkpoint').inputValue()).toBe('SDXL 1.0');
    expect(await page.locator('#gen-sampler').inputValue()).toBe('DPM++ 2M Karras');
    expect(await page.locator('#gen-width').inputValue()).toBe('832');
    expect(await page.locator('#gen-from').textContent()).toContain('做同款：雨夜霓虹街道');
    expect(await page.locator('#gen-notes').textContent()).toContain('LoRA「Film Grain」不在模型库中，已略过');
    expect(await page.locator('#gen-lora-list li[data-lora-id="1"]').textContent()).toContain('墨韵山水');
    await expect.poll(() => submit().isDisabled()).toBe(false);

    // §11 参数超出范围: the range and the suggested value, 生成 disabled with the reason.
    await page.locator('#gen-steps').fill('150');
    expect(await page.locator('#gen-steps-error').textContent()).toBe('采样步数超出范围：允许范围 1–100（整数），建议值 25');
    expect(await submit().isDisabled()).toBe(true);
    expect(await page.locator('#gen-reason').textContent()).toContain('参数超出范围');
    await page.locator('#gen-steps').fill('20');

    // §11 模型兼容性冲突: a FLUX.1 LoRA on an SDXL checkpoint.
    await page.locator('#gen-lora-search').fill('赛博朋克霓虹');
    await page.locator('#gen-lora-results').getByRole('button', { name: /赛博朋克霓虹/ }).click();
    expect(await page.locator('#gen-compat').textContent()).toContain('模型兼容性冲突');
    expect(await submit().isDisabled()).toBe(true);
    await page.locator('#gen-lora-list li[data-lora-id="2"]').getByRole('button', { name: '移除' }).click();
    expect(await submit().isDisabled()).toBe(false);

    // A billed provider (API-Inference) asks first (§9.6): declined, nothing is submitted. 自动 starts with the
    // fake A1111 (not billed) and submits at once.
    await page.locator('#api-key summary').click();
    await page.locator('#gen-provider').selectOption('modelscope');
    await submit().click();
    const dialog = page.locator('#gen-confirm');
    expect(await dialog.textContent()).toContain('可能按次计费');
    await dialog.getByRole('button', { name: '取消' }).click();
    expect(await page.locator('#gen-job').isHidden()).toBe(true);
    await page.locator('#gen-provider').selectOption('');
    // Smaller than the recipe's 832×1216: the fake draws and the server re-encodes faster.
    await page.locator('#gen-width').fill('512');
    await page.locator('#gen-height').fill('768');
    await submit().click();

    await expect.poll(() => page.getByTestId('gen-status').textContent(), { timeout: 20_000 }).toContain('已完成');
    expect(await page.locator('.gen-job progress').evaluate((p: HTMLProgressElement) => p.value)).toBe(1);
    expect(await page.getByTestId('gen-log').locator('li').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.gen-output img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(512);
    const snapshot = await page.getByTestId('gen-params').textContent();
    expect(snapshot).toContain('墨韵山水 × 0.8');
    expect(snapshot).toContain('a1111');
    expect(page.url()).toMatch(/#job=[\w-]+$/);

    // Save as a draft, publish, and find it published.
    await page.locator('.gen-output').getByRole('button', { name: '保存到草稿' }).click();
    const draft = page.getByTestId('gen-drafts').locator('li').first();
    await draft.getByRole('link', { name: '草稿 1' }).waitFor();
    const href = (await draft.getByRole('link').getAttribute('href'))!;
    await draft.getByRole('button', { name: '发布' }).click();
    await draft.getByText('已发布').waitFor();
    const feed = await (await page.request.get(`${base}/api/feed?order=newest&limit=1`)).json();
    expect(feed.items[0].url).toBe(href);
    await page.goto(`${base}${href}`);
    expect(await page.getByText('草稿，仅你可见').count()).toBe(0);
    expect(await page.locator('.artwork__prompt').first().textContent()).toContain('赛博朋克, 雨夜');
    // A published generation can be remade in turn, with its stored recipe.
    expect(await page.getByTestId('remix').getAttribute('href')).toMatch(/^\/generate#recipe=/);
  });

  it('对比生成 from the gallery: a labelled grid saved as one PNG and its JSON', async () => {
    const base = server!.url;
    await page.goto(`${base}/loras`);
    for (const id of ['1', '5']) await page.locator(`input[data-compare-toggle][value="${id}"]`).check();
    await page.locator('#compare-generate').click();
    await page.waitForURL(/\/generate\?compare=loras&loras=1,5$/);
    expect(await page.locator('#gen-title').textContent()).toBe('LoRA 对比生成');
    expect(await page.locator('#gen-lora-list li[data-lora-id]').count()).toBe(2);
    await page.locator('#gen-width').fill('512');
    await page.locator('#gen-height').fill('512');
    await expect.poll(() => submit().isDisabled()).toBe(false);
    await submit().click();

    await expect.poll(() => page.locator('.gen-compare__cell img').count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => page.locator('#gen-compare-png').isDisabled()).toBe(false);
    expect(await page.locator('.gen-compare__head').allTextContents()).toEqual([expect.stringContaining('墨韵山水'), expect.stringContaining('示例 LoRA 5')]);

    const [png] = await Promise.all([page.waitForEvent('download'), page.locator('#gen-compare-png').click()]);
    expect(png.suggestedFilename()).toMatch(/^huaku-lora-compare-.*\.png$/);
    await png.saveAs(path.join(dir, 'grid.png'));
    const meta = await sharp(await readFile(path.join(dir, 'grid.png'))).metadata();
    expect(meta).toMatchObject({ format: 'png' });
    expect(meta.width).toBeGreaterThan(2 * 384);
    const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#gen-compare-json').click()]);
    await json.saveAs(path.join(dir, 'grid.json'));
    const grid = JSON.parse(await readFile(path.join(dir, 'grid.json'), 'utf8'));
    expect(grid).toMatchObject({ kind: 'loras', rows: [expect.stringMatching(/^种子 \d+$/)] });
    expect(grid.cells.map((c: { request: { seed: number } }) => c.request.seed)).toEqual([grid.cells[0].request.seed, grid.cells[0].request.seed]);
    expect(grid.cells.every((c: { job_id: string; image_url: string }) => c.job_id && c.image_url)).toBe(true);

    // 我的生成 lists every job (read from the API, so it outlives the session), newest first.
    await page.goto(`${base}/me/generations`);
    await expect.poll(() => page.getByTestId('jobs').locator(':scope > li').count()).toBe(3);
    expect(await page.getByTestId('jobs').locator(':scope > li').last().getByTestId('gen-status').textContent()).toContain('已完成');
    expect(errors).toEqual([]);
  });
});
