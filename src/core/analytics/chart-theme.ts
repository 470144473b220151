// Fonts and colours shared by the analysis charts' configs and both renderers (browser and PNG). Kept
// apart from chart-specs.ts so the page's client script imports these constants and nothing else.
import type { WorkSource } from '../snapshot/schema.ts';

/** Every chart text is drawn in this family: Noto Sans SC from @fontsource, loaded by both renderers. */
export const CHART_FONT_FAMILY = 'Noto Sans SC';
/** The CSS font value charts use (quoted: the family name has spaces). */
export const CHART_FONT_STACK = `"${CHART_FONT_FAMILY}", sans-serif`;
export const CHART_TEXT_COLOR = '#44403c';
export const CHART_GRID_COLOR = '#e7e5e4';
/** Charts are drawn on white in both renderers (the PNGs and the page's chart cards). */
export const CHART_BACKGROUND = '#ffffff';

export const SOURCE_COLORS: Record<WorkSource, string> = {
  liblib: '#c2410c',
  civitai: '#2563eb',
  modelscope: '#7c3aed',
  community: '#047857',
};

