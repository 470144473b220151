// The community flow in a real browser on the built site: log in, upload (with preview), publish, find the
// work in the feed, like it (and see a failed like rolled back), favorite it, find it in 我的收藏, log out;
// and the creator's day one: a wrong password's own message, a refused file, a post whose recipe is
// prefilled from an A1111 PNG, the work on /feed and the home page at once (the 刚刚发布 cards) with no
// layout shift on the home page, edit and delete.
// The server serves the fixture site's build (the site project's global setup) with a store of its own.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPngText } from '../../src/core/media/png-text.ts';
import { testImage } from '../../src/server/testing/community.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { sqliteBackend, startCommunityServer, type CommunityServer } from '../community/harness.ts';
import { chromiumAvailability, makeWorkDir } from './harness.ts';
import { connectChromium, recordLayoutShifts, ReusedTab, site } from './site.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());


/**
 * Wait until the island holding `selector` is hydrated (Astro drops its `ssr` attribute then): a file chosen
 * or a field typed into before that goes to the server-rendered markup, which no handler watches yet.
 */
async function hydrated(page: Page, selector: string): Promise<void> {
  await page.locator(`astro-island:not([ssr]):has(${selector})`).first().waitFor();
}
describe.runIf(enabled)('community flow in a browser', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let server: CommunityServer | undefined;
  let browser: Browser | undefined;
  // One tab for both tests, reset between them: fresh() drops the session cookie and the server origin's
  // storage, the only origin these tests visit, so the second user starts signed out as in a new context.
  let tab: ReusedTab | undefined;

  beforeAll(async () => {
    const work = await makeWorkDir('huaku-community-browser-');
    cleanup = work.cleanup;
    // Production settings (Secure cookies): browsers accept them from http://127.0.0.1 and localhost.
    server = await startCommunityServer({ outDir: site().outDir, dir: work.dir, backend: await sqliteBackend(work.dir) });
    await server.user('Xiaohua', { password: 'huaku-pass-1' });
    await server.user('Poster', { password: 'huaku-pass-2' });
    browser = await connectChromium();
    tab = await ReusedTab.open(browser, { locale: 'zh-CN' });
  });

  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await server?.stop();
    await cleanup?.();
  });

  it('log in, upload, publish, see it in the feed, like, favorite, log out', async () => {
    const page = await tab!.fresh();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const base = server!.url;

    // Log in (the login page sends us on to 我的作品).
    await page.goto(`${base}/login`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('登录画库');
    await expect.poll(() => page.getByTestId('google-login').isVisible()).toBe(true);
    await page.getByLabel('用户名').fill('xiaohua');
    await page.getByLabel('密码').fill('huaku-pass-1');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${base}/me`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('你好，Xiaohua');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'huaku_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });

    // Upload with a preview, as a draft, then publish.
    await page.goto(`${base}/upload`);
    await hydrated(page, 'input[type="file"]');
    await page.locator('input[type="file"]').setInputFiles({ name: '夜景.png', mimeType: 'image/png', buffer: await testImage('png', 320, 240) });
    await expect.poll(() => page.locator('img.upload-form__preview').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
    await page.getByLabel('标题').fill('浏览器里的夜景');
    await page.getByRole('button', { name: '上传为草稿' }).click();
    await page.locator('.upload-form__done').getByText('已保存为草稿').waitFor();
    await page.getByRole('button', { name: '发布', exact: true }).click();
    await page.getByText('已发布，作品已出现在作品流中').waitFor();

    // The feed has it first, at once.
    const feed = await page.request.get(`${base}/api/feed?order=newest&limit=5`);
    const first = (await feed.json()).items[0];
    expect(first).toMatchObject({ title: '浏览器里的夜景', status: 'published', like_count: 0 });

    // Its page (rendered on demand): like, with a failure rolled back first.
    await page.goto(`${base}${first.url}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('浏览器里的夜景');
    const like = page.getByRole('button', { name: /点赞|已赞/ });
    await page.route('**/api/artworks/*/like', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'x', message: '服务暂时不可用' } }) }));
    await like.click();
    await page.getByText('点赞失败：服务暂时不可用').waitFor();
    await expect.poll(() => page.getByTestId('like-count').textContent()).toBe('0');
    expect(await like.getAttribute('aria-pressed')).toBe('false');
    await page.unroute('**/api/artworks/*/like');
    await like.click();
    await expect.poll(() => like.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.getByTestId('like-count').textContent()).toBe('1');
    await page.getByRole('button', { name: /收藏/ }).click();
    await page.getByText('已收藏', { exact: true }).first().waitFor();
    await expect.poll(() => page.getByTestId('favorite-count').textContent()).toBe('1');
    await page.reload();
    expect(await page.getByTestId('like-count').textContent()).toBe('1');
    expect(await page.getByRole('button', { name: /已赞/ }).getAttribute('aria-pressed')).toBe('true');

    // 我的作品: published, and in 我的收藏.
    await page.goto(`${base}/me`);
    expect(await page.getByTestId('published').getByText('浏览器里的夜景').count()).toBe(1);
    expect(await page.getByTestId('favorites').getByText('浏览器里的夜景').count()).toBe(1);

    // Log out: back home, signed out everywhere.
    await page.getByTestId('logout').click();
    await page.waitForURL(`${base}/`);
    expect((await (await page.request.get(`${base}/api/auth/me`)).json()).user).toBeNull();
    await page.goto(`${base}/me`);
    await page.waitForURL(/\/login\?next=%2Fme$/);
    expect(errors).toEqual([]);
  });

  it('posts with the recipe prefilled from an A1111 PNG, shows it on /feed and / at once (no layout shift on /), edits and deletes it', async () => {
    const page = await tab!.fresh();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const base = server!.url;
    // Form fields by name: a label's accessible name also carries the value its field holds.
    const field = (name: string) => page.locator(`form [name="${name}"]`);

    // A wrong password says so (not 请先登录); then the right one.
    await page.goto(`${base}/login`);
    await page.getByLabel('用户名').fill('poster');
    await page.getByLabel('密码').fill('wrong-pass-9');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByRole('alert').getByText('用户名或密码错误').waitFor();
    expect(await page.getByText('请先登录').count()).toBe(0);
    await page.getByLabel('密码').fill('huaku-pass-2');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${base}/me`);

    // A refused file keeps the upload button disabled, its error shown once.
    await page.goto(`${base}/upload`);
    await hydrated(page, 'input[type="file"]');
    const file = page.locator('input[type="file"]');
    const submit = page.getByRole('button', { name: '上传为草稿' });
    await file.setInputFiles({ name: 'x.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
    await page.getByText('请选择 JPEG、PNG、WebP 图片或 MP4、WebM 视频').waitFor();
    expect(await page.getByText('请选择 JPEG、PNG、WebP 图片或 MP4、WebM 视频').count()).toBe(1);
    expect(await submit.isDisabled()).toBe(true);

    // An A1111 PNG fills the recipe form from its own parameters chunk.
    const parameters = '红色跑车，夜景 <lora:Car LoRA:0.7>\nNegative prompt: 模糊\nSteps: 28, Sampler: DPM++ 2M, CFG scale: 7, Seed: 3498048277, Size: 832x1216, Model: majicMIX realistic';
    await file.setInputFiles({ name: '跑车.png', mimeType: 'image/png', buffer: setPngText(await testImage('png', 320, 240), { parameters }) });
    await page.getByTestId('prefilled').waitFor();
    expect(await field('prompt').inputValue()).toBe('红色跑车，夜景 <lora:Car LoRA:0.7>');
    expect(await field('negativePrompt').inputValue()).toBe('模糊');
    expect(await Promise.all(['sampler', 'steps', 'cfgScale', 'width', 'height', 'seed'].map((name) => field(name).inputValue()))).toEqual(['DPM++ 2M', '28', '7', '832', '1216', '3498048277']);
    expect(await field('checkpoint').inputValue()).toBe('majicMIX realistic');
    expect([await page.getByLabel('LoRA 1 名称').inputValue(), await page.getByLabel('LoRA 1 权重').inputValue()]).toEqual(['Car LoRA', '0.7']);
    expect(await submit.isEnabled()).toBe(true);

    // The server's refusal shows once, in place; corrected, the post goes through.
    await field('steps').fill('999');
    await submit.click();
    await page.getByText('步数须为 1 到 150 的整数').waitFor();
    expect(await page.getByText('步数须为 1 到 150 的整数').count()).toBe(1);
    await field('steps').fill('28');
    await field('title').fill('夜色跑车');
    await field('tags').fill('汽车，夜景');
    await field('nsfwLevel').selectOption('Soft');
    await submit.click();
    await page.locator('.upload-form__done').getByText('已保存为草稿').waitFor();
    await page.getByRole('button', { name: '发布', exact: true }).click();
    await page.getByText('已发布，作品已出现在作品流中').waitFor();
    const { items } = await (await page.request.get(`${base}/api/feed?order=newest&limit=1`)).json();
    expect(items[0]).toMatchObject({ title: '夜色跑车', nsfw_level: 'Soft' });
    const id = items[0].id as number;

    // /feed (built before it was posted) shows it at once, as the same work card, with Huaku's own counts.
    await page.goto(`${base}/feed`);
    const card = page.locator(`[data-fresh-works] article.work-card[data-work-id="${id}"]`);
    await card.waitFor();
    expect(await card.locator('.work-card__title').textContent()).toBe('夜色跑车');
    expect(await card.locator('.work-card__media img').getAttribute('src')).toMatch(/^\/media\//);

    // The home page too, and nothing on it moves while it loads (layout shift 0, issue 17): not the card
    // arriving (below the first screen), not the sensitive-content switch, not the header's 我的作品.
    const layoutShifts = await recordLayoutShifts(page);
    await page.goto(`${base}/`);
    await page.locator(`[data-fresh-works] article.work-card[data-work-id="${id}"]`).waitFor();
    await page.getByRole('link', { name: '我的作品' }).waitFor();
    expect(await page.getByRole('button', { name: '显示敏感内容' }).isVisible()).toBe(true);
    expect(await layoutShifts()).toEqual([]);

    // Its page lists the recipe as posted; edit it, then delete it.
    await page.goto(`${base}${items[0].url}`);
    expect(await page.getByTestId('params').textContent()).toContain('3498048277');
    expect(await page.getByTestId('models').textContent()).toContain('LoRA：Car LoRA · 权重 0.7');
    expect(await page.getByTestId('tags').textContent()).toBe('#汽车#夜景');
    await page.getByRole('link', { name: '编辑' }).click();
    await page.waitForURL(`${base}/upload?edit=${id}`);
    await hydrated(page, 'form');
    expect(await field('seed').inputValue()).toBe('3498048277');
    await field('title').fill('夜色跑车（修改）');
    await page.getByRole('button', { name: '保存修改' }).click();
    await page.waitForURL(`${base}${items[0].url}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('夜色跑车（修改）');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: '删除' }).click();
    await page.waitForURL(`${base}/me`);
    expect(await page.getByText('夜色跑车（修改）').count()).toBe(0);
    expect((await page.request.get(`${base}/api/artworks/${id}`)).status()).toBe(404);
    expect(errors).toEqual([]);
  });
});
