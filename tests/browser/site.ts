// What the site project's global setup (global-setup.ts) prepares once for every site test file: the
// fixture site built and served, the build over no snapshot, and one Chromium that test files connect to.
import type { EventEmitter } from 'node:events';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
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

/** What a test asks of the reused tab; everything else is reset to a new context's defaults. */
export interface TabOptions {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  reducedMotion?: 'reduce' | 'no-preference';
}

/** Playwright's defaults for a new context, which `ReusedTab.fresh()` restores. */
const DEFAULT_VIEWPORT = { width: 1280, height: 720 };

/**
 * One tab per test file (or per kind of context it needs), reused from test to test. On these machines a new
 * context with its page costs Chromium ~1–1.4 CPU-s (a renderer process started, the browser's bookkeeping
 * for it), a navigation in a running tab ~0.1: before tabs were reused, ~340 renderers made 40 % of the
 * suite's CPU. `fresh()` gives the tab back as a new context would show it: on about:blank (the last page's
 * scripts and timers stopped; the blank page keeps the last page's origin, see leaveForBlank), no cookies, no
 * local or session storage left by the site's pages, no routes, listeners or init scripts, default viewport
 * and media. Its HTTP cache is kept, as a returning visitor's
 * would be. One page at a time: a test that needs two pages side by side opens the second itself.
 */
export class ReusedTab {
  private readonly disposables: Array<{ dispose(): Promise<void> }> = [];
  /**
   * Playwright's own listeners on the new page (they end pending calls when the page closes or crashes):
   * `fresh()` removes every other listener, never these, or a crashed renderer would hang the next call.
   */
  private readonly ownListeners: Map<string | symbol, unknown[]>;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    const emitter = page as unknown as EventEmitter;
    this.ownListeners = new Map(emitter.eventNames().map((event) => [event, emitter.rawListeners(event)]));
    // Init scripts (recordLayoutShifts) must not outlive the test that added them.
    const addInitScript = page.addInitScript.bind(page);
    page.addInitScript = (async (...args: Parameters<Page['addInitScript']>) => {
      const disposable = await addInitScript(...args);
      this.disposables.push(disposable);
      return disposable;
    }) as Page['addInitScript'];
  }

  static async open(browser: Browser, options: BrowserContextOptions = {}): Promise<ReusedTab> {
    const context = await browser.newContext(options);
    return new ReusedTab(context, await context.newPage());
  }

  async fresh(options: TabOptions = {}): Promise<Page> {
    const { page, context } = this;
    const emitter = page as unknown as EventEmitter;
    for (const event of emitter.eventNames()) {
      const own = this.ownListeners.get(event) ?? [];
      for (const listener of emitter.rawListeners(event)) if (!own.includes(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
    await Promise.all([page.unrouteAll({ behavior: 'ignoreErrors' }), context.unrouteAll({ behavior: 'ignoreErrors' })]);
    for (const disposable of this.disposables.splice(0)) await disposable.dispose();
    // Storage is per origin: cleared while the tab is still on the site's (before it leaves, and again on the
    // about:blank it leaves for, which keeps the origin, once the last page's scripts can no longer write).
    await clearStorage(page);
    await leaveForBlank(page);
    await clearStorage(page);
    await Promise.all([context.clearCookies(), context.clearPermissions()]);
    await page.setViewportSize(options.viewport ?? DEFAULT_VIEWPORT);
    await page.emulateMedia({ colorScheme: options.colorScheme ?? 'light', reducedMotion: options.reducedMotion ?? 'no-preference' });
    return page;
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

/** Empties the local and session storage of the page's origin; nothing for an opaque one (a new tab). */
async function clearStorage(page: Page): Promise<void> {
  await page
    .evaluate(() => {
      try {
        localStorage.clear();
        sessionStorage.clear();
      } catch {
        // An opaque origin has no storage.
      }
    })
    .catch(() => undefined);
}

/**
 * Takes the page to about:blank as the page itself would (location.href): the blank document keeps the page's
 * origin, process and browsing context group. page.goto('about:blank') would not: the site's pages send
 * Cross-Origin-Opener-Policy: same-origin, so Chromium starts a new renderer process for the blank page and
 * another for the next page of the site: the cost reusing the tab is meant to save.
 */
async function leaveForBlank(page: Page): Promise<void> {
  const navigated = page
    .waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() && frame.url() === 'about:blank', timeout: 10_000 })
    .then(() => true, () => false);
  // Rejected when the navigation wins the race against the answer; the event says whether it happened.
  await page.evaluate(() => {
    location.href = 'about:blank';
  }).catch(() => undefined);
  if (await navigated) await page.waitForLoadState();
  else await page.goto('about:blank');
}
