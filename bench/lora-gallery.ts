// First screen of the LoRA gallery with 20 covers (seed 001 §12.4, target < 2 s): the built site serves
// /loras over 20 LoRAs whose covers are real 768×1024 PNGs in the local blob store (/media/…); headless
// Chromium, no CPU or network throttling, a fresh context (empty cache) per visit. Measured per visit:
//   load      the navigation's loadEventEnd
//   firstRow  when every cover of the first row (same top as the first cover at DOMContentLoaded) is
//             decoded (img.decode(), called as the parser inserts each image, resolved)
// against a baseline in the same run: a bare static HTML page on the same server with the same 20 <img>s
// in a 4-column grid (no CSS, no JS, no layout), so the ratio is the page's own cost. Visits alternate
// between the two so drift in machine load hits both; medians are printed.
//   node bench/lora-gallery.ts [--runs 9]
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { sampleLora } from '../src/core/snapshot/test-fixtures.ts';
import { launchChromium } from '../tests/browser/harness.ts';
import { startLoraSite, type CoverImage } from '../tests/browser/lora-site.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Number(values.runs);
const COVERS = 20;
const TARGET_MS = 2000;

const covers: CoverImage[] = Array.from({ length: COVERS }, (_, i) => ({ key: `bench/lora-${i + 1}.png`, width: 768, height: 1024 }));
const loras = covers.map((cover, i) =>
  sampleLora(i + 1, { coverUrl: `/media/${cover.key}`, coverWidth: cover.width, coverHeight: cover.height, tagsCn: ['风格', i % 2 ? '国风' : '写实摄影'] }),
);

function baselineHtml(): string {
  // Same order as the gallery (downloads descending = lora 1 first).
  const imgs = loras.map((lora) => `<img src="${lora.coverUrl}" width="768" height="1024" alt="">`).join('\n');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>baseline</title>
<style>body{margin:0 auto;max-width:1200px}div{display:grid;grid-template-columns:repeat(4,1fr);gap:16px}img{width:100%;height:auto;display:block}</style>
</head><body><div>\n${imgs}\n</div></body></html>`;
}

interface Visit {
  load: number;
  firstRow: number;
  firstRowCount: number;
}

/**
 * Runs in the page before its scripts: resolves with the time the first row of `selector` images is
 * decoded. decode() starts on each image as the parser inserts it (as a browser would paint it as soon as
 * it can), not at DOMContentLoaded, which a page with module scripts reaches later than a bare one.
 */
function firstRowProbe(selector: string): void {
  const w = window as unknown as { __firstRow: Promise<{ at: number; count: number }> };
  const decoded = new Map<HTMLImageElement, Promise<unknown>>();
  const watch = () => {
    for (const img of document.querySelectorAll<HTMLImageElement>(selector)) {
      if (!decoded.has(img)) decoded.set(img, img.decode().catch(() => undefined));
    }
  };
  const observer = new MutationObserver(watch);
  observer.observe(document, { childList: true, subtree: true });
  w.__firstRow = new Promise((resolve) => {
    document.addEventListener('DOMContentLoaded', () => {
      watch();
      observer.disconnect();
      const imgs = [...document.querySelectorAll<HTMLImageElement>(selector)];
      const top = imgs[0]?.getBoundingClientRect().top;
      const row = imgs.filter((img) => img.getBoundingClientRect().top === top);
      void Promise.all(row.map((img) => decoded.get(img))).then(() => resolve({ at: performance.now(), count: row.length }));
    });
  });
}

async function visit(browser: Browser, url: string, selector: string): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(firstRowProbe, selector);
  await page.goto(url, { waitUntil: 'load' });
  const result = await page.evaluate(async () => {
    const row = await (window as unknown as { __firstRow: Promise<{ at: number; count: number }> }).__firstRow;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { load: nav.loadEventEnd, firstRow: row.at, firstRowCount: row.count };
  });
  await context.close();
  return result;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

const site = await startLoraSite({ prefix: 'huaku-bench-loras-', loras, covers });
let browser: Browser | undefined;
try {
  // The built server serves dist/client as static files: the baseline sits beside the real pages.
  await writeFile(path.join(site.outDir, 'client', 'bench-baseline.html'), baselineHtml());
  const galleryUrl = `${site.server.url}/loras`;
  const baselineUrl = `${site.server.url}/bench-baseline.html`;
  const html = await (await fetch(galleryUrl)).text();
  browser = await launchChromium();
  // One warm-up of each (server, Chromium and the OS file cache), not counted.
  await visit(browser, galleryUrl, '.lora-card img');
  await visit(browser, baselineUrl, 'img');

  const gallery: Visit[] = [];
  const baseline: Visit[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      gallery.push(await visit(browser, galleryUrl, '.lora-card img'));
      baseline.push(await visit(browser, baselineUrl, 'img'));
    } else {
      baseline.push(await visit(browser, baselineUrl, 'img'));
      gallery.push(await visit(browser, galleryUrl, '.lora-card img'));
    }
  }

  const g = { load: median(gallery.map((v) => v.load)), firstRow: median(gallery.map((v) => v.firstRow)) };
  const b = { load: median(baseline.map((v) => v.load)), firstRow: median(baseline.map((v) => v.firstRow)) };
  console.log(`LoRA gallery first screen: ${COVERS} covers (768×1024 PNG), ${runs} visits each, medians, no throttling`);
  console.log(`  /loras HTML: ${(html.length / 1024).toFixed(1)} KB (${(gzipSync(html).length / 1024).toFixed(1)} KB gzipped), base64 images: ${/data:image|;base64,/.test(html) ? 'YES' : 'none'}`);
  console.log(`  first row: ${gallery[0]!.firstRowCount} covers on /loras, ${baseline[0]!.firstRowCount} on the baseline`);
  console.log(`  gallery   load ${ms(g.load)}   first row decoded ${ms(g.firstRow)}`);
  console.log(`  baseline  load ${ms(b.load)}   first row decoded ${ms(b.firstRow)}`);
  console.log(`  ratio gallery/baseline: load ${(g.load / b.load).toFixed(2)}×, first row ${(g.firstRow / b.firstRow).toFixed(2)}×`);
  const worst = Math.max(g.load, g.firstRow);
  console.log(`  seed target < ${TARGET_MS} ms: ${worst < TARGET_MS ? 'met' : 'MISSED'} (${ms(worst)}, slowest visit ${ms(Math.max(...gallery.map((v) => Math.max(v.load, v.firstRow))))})`);
} finally {
  await browser?.close();
  await site.stop();
}
