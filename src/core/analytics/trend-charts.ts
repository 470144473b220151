// The charts of /trends, in the same form as the analysis charts (chart-specs.ts): a chart.js config the
// page draws with the same client script, and the table of the same figures as the accessible fallback.
import type { ChartConfiguration } from 'chart.js';
import { SOURCE_LABELS } from '../domain/labels.ts';
import { baseOptions, horizontalBars, type AnalyticsChart, type TableCell } from './chart-specs.ts';
import { SOURCE_COLORS } from './chart-theme.ts';
import type { RisingEntry, TrendsSummary } from './trends.ts';

const CHART_WIDTH = 960;
const AUTHOR_COLOR = '#047857';

/** The charts in page order. */
export function buildTrendCharts(trends: TrendsSummary): AnalyticsChart[] {
  const compared = trends.base ? `${trends.base} 与 ${trends.latest} 相比（${trends.spanDays} 天）` : '';
  return [
    volumeChart(trends),
    risingChart('rising-loras', 'LoRA', trends.risingLoras, compared, true),
    risingChart('rising-checkpoints', 'Checkpoint', trends.risingCheckpoints, compared, false),
    risingWordsChart(trends.risingWords, compared),
    newAuthorsChart(trends),
  ];
}

function volumeChart(trends: TrendsSummary): AnalyticsChart {
  const title = '各来源每日新增作品';
  const { days, volume } = trends;
  const noBaseline = days.filter((_, i) => volume.every((s) => s.added[i] === null));
  return {
    id: 'volume',
    title,
    explanation: `每个发布日的快照比上一次发布新增的作品数，按来源堆叠。${noBaseline.length > 0 ? `${noBaseline.join('、')} 没有可比较的上一次发布，不计新增。` : ''}`,
    width: CHART_WIDTH,
    height: 380,
    empty: volume.length === 0,
    emptyMessage: '暂无发布记录。',
    config: {
      type: 'bar',
      data: {
        labels: days,
        datasets: volume.map((s) => ({ label: SOURCE_LABELS[s.source], data: s.added.map((n) => n ?? 0), backgroundColor: SOURCE_COLORS[s.source], stack: 'added' })),
      },
      options: {
        ...baseOptions(title, true),
        scales: {
          x: { stacked: true, title: { display: true, text: '发布日' }, grid: { display: false } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: '新增作品数' }, ticks: { precision: 0 } },
        },
      },
    } satisfies ChartConfiguration<'bar'>,
    table: {
      caption: '每日新增作品（括号内为当日快照中的作品总数）',
      columns: ['日期', ...volume.map((s) => SOURCE_LABELS[s.source]), '新增合计'],
      rows: days.map((day, i) => {
        const added = volume.map((s) => s.added[i]);
        const known = added.every((n) => n !== null);
        return [
          day,
          ...volume.map((s) => `${s.added[i] === null ? '—' : s.added[i]!.toLocaleString('zh-CN')}（${s.totals[i]!.toLocaleString('zh-CN')}）`),
          known ? added.reduce((sum: number, n) => sum + n!, 0) : '—',
        ];
      }),
    },
  };
}

function risingChart(id: string, what: string, entries: RisingEntry[], compared: string, linkLoras: boolean): AnalyticsChart {
  const title = `上升最快的 ${what}`;
  return {
    id,
    title,
    explanation: `${compared ? `${compared}，` : ''}使用该 ${what} 的作品增加最多的前 ${entries.length || 15} 个。名称不区分大小写合并；标“新上榜”的在比较日的排行里没有出现。`,
    ...horizontalBars({ title, labels: entries.map((e) => e.name), values: entries.map((e) => e.delta), valueLabel: '增加的作品数' }),
    emptyMessage: compared ? `这段时间没有 ${what} 的使用量增加。` : `需要至少两天带分析数据的发布记录才能比较 ${what} 的使用量。`,
    table: risingTable(`${what} 使用量变化`, '模型', entries, linkLoras),
  };
}

function risingWordsChart(entries: RisingEntry[], compared: string): AnalyticsChart {
  const title = '上升最快的提示词';
  return {
    id: 'rising-words',
    title,
    explanation: `${compared ? `${compared}，` : ''}提示词中含该词的作品增加最多的词（分词方式与数据分析页的词云相同）。`,
    ...horizontalBars({ title, labels: entries.map((e) => e.name), values: entries.map((e) => e.delta), valueLabel: '增加的作品数' }),
    emptyMessage: compared ? '这段时间没有提示词的使用量增加。' : '需要至少两天带分析数据的发布记录才能比较提示词。',
    table: risingTable('提示词使用量变化', '词', entries, false),
  };
}

function risingTable(caption: string, subject: string, entries: RisingEntry[], linkLoras: boolean) {
  return {
    caption,
    columns: ['排名', subject, '之前', '现在', '增加'],
    rows: entries.map((e, i): TableCell[] => [
      i + 1,
      linkLoras && e.loraId ? { text: e.name, href: `/lora/${encodeURIComponent(e.loraId)}` } : e.name,
      e.newOnList ? '新上榜' : e.before,
      e.now,
      e.delta,
    ]),
  };
}

function newAuthorsChart(trends: TrendsSummary): AnalyticsChart {
  const title = '每日新作者';
  const days = trends.days.slice(1);
  const counts = trends.newAuthorsPerDay.slice(1).map((n) => n ?? 0);
  return {
    id: 'new-authors',
    title,
    explanation: '每个发布日的快照比前一个发布日多出的作者数（净增：作者的作品全部下架时会减少）。',
    width: CHART_WIDTH,
    height: 320,
    empty: days.length === 0,
    emptyMessage: '需要至少两天的发布记录。',
    config: {
      type: 'bar',
      data: { labels: days, datasets: [{ label: '新作者', data: counts, backgroundColor: AUTHOR_COLOR }] },
      options: {
        ...baseOptions(title, false),
        scales: {
          x: { title: { display: true, text: '发布日' }, grid: { display: false } },
          y: { beginAtZero: true, title: { display: true, text: '作者数变化' }, ticks: { precision: 0 } },
        },
      },
    } satisfies ChartConfiguration<'bar'>,
    table: { caption: '每日作者数净增', columns: ['日期', '作者数变化'], rows: days.map((day, i) => [day, counts[i]!]) },
  };
}
