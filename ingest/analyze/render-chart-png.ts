// Draw an analysis chart to PNG with chart.js on @napi-rs/canvas: the same config the page draws, with
// the Node-only settings (fixed size, no animation, a pixel ratio) layered on top.
import { createCanvas } from '@napi-rs/canvas';
import type { Chart as ChartInstance, ChartConfiguration, Plugin } from 'chart.js';
import { registerAnalyticsChartComponents } from '../../src/core/analytics/chart-components.ts';
import type { AnalyticsChart } from '../../src/core/analytics/chart-specs.ts';
import { CHART_BACKGROUND } from '../../src/core/analytics/chart-theme.ts';
import { registerChartFonts } from './chart-fonts.ts';

/** PNG pixels per chart pixel: sharp on high-density screens and in documents. */
export const PNG_PIXEL_RATIO = 2;

/** The canvas is transparent by default; a report image needs the page's white card behind it. */
const whiteBackground: Plugin = {
  id: 'huakuWhiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = CHART_BACKGROUND;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/**
 * d3-cloud (the word cloud's layout) measures words on a canvas it makes with `document.createElement`;
 * Node has no document, so each word cloud controller gets a @napi-rs/canvas instead, after chart.js
 * creates the controllers and before it lays out the words.
 */
const nodeWordCloudCanvas: Plugin = {
  id: 'huakuNodeWordCloudCanvas',
  beforeElementsUpdate(chart) {
    chart.data.datasets.forEach((_, index) => {
      const controller = chart.getDatasetMeta(index).controller as unknown as { wordLayout?: { canvas: (make: () => unknown) => void } };
      controller.wordLayout?.canvas(() => createCanvas(1, 1));
    });
  },
};

export async function renderChartPng(chart: AnalyticsChart, pixelRatio = PNG_PIXEL_RATIO): Promise<Buffer> {
  registerChartFonts();
  const Chart = registerAnalyticsChartComponents();
  // A Node canvas has no CSS size: chart.js takes its width and height as the chart's size and multiplies
  // the backing store by devicePixelRatio itself.
  const canvas = createCanvas(chart.width, chart.height);
  const base = chart.config as ChartConfiguration;
  const config: ChartConfiguration = {
    ...base,
    options: { ...base.options, responsive: false, animation: false, devicePixelRatio: pixelRatio },
    plugins: [whiteBackground, nodeWordCloudCanvas],
  };
  const instance: ChartInstance = new Chart(canvas as unknown as HTMLCanvasElement, config);
  try {
    return await canvas.encode('png');
  } finally {
    instance.destroy();
  }
}
