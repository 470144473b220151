// A chart config as one visitor's page draws it: the build embeds one config per chart (light colours, sized
// for CHART_WIDTH, as the PNGs); the browser adapts it to the visitor's colour scheme and to the card's
// width. Pure (JSON in, JSON out) so it is unit-tested without a canvas.
import { CHART_WIDTH, DARK_COLORS } from './chart-theme.ts';

export interface DisplayContext {
  /** prefers-color-scheme: dark */
  dark: boolean;
  /** The chart card's inner width in CSS pixels. */
  width: number;
}

/** Word sizes shrink with the card down to this share (a phone), never below MIN_WORD_SIZE px. */
const MIN_WORD_SCALE = 0.4;
const MIN_WORD_SIZE = 10;

/**
 * The config with dark-scheme colours (every colour of DARK_COLORS swapped) and, for a word cloud, word
 * sizes scaled to the card's width: a layout made for 960 px does not fit a phone, and the words that do not
 * fit spill over the chart's title.
 */
export function chartForDisplay<T>(config: T, context: DisplayContext): T {
  const copy = JSON.parse(JSON.stringify(config), (_key, value: unknown) =>
    context.dark && typeof value === 'string' ? (DARK_COLORS[value.toLowerCase()] ?? value) : value,
  ) as T & { type?: string; data?: { datasets?: Array<{ data?: unknown[] }> } };
  if (copy.type === 'wordCloud') {
    const scale = Math.min(1, Math.max(MIN_WORD_SCALE, context.width / CHART_WIDTH));
    for (const dataset of copy.data?.datasets ?? []) {
      dataset.data = dataset.data?.map((size) => (typeof size === 'number' ? Math.max(MIN_WORD_SIZE, Math.round(size * scale)) : size));
    }
  }
  return copy;
}
