// Fonts and colours shared by the analysis charts' configs and both renderers (browser and PNG). Kept
// apart from chart-specs.ts so the page's client script imports these constants and nothing else.
import type { WorkSource } from '../snapshot/schema.ts';

/** Every chart text is drawn in this family: Noto Sans SC from @fontsource, loaded by both renderers. */
export const CHART_FONT_FAMILY = 'Noto Sans SC';
/** The CSS font value charts use (quoted: the family name has spaces). */
export const CHART_FONT_STACK = `"${CHART_FONT_FAMILY}", sans-serif`;
export const CHART_TEXT_COLOR = '#44403c';
export const CHART_GRID_COLOR = '#e7e5e4';
/** The PNGs are drawn on white; the page's chart cards on the page's surface (white, or dark: chart-display.ts). */
export const CHART_BACKGROUND = '#ffffff';
/** The width the configs are made for (the PNGs' width); the page scales word sizes to its own. */
export const CHART_WIDTH = 960;
export const BAR_COLOR = '#c2410c';
export const WORD_COLORS: readonly string[] = ['#9a3412', '#1d4ed8', '#6d28d9', '#047857', '#b45309', '#be123c', '#0e7490'];

export const SOURCE_COLORS: Record<WorkSource, string> = {
  liblib: '#c2410c',
  civitai: '#2563eb',
  modelscope: '#7c3aed',
  community: '#047857',
};

/**
 * Each light-theme colour above and its counterpart on a dark surface (global.css's dark palette): lighter
 * tints of the same hues, so series keep their colours and stay readable.
 */
export const DARK_COLORS: Readonly<Record<string, string>> = {
  [CHART_TEXT_COLOR]: '#d6d3d1',
  [CHART_GRID_COLOR]: '#44403c',
  '#c2410c': '#fb923c',
  '#2563eb': '#60a5fa',
  '#7c3aed': '#a78bfa',
  '#047857': '#34d399',
  '#9a3412': '#fdba74',
  '#1d4ed8': '#93c5fd',
  '#6d28d9': '#c4b5fd',
  '#b45309': '#fcd34d',
  '#be123c': '#fda4af',
  '#0e7490': '#67e8f9',
};

