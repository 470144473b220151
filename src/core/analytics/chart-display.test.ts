import { describe, expect, it } from 'vitest';
import { chartForDisplay } from './chart-display.ts';
import { CHART_GRID_COLOR, CHART_TEXT_COLOR, SOURCE_COLORS } from './chart-theme.ts';

const bar = {
  type: 'bar',
  data: { labels: ['a'], datasets: [{ data: [3], backgroundColor: SOURCE_COLORS.liblib }] },
  options: { plugins: { title: { text: '标题', color: CHART_TEXT_COLOR } }, scales: { x: { grid: { color: CHART_GRID_COLOR } } } },
};
const cloud = { type: 'wordCloud', data: { labels: ['汽车', '夜景'], datasets: [{ data: [54, 14], color: ['#9a3412', '#1d4ed8'] }] } };

describe('chartForDisplay', () => {
  it('keeps the light config as it is (a copy) on a wide card', () => {
    const shown = chartForDisplay(bar, { dark: false, width: 960 });
    expect(shown).toEqual(bar);
    expect(shown).not.toBe(bar);
    expect(chartForDisplay(cloud, { dark: false, width: 1200 })).toEqual(cloud);
  });

  it('swaps every palette colour for its dark counterpart in dark mode, text and labels untouched', () => {
    const shown = chartForDisplay(bar, { dark: true, width: 960 });
    expect(shown.options.plugins.title).toEqual({ text: '标题', color: '#d6d3d1' });
    expect(shown.options.scales.x.grid.color).toBe('#44403c');
    expect(shown.data.datasets[0]!.backgroundColor).toBe('#fb923c');
    expect(chartForDisplay(cloud, { dark: true, width: 960 }).data.datasets[0]!.color).toEqual(['#fdba74', '#93c5fd']);
  });

  it('scales word sizes to a narrow card, never below 10 px', () => {
    expect(chartForDisplay(cloud, { dark: false, width: 480 }).data.datasets[0]!.data).toEqual([27, 10]);
    // A phone: at most 40 % of the sizes made for 960 px.
    expect(chartForDisplay(cloud, { dark: false, width: 300 }).data.datasets[0]!.data).toEqual([22, 10]);
  });
});
