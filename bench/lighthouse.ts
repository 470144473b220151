// Lighthouse on the built site: a demo-sized synthetic snapshot (real WebP media in a local blob store),
// the standalone server, Lighthouse 13 (npm) driving Debian's Chromium. Prints performance, accessibility,
// best-practices and SEO for the home, feed, an artwork and a LoRA page (target ≥ 98 each) with the
// failing audits, under the desktop preset and under Lighthouse's default (mobile: simulated slow 4G and
// 4× CPU slowdown). Then the JavaScript an artwork page ships: the gzipped size of every script it
// references in the built HTML, with their static imports (target ≤ 30 KB).
// The machine is shared and Lighthouse's CPU-bound metrics (TBT above all) follow its load: --runs N audits
// each page N times on the one build and prints every score (the range is the figure to quote), after one
// audit that is not counted (a freshly started browser's first page pays for its start-up); --save DIR
// keeps each report's JSON to read the details (main-thread breakdown, long tasks, layout shifts).
//   node bench/lighthouse.ts [--works 200] [--loras 30] [--preset both|desktop|mobile] [--pages home,feed,artwork,lora]
//                            [--runs 1] [--save DIR]
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig } from 'lighthouse';
import { loraPath, workPath } from '../src/site/works.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, buildSite, freePort, makeWorkDir, startSiteServer, type RunningServer } from '../tests/browser/harness.ts';
import { shippedJavaScript } from '../tests/browser/shipped-javascript.ts';
import { syntheticLoras, syntheticWorks, writeSyntheticMedia, writeSyntheticSnapshot } from './synthetic-snapshot.ts';

const { values } = parseArgs({
  options: {
    works: { type: 'string', default: '200' },
    loras: { type: 'string', default: '30' },
    preset: { type: 'string', default: 'both' },
    pages: { type: 'string', default: 'home,feed,artwork,lora' },
    runs: { type: 'string', default: '1' },
    save: { type: 'string' },
  },
});
const runs = Math.max(1, Number(values.runs));
const pageNames = new Set(values.pages!.split(','));
const workCount = Number(values.works);
const loraCount = Number(values.loras);
const presets = values.preset === 'both' ? ['desktop', 'mobile'] : [values.preset!];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

const work = await makeWorkDir('huaku-lighthouse-');
const port = await freePort();
const siteUrl = `http://127.0.0.1:${port}`;
let server: RunningServer | undefined;
let chrome: chromeLauncher.LaunchedChrome | undefined;
try {
  const snapshotDir = path.join(work.dir, 'snapshot');
  const blobDir = path.join(work.dir, 'blobs');
  await writeSyntheticSnapshot(snapshotDir, { works: workCount, loras: loraCount });
  await writeSyntheticMedia(blobDir);
  // The canonical URLs point at the server Lighthouse audits, as they would in production.
  const env = { SNAPSHOT_DIR: snapshotDir, SITE_URL: siteUrl };
  const built = await buildSite({ outDir: path.join(work.dir, 'dist'), cacheDir: path.join(work.dir, 'astro-cache'), env });
  console.log(`built ${workCount} works, ${loraCount} LoRAs in ${(built.ms / 1000).toFixed(1)} s`);
  server = await startSiteServer({ outDir: built.outDir, workDir: work.dir, snapshotDir, blobDir, env, port });

  // The same works the snapshot holds (the generator is seeded): the newest work and the first LoRA.
  const works = syntheticWorks(workCount, loraCount);
  const newest = works[works.length - 1]!;
  const pages = [
    { name: 'home', path: '/' },
    { name: 'feed', path: '/feed' },
    { name: 'artwork', path: workPath(newest) },
    { name: 'lora', path: loraPath(syntheticLoras(loraCount, works)[0]!.id) },
  ].filter((page) => pageNames.has(page.name));
  if (values.save) await mkdir(values.save, { recursive: true });

  chrome = await chromeLauncher.launch({ chromePath: CHROMIUM_PATH, chromeFlags: CHROMIUM_ARGS });
  // One audit first, not counted: the first page a freshly started Chromium renders pays for loading the
  // browser's own files and caches (fonts, ICU data, its binary's pages from disk) inside that page's tasks, which
  // Lighthouse then multiplies by its 4× CPU slowdown (here: TBT 620 ms on the first audit of home, 150 ms on the
  // next). A visitor's browser is already running.
  await lighthouse(`${siteUrl}${pages[0]?.path ?? '/'}`, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance'] });
  for (const preset of presets) {
    console.log(`\nLighthouse, ${preset === 'desktop' ? 'desktop preset' : 'default (mobile emulation, simulated throttling)'}:`);
    console.log(`${'page'.padEnd(10)}${CATEGORIES.map((c) => c.padStart(16)).join('')}`);
    for (const page of pages) for (let run = 1; run <= runs; run++) {
      const load = os.loadavg()[0]!.toFixed(1);
      const result = await lighthouse(
        `${siteUrl}${page.path}`,
        { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] },
        preset === 'desktop' ? desktopConfig : undefined,
      );
      const lhr = result!.lhr;
      if (values.save) {
        await writeFile(path.join(values.save, `${preset}-${page.name}-${run}.json`), JSON.stringify(lhr));
        const trace = (result!.artifacts as { Trace?: unknown }).Trace;
        if (trace) await writeFile(path.join(values.save, `${preset}-${page.name}-${run}.trace.json`), JSON.stringify(trace));
      }
      const scores = CATEGORIES.map((c) => Math.round((lhr.categories[c]?.score ?? 0) * 100));
      console.log(`${page.name.padEnd(10)}${scores.map((s) => `${s}${s >= 98 ? '' : ' ✗'}`.padStart(16)).join('')}   (load average ${load})`);
      // The audits that cost points: every scored audit below 0.9 in the four categories.
      for (const category of CATEGORIES) {
        for (const ref of lhr.categories[category]?.auditRefs ?? []) {
          const audit = lhr.audits[ref.id];
          if (!audit || ref.weight === 0 || audit.score === null || audit.score >= 0.9) continue;
          console.log(`${''.padEnd(10)}  ${category}: ${audit.id} (${audit.score}) ${audit.title}${audit.displayValue ? ` — ${audit.displayValue}` : ''}`);
        }
      }
      if (lhr.runtimeError) console.log(`${''.padEnd(10)}  Lighthouse failed: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      const metrics = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift']
        .map((id) => `${id.split('-').map((w) => w[0]).join('').toUpperCase()} ${lhr.audits[id]?.displayValue ?? '?'}`)
        .join(', ');
      console.log(`${''.padEnd(10)}  ${metrics}`);
    }
  }

  const scripts = await shippedJavaScript(path.join(built.outDir, 'client'), workPath(newest));
  const total = scripts.reduce((sum, s) => sum + s.gzip, 0);
  console.log(`\nJavaScript an artwork page loads (${workPath(newest)}), gzipped:`);
  for (const s of scripts.sort((a, b) => b.gzip - a.gzip)) console.log(`  ${(s.gzip / 1024).toFixed(1).padStart(6)} KB  (${(s.raw / 1024).toFixed(1)} KB raw)  ${s.name}`);
  console.log(`  total ${(total / 1024).toFixed(1)} KB gzipped (target ≤ 30 KB) ${total <= 30 * 1024 ? 'OK' : 'ABOVE TARGET'}`);
} finally {
  await chrome?.kill();
  await server?.stop();
  await work.cleanup();
}
