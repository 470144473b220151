// NSFW beyond the work cards: a Mature/X work's link preview (og:image, twitter:image) is the neutral card
// and never its image, lists never preview a sensitive cover, and /search blurs sensitive results like
// every other list until the visitor turns sensitive content on.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceGate } from '../../src/core/testing/services.ts';
import { workSearchDoc } from '../../src/site/search/search-docs.ts';
import { SENSITIVE_SHARE_IMAGE, isSensitive } from '../../src/site/nsfw.ts';
import { workPath } from '../../src/site/works.ts';
import { chromiumAvailability } from './harness.ts';
import { connectChromium, ReusedTab, site } from './site.ts';
import { byN, NSFW_N, SITE_URL, siteWorks as works } from './site-fixture.ts';

const sensitiveImages = works.filter((w) => isSensitive(w.nsfwLevel)).flatMap((w) => w.images.flatMap((i) => [i.url, i.thumbUrl]).filter(Boolean) as string[]);
const metaOf = (html: string, property: string) => [...html.matchAll(new RegExp(`<meta (?:property|name)="${property}" content="([^"]*)"`, 'g'))].map((m) => m[1]!);
const builtPage = (urlPath: string) => readFile(path.join(site().outDir, 'client', decodeURI(urlPath), 'index.html'), 'utf8');

describe('NSFW link previews', () => {
  it('a Mature and an X work preview the neutral card, never their image', async () => {
    for (const work of [byN(NSFW_N), byN(97)]) {
      const html = await builtPage(workPath(work));
      expect(metaOf(html, 'og:image'), work.nsfwLevel).toEqual([`${SITE_URL}${SENSITIVE_SHARE_IMAGE.url}`]);
      expect(metaOf(html, 'twitter:image')).toEqual([`${SITE_URL}${SENSITIVE_SHARE_IMAGE.url}`]);
      expect(metaOf(html, 'og:image:width')).toEqual(['1200']);
    }
    // A work that is not sensitive keeps its own image.
    const soft = await builtPage(workPath(byN(96)));
    expect(metaOf(soft, 'og:image')[0]).toBe(new URL(byN(96).images[0]!.url, SITE_URL).href);
  });

  it('lists (home, feed) never preview a sensitive cover', async () => {
    for (const page of ['/', '/feed']) {
      const previews = metaOf(await builtPage(page), 'og:image');
      for (const image of sensitiveImages) expect(previews, page).not.toContain(new URL(image, SITE_URL).href);
    }
  });

  it('search documents mark sensitive works', () => {
    expect(workSearchDoc(byN(NSFW_N))!.meta.n).toBe(1);
    expect(workSearchDoc(byN(96))!.meta.n).toBeUndefined();
  });
});

describe.runIf(serviceGate('chromium (browser tests)', chromiumAvailability()))('NSFW in /search results', () => {
  let browser: Browser | undefined;
  let tab: ReusedTab | undefined;
  beforeAll(async () => {
    browser = await connectChromium();
    tab = await ReusedTab.open(browser);
  });
  afterAll(async () => {
    await tab?.close();
    await browser?.close();
  });

  it('blurs a sensitive result with its label until the switch is on', async () => {
    const page = await tab!.fresh();
    await page.goto(`${site().url}/search?q=${encodeURIComponent(byN(NSFW_N).title!)}`);
    await expect.poll(() => page.locator('[data-search-status]').textContent(), { timeout: 60_000 }).toMatch(/找到|没有找到|不可用/);
    const result = page.locator(`.search-results .work-card:has(a[href="${workPath(byN(NSFW_N))}"])`);
    expect(await result.count(), (await page.locator('[data-search-status]').textContent()) ?? '').toBe(1);
    const image = result.locator('.is-sensitive img');
    expect(await image.evaluate((img) => getComputedStyle(img).filter)).toContain('blur');
    expect(await result.locator('.nsfw-label').textContent()).toBe('敏感内容');
    expect(await result.locator('.nsfw-label').isVisible()).toBe(true);
    await page.evaluate(() => document.documentElement.classList.add('show-nsfw'));
    expect(await image.evaluate((img) => getComputedStyle(img).filter)).toBe('none');
    expect(await result.locator('.nsfw-label').isVisible()).toBe(false);
  });
});
