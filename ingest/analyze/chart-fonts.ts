// The PNG charts' Chinese font comes from the @fontsource/noto-sans-sc package (the same font the page
// loads), never from the system: a server without CJK fonts would otherwise draw every label as boxes.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GlobalFonts } from '@napi-rs/canvas';
import { UserFacingError } from '../../src/core/errors.ts';
import { CHART_FONT_FAMILY } from '../../src/core/analytics/chart-theme.ts';

/** The package splits the font into unicode-range subsets; all regular-weight subsets together cover CJK. */
const SUBSET_FILE = /^noto-sans-sc-.+-400-normal\.woff2$/;

let registeredFaces: number | undefined;

/** Register Noto Sans SC (regular) under CHART_FONT_FAMILY, once per process; returns the number of font files. */
export function registerChartFonts(): number {
  if (registeredFaces !== undefined) return registeredFaces;
  const filesDir = path.join(path.dirname(fileURLToPath(import.meta.resolve('@fontsource/noto-sans-sc/package.json'))), 'files');
  const files = readdirSync(filesDir).filter((name) => SUBSET_FILE.test(name)).sort();
  let count = 0;
  for (const name of files) {
    if (GlobalFonts.registerFromPath(path.join(filesDir, name), CHART_FONT_FAMILY)) count += 1;
  }
  if (count === 0) {
    throw new UserFacingError(`no Noto Sans SC font files could be registered from ${filesDir}`, {
      hint: 'reinstall the dependencies (npm ci): the @fontsource/noto-sans-sc package is incomplete',
    });
  }
  registeredFaces = count;
  return count;
}
