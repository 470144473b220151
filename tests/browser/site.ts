// What the site project's global setup (global-setup.ts) prepares once for every site test file: the
// fixture site built and served, the build over no snapshot, and one Chromium that test files connect to.
import type { Browser, BrowserContext, BrowserContextOptions, ConsoleMessage, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
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
  /** Written when the builds and the server are ready (SITE_READY) or have failed (SITE_FAILED_PREFIX + why). */
  readyFile: string;
}

export const SITE_READY = 'ready';
export const SITE_FAILED_PREFIX = 'failed: ';

declare module 'vitest' {
  export interface ProvidedContext {
    site: SiteContext;
  }
}

export function site(): SiteContext {
  return inject('site');
}

/** Resolves once the global setup's builds and server are ready; throws their error if they failed. */
export async function siteReady(): Promise<void> {
  const { readyFile } = site();
  for (;;) {
    const state = await readFile(readyFile, 'utf8').catch(() => null);
    if (state === SITE_READY) return;
    if (state?.startsWith(SITE_FAILED_PREFIX)) throw new Error(`the site's global setup failed: ${state.slice(SITE_FAILED_PREFIX.length)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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

/**
 * Pushes the page's console errors and uncaught exceptions onto `into` from now on, each line starting with the
 * path the page was on; `ignore` passes over console errors a test causes on purpose.
 */
export function recordPageErrors(page: Page, into: string[], options: { ignore?: (message: ConsoleMessage) => boolean } = {}): void {
  const at = () => (page.url().startsWith('http') ? new URL(page.url()).pathname : page.url());
  page.on('console', (message) => {
    if (message.type() === 'error' && !options.ignore?.(message)) into.push(`${at()}: console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => into.push(`${at()}: pageerror: ${error.message}`));
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
 * scripts and timers stopped), no cookies, no local or session storage left by the site's pages, no routes,
 * listeners or init scripts, default viewport and media. Its HTTP cache is kept, as a returning visitor's
 * would be. One page at a time: a test that needs two pages side by side opens the second itself.
 */
export class ReusedTab {
  private readonly disposables: Array<{ dispose(): Promise<void> }> = [];
  /** Playwright's own listeners (a page's close and crash handlers, a context's close), which must outlive every test. */
  private readonly ownListeners: Map<Listening, Map<string | symbol, unknown[]>>;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    this.ownListeners = new Map([page, context].map((emitter) => [emitter, listenersOf(emitter)]));
    // Init scripts (recordLayoutShifts) must not outlive the test that added them.
    for (const target of [page, context] as Array<Pick<Page, 'addInitScript'>>) {
      const addInitScript = target.addInitScript.bind(target);
      target.addInitScript = (async (...args: Parameters<Page['addInitScript']>) => {
        const disposable = await addInitScript(...args);
        this.disposables.push(disposable);
        return disposable;
      }) as Page['addInitScript'];
    }
  }

  static async open(browser: Browser, options: BrowserContextOptions = {}): Promise<ReusedTab> {
    const context = await browser.newContext(options);
    return new ReusedTab(context, await context.newPage());
  }

  async fresh(options: TabOptions = {}): Promise<Page> {
    const { page, context } = this;
    // The tests' listeners only: removeAllListeners() would drop Playwright's own too, after which a crashed
    // renderer leaves every later call waiting for its timeout instead of failing.
    for (const [emitter, own] of this.ownListeners) {
      for (const event of emitter.eventNames()) {
        for (const listener of emitter.rawListeners(event)) if (!own.get(event)?.includes(listener)) emitter.off(event, listener);
      }
    }
    await Promise.all([page.unrouteAll({ behavior: 'ignoreErrors' }), context.unrouteAll({ behavior: 'ignoreErrors' })]);
    for (const disposable of this.disposables.splice(0)) await disposable.dispose();
    if (page.url().startsWith('http')) {
      // Storage is per origin: cleared while the tab is still on the site's, before it leaves.
      await page.evaluate(() => {
        localStorage.clear();
        sessionStorage.clear();
      }).catch(() => undefined);
      // Left by the page itself: the about:blank it opens keeps the site's origin and renderer. One the browser
      // opens would not, and as the site's pages send COOP same-origin, every visit after it would start a new
      // renderer (works-pages: 50 renderers and 47–52 Chromium CPU-s that way, 7 and 33 this way).
      await Promise.all([
        page.waitForURL('about:blank', { timeout: 5_000 }).catch(() => undefined),
        page.evaluate(() => {
          location.href = 'about:blank';
        }).catch(() => undefined),
      ]);
    }
    if (page.url() !== 'about:blank') await page.goto('about:blank');
    await Promise.all([context.clearCookies(), context.clearPermissions()]);
    await page.setViewportSize(options.viewport ?? DEFAULT_VIEWPORT);
    await page.emulateMedia({ colorScheme: options.colorScheme ?? 'light', reducedMotion: options.reducedMotion ?? 'no-preference' });
    return page;
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

/** What `ReusedTab` needs of Playwright's event emitters (its page and context) to tell their listeners apart. */
interface Listening {
  eventNames(): Array<string | symbol>;
  rawListeners(event: string | symbol): unknown[];
  off(event: string | symbol, listener: unknown): unknown;
}

function listenersOf(emitter: Listening): Map<string | symbol, unknown[]> {
  return new Map(emitter.eventNames().map((event) => [event, emitter.rawListeners(event)]));
}
