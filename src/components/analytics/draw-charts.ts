// Client script of /analytics: draws the chart.js configs the page embedded at build time. Labels are
// Chinese and most machines' default fonts are not, so the Noto Sans SC subsets that cover every label are
// loaded before the first draw (a canvas does not redraw when a web font arrives later). Each config is
// adapted to the visitor's colour scheme and the card's width first (chart-display.ts).
import { chartForDisplay } from '../../core/analytics/chart-display.ts';
import { registerAnalyticsChartComponents } from '../../core/analytics/chart-components.ts';
import { CHART_FONT_FAMILY, CHART_GRID_COLOR, CHART_TEXT_COLOR, DARK_COLORS } from '../../core/analytics/chart-theme.ts';
import { EMBEDDED_CHARTS_ID, type EmbeddedChart } from './embedded-charts.ts';

export async function drawAnalyticsCharts(): Promise<void> {
  const json = document.getElementById(EMBEDDED_CHARTS_ID)?.textContent;
  if (!json) return;
  const charts = JSON.parse(json) as EmbeddedChart[];
  const Chart = registerAnalyticsChartComponents();
  await loadChartFont(charts.map((chart) => chart.texts).join(''));
  const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
  // Axis ticks and legends take the defaults, not the configs' colours.
  Chart.defaults.color = dark ? DARK_COLORS[CHART_TEXT_COLOR]! : CHART_TEXT_COLOR;
  Chart.defaults.borderColor = dark ? DARK_COLORS[CHART_GRID_COLOR]! : CHART_GRID_COLOR;
  for (const { id, config: embedded } of charts) {
    const canvas = document.querySelector<HTMLCanvasElement>(`canvas[data-chart="${id}"]`);
    if (!canvas) continue;
    const config = chartForDisplay(embedded, { dark, width: canvas.parentElement?.clientWidth ?? window.innerWidth });
    new Chart(canvas, reducedMotion ? { ...config, options: { ...config.options, animation: false } } : config);
    canvas.dataset.drawn = 'true';
  }
}

async function loadChartFont(texts: string): Promise<void> {
  const characters = [...new Set(`作品${texts}`)].join('');
  try {
    // Titles are bold; the browser synthesises bold from the regular face, which needs the same subsets.
    await document.fonts.load(`16px "${CHART_FONT_FAMILY}"`, characters);
  } catch {
    // Font unavailable (offline, blocked): draw with the fallback font rather than not at all.
  }
}
