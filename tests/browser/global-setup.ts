// Global setup of the site project (vitest.config.ts): everything the site test files share, made once.
// The fixture snapshot (site-fixture.ts) is built and served by one server; a second build over no
// snapshot serves the empty-state check and the community server tests; one Chromium is launched and its
// endpoint handed to the test files, which connect to it (site.ts). The malformed-snapshot build stays in
// its own test (tests/build/), since it is meant to fail.
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildSite, chromiumAvailability, CHROMIUM_PATH, makeWorkDir, startSiteServer, TEST_CHROMIUM_ARGS } from './harness.ts';
import { fixturePaths, SITE_ENV, writeSiteFixture } from './site-fixture.ts';
import type { SiteContext } from './site.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const work = await makeWorkDir('huaku-site-');
  const stops: Array<() => Promise<unknown>> = [() => work.cleanup()];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const { snapshotDir, blobDir, historyDir } = fixturePaths(work.dir);
    await writeSiteFixture(snapshotDir, blobDir, historyDir);
    const fixture = await buildSite({
      outDir: path.join(work.dir, 'dist'),
      cacheDir: path.join(work.dir, 'astro-cache'),
      env: { SNAPSHOT_DIR: snapshotDir, HISTORY_DIR: historyDir, ...SITE_ENV },
    });
    const empty = await buildSite({
      outDir: path.join(work.dir, 'dist-empty'),
      cacheDir: path.join(work.dir, 'astro-cache-empty'),
      // No SITE_URL: the community server tests check the canonical URLs of Astro's default site.
      env: { SNAPSHOT_DIR: path.join(work.dir, 'no-snapshot'), HISTORY_DIR: path.join(work.dir, 'no-history') },
    });
    const server = await startSiteServer({ outDir: fixture.outDir, workDir: work.dir, snapshotDir, blobDir, env: SITE_ENV });
    stops.push(() => server.stop());
    let chromiumWsEndpoint = '';
    if (chromiumAvailability().available) {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: TEST_CHROMIUM_ARGS });
      stops.push(() => browser.close());
      chromiumWsEndpoint = browser.wsEndpoint();
    }
    const context: SiteContext = { url: server.url, outDir: fixture.outDir, emptyOutDir: empty.outDir, blobDir, chromiumWsEndpoint };
    project.provide('site', context);
    console.info(`[site] ready in ${Math.round(performance.now() - started)} ms (fixture build ${fixture.ms} ms, empty build ${empty.ms} ms)`);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
