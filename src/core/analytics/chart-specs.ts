// The charts of the analysis, as chart.js configurations plus the table of the same figures. The single
// source for both renderers: /analytics draws these configs in the browser (with the tables as the
// accessible fallback) and `ingest analyze` draws them to PNG (with the tables in the Markdown report).
// Configs stay plain JSON (no callbacks) so the page can embed them as they are.
import type { ChartConfiguration } from 'chart.js';
import type {} from 'chartjs-chart-wordcloud'; // the `wordCloud` chart type's typings
import { SOURCE_LABELS } from '../domain/labels.ts';
import type { AnalyticsSummary, RankedModel } from './analytics-summary.ts';
import { BAR_COLOR, CHART_FONT_STACK, CHART_TEXT_COLOR, CHART_WIDTH, SOURCE_COLORS, WORD_COLORS } from './chart-theme.ts';

const MAX_LABEL_LENGTH = 24;

export type TableCell = string | number | { text: string; href: string };

export interface ChartTable {
  caption: string;
  columns: string[];
  rows: TableCell[][];
}


type AnalyticsChartConfig = ChartConfiguration<'bar'> | ChartConfiguration<'doughnut'> | ChartConfiguration<'wordCloud'>;

export interface AnalyticsChart {
  /** `daily`, `sources`… on /analytics; `volume`, `rising-loras`… on /trends (trend-charts.ts). */
  id: string;
  title: string;
  /** One or two sentences under the heading: what is counted and how. */
  explanation: string;
  /** Drawing size in CSS pixels (the PNG's size before the pixel ratio; the page's chart height). */
  width: number;
  height: number;
  /** Nothing to draw (e.g. no LoRA references yet): renderers show `emptyMessage` instead. */
  empty: boolean;
  emptyMessage: string;
  config: AnalyticsChartConfig;
  table: ChartTable;
}

/** The charts in page order. */
export function buildAnalyticsCharts(summary: AnalyticsSummary): AnalyticsChart[] {
  return [dailyChart(summary), sourcesChart(summary), authorsChart(summary), checkpointsChart(summary), lorasChart(summary), wordsChart(summary)];
}

/** Every text a chart may draw, for loading the font subsets that cover them before drawing. */
export function chartTexts(chart: AnalyticsChart): string {
  const { config } = chart;
  const labels = (config.data.labels ?? []).map(String);
  const datasets = config.data.datasets.map((dataset) => dataset.label ?? '');
  const title = config.options?.plugins?.title?.text ?? '';
  const scales = Object.values((config.options as { scales?: Record<string, { title?: { text?: string } }> } | undefined)?.scales ?? {});
  return [...labels, ...datasets, String(title), ...scales.map((scale) => scale.title?.text ?? '')].join('');
}

function dailyChart(summary: AnalyticsSummary): AnalyticsChart {
  const { days, series, undated, earlier } = summary.daily;
  const notes = [
    earlier > 0 ? `更早的 ${earlier} 件作品未画出` : '',
    undated > 0 ? `${undated} 件作品没有发布日期` : '',
  ].filter(Boolean);
  const sources = series.map((s) => SOURCE_LABELS[s.source]);
  const title = '每日作品数（按来源）';
  return {
    id: 'daily',
    title,
    explanation: `每天发布的作品数，按北京时间计日，不同来源堆叠显示。${notes.length > 0 ? `${notes.join('；')}。` : ''}`,
    width: CHART_WIDTH,
    height: 420,
    empty: days.length === 0,
    emptyMessage: '暂无带发布日期的作品。',
    config: {
      type: 'bar',
      data: {
        labels: days,
        datasets: series.map((s) => ({ label: SOURCE_LABELS[s.source], data: s.counts, backgroundColor: SOURCE_COLORS[s.source], stack: 'works' })),
      },
      options: {
        ...baseOptions(title, true),
        scales: {
          x: { stacked: true, title: { display: true, text: '日期（北京时间）' }, grid: { display: false } },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: '作品数' }, ticks: { precision: 0 } },
        },
      },
    },
    table: {
      caption: '每日作品数（仅列出有作品的日期）',
      columns: ['日期', ...sources, '合计'],
      rows: days.flatMap((day, i) => {
        const counts = series.map((s) => s.counts[i]!);
        const total = counts.reduce((sum, n) => sum + n, 0);
        return total > 0 ? [[day, ...counts, total]] : [];
      }),
    },
  };
}

function sourcesChart(summary: AnalyticsSummary): AnalyticsChart {
  const title = '各来源作品总数';
  return {
    id: 'sources',
    title,
    explanation: `快照共收录 ${summary.totalWorks} 件作品，按来源平台（Liblib、Civitai、ModelScope、社区投稿）统计。`,
    width: CHART_WIDTH,
    height: 360,
    empty: summary.sources.length === 0,
    emptyMessage: '暂无作品。',
    config: {
      type: 'doughnut',
      data: {
        labels: summary.sources.map((s) => SOURCE_LABELS[s.source]),
        datasets: [{ label: '作品数', data: summary.sources.map((s) => s.works), backgroundColor: summary.sources.map((s) => SOURCE_COLORS[s.source]) }],
      },
      options: { ...baseOptions(title, true) },
    },
    table: {
      caption: '各来源的作品、作者与图片数',
      columns: ['来源', '作品数', '作者数', '图片数'],
      rows: summary.sources.map((s) => [SOURCE_LABELS[s.source], s.works, s.authors, s.images]),
    },
  };
}

