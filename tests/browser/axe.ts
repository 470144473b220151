// axe-core in a page: the serious and critical violations, one readable line per violation.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './harness.ts';

const AXE_SOURCE = path.join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Load axe-core into the page through the DevTools protocol: the pages' Content-Security-Policy allows
 * only hashed inline scripts, so a <script> tag (page.addScriptTag) would be refused, and logged.
 */
async function injectAxe(page: Page): Promise<void> {
  await page.evaluate(fs.readFileSync(AXE_SOURCE, 'utf8'));
}

export async function seriousAxeViolations(page: Page): Promise<string[]> {
  // Colours are checked at rest: a transition running while axe reads the page (a toast that starts fading
  // out in the middle of the audit, its timer firing under load) blends its text with the background and
  // fails color-contrast by timing alone. Reduced motion turns the site's transitions off for the audit, so
  // a toast is either fully shown or gone; finite animations still running are waited for, endless ones not.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  try {
    await page.evaluate(() =>
      Promise.all(document.getAnimations().filter((a) => a.effect?.getComputedTiming().endTime !== Infinity).map((a) => a.finished.catch(() => undefined))),
    );
    await injectAxe(page);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run(document, { resultTypes: ['violations'] })).violations;
    });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `[${v.impact}] ${v.id}: ${v.help} → ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`);
  } finally {
    await page.emulateMedia({ reducedMotion: null });
  }
}
