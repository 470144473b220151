import { describe, expect, it } from 'vitest';
import { sampleWork } from '../snapshot/test-fixtures.ts';
import { AnalyticsAccumulator } from './analytics-accumulator.ts';
import { buildAnalyticsCharts, chartTexts } from './chart-specs.ts';

function chartsOf(works: ReturnType<typeof sampleWork>[]) {
  const accumulator = new AnalyticsAccumulator();
  for (const work of works) accumulator.add(work);
  return buildAnalyticsCharts(accumulator.summarize());
}

describe('buildAnalyticsCharts', () => {
  const works = [
    sampleWork(1, { id: 'a', publishedAt: '2025-01-01T02:00:00Z', prompt: '红色跑车' }),
    sampleWork(2, { id: 'b', publishedAt: '2025-01-03T02:00:00Z', source: 'civitai', prompt: 'red car' }),
    sampleWork(3, { id: 'c', publishedAt: '2025-01-03T03:00:00Z', models: [{ type: 'LORA', name: 'Neon', url: null, loraId: 'neon' }] }),
  ];

  it('gives plain-JSON configs (the page embeds them as they are) with Chinese titles', () => {
    const charts = chartsOf(works);
    expect(charts.map((c) => c.id)).toEqual(['daily', 'sources', 'authors', 'checkpoints', 'loras', 'words']);
    for (const chart of charts) {
      expect(JSON.parse(JSON.stringify(chart.config)), chart.id).toEqual(chart.config);
      expect(chart.config.options?.plugins?.title?.text, chart.id).toMatch(/[\u4e00-\u9fff]/);
      expect(chart.empty, chart.id).toBe(false);
    }
  });

  it('puts the same figures in the table as in the chart', () => {
    const [daily, sources, , checkpoints, loras] = chartsOf(works);
    expect(daily!.config.data.labels).toEqual(['2025-01-01', '2025-01-02', '2025-01-03']);
    expect(daily!.config.data.datasets.map((d) => [d.label, d.data])).toEqual([
      ['Liblib', [1, 0, 1]],
      ['Civitai', [0, 0, 1]],
    ]);
    // The table skips days without works and adds a total.
    expect(daily!.table.rows).toEqual([
      ['2025-01-01', 1, 0, 1],
      ['2025-01-03', 1, 1, 2],
    ]);
    expect(sources!.config.data.datasets[0]!.data).toEqual([2, 1]);
    expect(sources!.table.rows).toEqual([
      ['Liblib', 2, 2, 2],
      ['Civitai', 1, 1, 1],
    ]);
    expect(checkpoints!.table.rows).toEqual([[1, 'SDXL 1.0', 2]]);
    expect(loras!.table.rows).toEqual([[1, { text: 'Neon', href: '/lora/neon' }, 1]]);
    expect(chartTexts(loras!)).toContain('LoRA 引用 Top 1');
  });

  it('marks charts without data as empty, with a message', () => {
    const charts = chartsOf([sampleWork(1, { publishedAt: null, prompt: null, models: [], author: null })]);
    const empty = charts.filter((c) => c.empty).map((c) => c.id);
    expect(empty).toEqual(['daily', 'authors', 'checkpoints', 'loras', 'words']);
    for (const chart of charts.filter((c) => c.empty)) expect(chart.emptyMessage).toMatch(/^暂无/);
  });
});
