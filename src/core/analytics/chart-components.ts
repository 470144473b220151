// The chart.js pieces the analysis charts use, registered explicitly so bundles only carry these
// (chart.js is tree-shakeable only without `chart.js/auto`). Shared by the page script and the PNG
// renderer, together with the defaults that make every text use the embedded Chinese font.
import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, Title, Tooltip,
} from 'chart.js';
import { WordCloudController, WordElement } from 'chartjs-chart-wordcloud';
import { CHART_FONT_STACK, CHART_GRID_COLOR, CHART_TEXT_COLOR } from './chart-theme.ts';

let registered = false;

/** Register the controllers, elements, scales and plugins of the analysis charts (once) and set the font defaults. */
export function registerAnalyticsChartComponents(): typeof Chart {
  if (!registered) {
    Chart.register(BarController, BarElement, DoughnutController, ArcElement, CategoryScale, LinearScale, Title, Tooltip, Legend, WordCloudController, WordElement);
    Chart.defaults.font.family = CHART_FONT_STACK;
    Chart.defaults.color = CHART_TEXT_COLOR;
    Chart.defaults.borderColor = CHART_GRID_COLOR;
    registered = true;
  }
  return Chart;
}
