// The community flow in a real browser on the built site: log in, upload (with preview), publish, find the
// work in the feed, like it (and see a failed like rolled back), favorite it, find it in 我的收藏, log out.
// The server is the build over no snapshot made by the site project's global setup.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testImage } from '../../src/server/testing/community.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { sqliteBackend, startCommunityServer, type CommunityServer } from '../community/harness.ts';
import { chromiumAvailability, makeWorkDir } from './harness.ts';
import { connectChromium, site } from './site.ts';

const enabled = serviceGate('chromium (browser tests)', chromiumAvailability());

describe.runIf(enabled)('community flow in a browser', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let server: CommunityServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const work = await makeWorkDir('huaku-community-browser-');
    cleanup = work.cleanup;
    // Production settings (Secure cookies): browsers accept them from http://127.0.0.1 and localhost.
    server = await startCommunityServer({ outDir: site().emptyOutDir, dir: work.dir, backend: await sqliteBackend(work.dir) });
    await server.user('Xiaohua', { password: 'huaku-pass-1' });
    browser = await connectChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await cleanup?.();
  });

  it('log in, upload, publish, see it in the feed, like, favorite, log out', async () => {
    const context = await browser!.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
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
    const cookie = (await context.cookies()).find((c) => c.name === 'huaku_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });

    // Upload with a preview, as a draft, then publish.
    await page.goto(`${base}/upload`);
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
    await context.close();
  });
});