function authorsChart(summary: AnalyticsSummary): AnalyticsChart {
  const authors = summary.topAuthors;
  const title = topTitle('作品最多的作者', authors.length);
  return {
    id: 'authors',
    title,
    explanation: '按快照中的作品数排序；作品数相同时按作者 ID 排序。',
    ...horizontalBars({
      title,
      labels: authors.map((a) => a.name),
      values: authors.map((a) => a.works),
      valueLabel: '作品数',
    }),
    emptyMessage: '暂无署名作者的作品。',
    table: {
      caption: '作品最多的作者',
      columns: ['排名', '作者', '来源', '作品数'],
      rows: authors.map((a, i) => [i + 1, { text: a.name, href: `/user/${encodeURIComponent(a.username)}` }, SOURCE_LABELS[a.source], a.works]),
    },
  };
}

function checkpointsChart(summary: AnalyticsSummary): AnalyticsChart {
  return modelChart('checkpoints', 'Checkpoint 引用', '基础模型（Checkpoint）', summary.topCheckpoints, '暂无作品记录所用的 Checkpoint。');
}

function lorasChart(summary: AnalyticsSummary): AnalyticsChart {
  return modelChart('loras', 'LoRA 引用', 'LoRA', summary.topLoras, '暂无作品记录所用的 LoRA。');
}

function modelChart(id: 'checkpoints' | 'loras', subject: string, what: string, models: RankedModel[], emptyMessage: string): AnalyticsChart {
  const title = topTitle(subject, models.length);
  return {
    id,
    title,
    explanation: `引用某个${what}的作品数。名称去掉首尾空格与文件扩展名、不区分大小写后合并统计；同一作品重复引用只算一次。`,
    ...horizontalBars({ title, labels: models.map((m) => m.name), values: models.map((m) => m.works), valueLabel: '引用作品数' }),
    emptyMessage,
    table: {
      caption: `${what}引用次数`,
      columns: ['排名', '模型', '引用作品数'],
      rows: models.map((m, i) => [i + 1, m.loraId ? { text: m.name, href: `/lora/${encodeURIComponent(m.loraId)}` } : m.name, m.works]),
    },
  };
}

export function horizontalBars(input: { title: string; labels: string[]; values: number[]; valueLabel: string }) {
  return {
    width: CHART_WIDTH,
    height: Math.max(240, 90 + input.labels.length * 30),
    empty: input.values.length === 0,
    config: {
      type: 'bar',
      data: {
        labels: input.labels.map(shorten),
        datasets: [{ label: input.valueLabel, data: input.values, backgroundColor: BAR_COLOR }],
      },
      options: {
        ...baseOptions(input.title, false),
        indexAxis: 'y',
        scales: {
          x: { beginAtZero: true, title: { display: true, text: input.valueLabel }, ticks: { precision: 0 } },
          y: { grid: { display: false } },
        },
      },
    } satisfies ChartConfiguration<'bar'>,
  };
}

function wordsChart(summary: AnalyticsSummary): AnalyticsChart {
  const title = '提示词词云';
  const words = summary.promptWords;
  const counts = words.map((w) => w.works);
  const max = Math.max(...counts, 1);
  const min = Math.min(...counts, max);
  // Font size grows with the square root of the count, so the top word does not dwarf everything else.
  const size = (n: number) => (max === min ? 28 : Math.round(14 + 40 * Math.sqrt((n - min) / (max - min))));
  return {
    id: 'words',
    title,
    explanation: `${summary.promptsAnalysed} 条提示词中最常见的词：中文按词切分（AI 绘画领域词典 + Intl.Segmenter），英文按单词切分并转为小写；去掉停用词、画质套话（masterpiece、best quality、8k、杰作、最佳质量…）、单字碎片、数字、权重写法如 (word:1.2) 与 <lora:…> 标签。字号表示含该词的作品数。`,
    width: CHART_WIDTH,
    height: 480,
    empty: words.length === 0,
    emptyMessage: '暂无提示词。',
    config: {
      type: 'wordCloud',
      data: {
        labels: words.map((w) => w.word),
        datasets: [
          {
            label: '含该词的作品数',
            data: counts.map(size),
            color: words.map((_, i) => WORD_COLORS[i % WORD_COLORS.length]!),
            family: CHART_FONT_STACK,
            // Horizontal words only: rotated Chinese is hard to read.
            minRotation: 0,
            maxRotation: 0,
            padding: 2,
            // `fit` rescales around the canvas centre, not the layout's, and pushes words off one edge.
            fit: false,
            // A fixed seed: the same data gives the same layout on every build and in the PNG.
            randomRotationSeed: 'huaku',
          },
        ],
      },
      options: { ...baseOptions(title, false) },
    },
    table: {
      caption: '提示词高频词',
      columns: ['词', '含该词的作品数'],
      rows: words.map((w) => [w.word, w.works]),
    },
  };
}

export function baseOptions(title: string, legend: boolean) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    plugins: {
      title: { display: true, text: title, color: CHART_TEXT_COLOR, font: { family: CHART_FONT_STACK, size: 16, weight: 'bold' as const } },
      legend: { display: legend, position: 'bottom' as const },
    },
  };
}

/** `LoRA 引用 Top 15`; without the count when there is nothing to rank. */
function topTitle(subject: string, count: number): string {
  return count > 0 ? `${subject} Top ${count}` : subject;
}

function shorten(label: string): string {
  return label.length > MAX_LABEL_LENGTH ? `${label.slice(0, MAX_LABEL_LENGTH - 1)}…` : label;
}
