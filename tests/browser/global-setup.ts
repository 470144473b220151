// Global setup of the site project (vitest.config.ts): everything the site test files share, made once.
// The fixture snapshot (site-fixture.ts) is built and served by one server; a second build over no
// snapshot serves the empty-state check and the community server tests; one Chromium is launched and its
// endpoint handed to the test files, which connect to it (site.ts). The malformed-snapshot build stays in
// its own test (tests/build/), since it is meant to fail.
//
// Vitest starts no test file of any project before every global setup has returned, so the builds (~20 s,
// about one core) go on in the background after it returns: the other projects' files use the other core
// meanwhile, and each site test file waits for them first (wait-for-site.ts, the project's setup file),
// through the marker file this writes when they are done or have failed.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { buildSite, chromiumAvailability, CHROMIUM_PATH, freePort, makeWorkDir, startSiteServer, TEST_CHROMIUM_ARGS, type RunningServer } from './harness.ts';
import { fixturePaths, SITE_ENV, writeSiteFixture } from './site-fixture.ts';
import { SITE_FAILED_PREFIX, SITE_READY, type SiteContext } from './site.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  const work = await makeWorkDir('huaku-site-');
  let browser: BrowserServer | undefined;
  let server: RunningServer | undefined;
  let settled: Promise<unknown> | undefined;
  // The builds are waited for first: a run stopped early must not delete the folder under them.
  const teardown = async () => {
    await settled?.catch(() => undefined);
    await server?.stop();
    await browser?.close();
    await work.cleanup();
  };
  try {
    const { snapshotDir, blobDir, historyDir } = fixturePaths(work.dir);
    if (chromiumAvailability().available) {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: TEST_CHROMIUM_ARGS });
    }
    const port = await freePort();
    const context: SiteContext = {
      url: `http://127.0.0.1:${port}`,
      outDir: path.join(work.dir, 'dist'),
      emptyOutDir: path.join(work.dir, 'dist-empty'),
      blobDir,
      chromiumWsEndpoint: browser?.wsEndpoint() ?? '',
      readyFile: path.join(work.dir, 'site-ready'),
    };
    const built = (async () => {
      await writeSiteFixture(snapshotDir, blobDir, historyDir);
      // Rendered by render processes, as a production build is (src/integrations/prerender/).
      const fixture = await buildSite({
        outDir: context.outDir,
        cacheDir: path.join(work.dir, 'astro-cache'),
        env: { SNAPSHOT_DIR: snapshotDir, HISTORY_DIR: historyDir, SITE_BUILD_RENDER_PROCESSES: '2', ...SITE_ENV },
      });
      const empty = await buildSite({
        outDir: context.emptyOutDir,
        cacheDir: path.join(work.dir, 'astro-cache-empty'),
        // No SITE_URL: the community server tests check the canonical URLs of Astro's default site.
        env: { SNAPSHOT_DIR: path.join(work.dir, 'no-snapshot'), HISTORY_DIR: path.join(work.dir, 'no-history') },
      });
      server = await startSiteServer({ outDir: context.outDir, workDir: work.dir, snapshotDir, blobDir, env: SITE_ENV, port });
      console.info(`[site] ready in ${Math.round(performance.now() - started)} ms (fixture build ${fixture.ms} ms, empty build ${empty.ms} ms)`);
    })();
    settled = built.then(
      () => writeFile(context.readyFile, SITE_READY),
      (error: unknown) => writeFile(context.readyFile, `${SITE_FAILED_PREFIX}${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    );
    project.provide('site', context);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
