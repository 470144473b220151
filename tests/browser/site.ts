// What the site project's global setup (global-setup.ts) prepares once for every site test file: the
// fixture site built and served, the build over no snapshot, and one Chromium that test files connect to.
import type { Browser, Page } from 'playwright-core';
import { inject } from 'vitest';

export interface SiteContext {
  /** The running server of the fixture site (site-fixture.ts). */
  url: string;
  /** The fixture site's build output (client/ holds the static pages). */
  outDir: string;
  /** A build over no snapshot: its pages show the empty state; the community server tests run on it. */
  emptyOutDir: string;
  /** The local blob store the fixture site serves under /media. */
  blobDir: string;
  /** The shared Chromium's Playwright endpoint; empty when Chromium is not installed. */
  chromiumWsEndpoint: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    site: SiteContext;
  }
}

export function site(): SiteContext {
  return inject('site');
}

const NAVIGATION_TIMEOUT_MS = 60_000;

/** A connection to the shared Chromium; closing it closes this file's contexts, not the browser. */
export async function connectChromium(): Promise<Browser> {
  const endpoint = site().chromiumWsEndpoint;
  if (!endpoint) throw new Error('the site global setup launched no Chromium (is /usr/bin/chromium installed?)');
  const { chromium } = await import('playwright-core');
  const browser = await chromium.connect(endpoint);
  // Navigations wait for a page's load event, which a busy 2-core machine (a build and two other test files
  // beside this one) can hold past Playwright's 30 s default; every context of this browser (newPage makes
  // one too) gets the same patience as the site project's 90 s tests.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    return context;
  };
  return browser;
}

/**
 * Records the layout shifts of every document the page loads from now on (Layout Instability API; the
 * observer is added by the browser before any page script runs, so the page's CSP does not apply).
 */
export async function recordLayoutShifts(page: Page): Promise<() => Promise<number[]>> {
  await page.addInitScript(() => {
    const shifts: number[] = [];
    Object.assign(window, { __layoutShifts: shifts });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) shifts.push((entry as PerformanceEntry & { value: number }).value);
    }).observe({ type: 'layout-shift', buffered: true });
  });
  // After two frames (a shift is reported with the frame that made it) and the observer's own task.
  return () =>
    page.evaluate(
      () =>
        new Promise<number[]>((resolve) =>
          requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve((window as unknown as { __layoutShifts: number[] }).__layoutShifts), 50))),
        ),
    );
}
