// The Markdown report of `ingest analyze`: headline figures, then each chart's PNG and the table of the
// same figures (the tables /analytics shows as the charts' accessible fallback).
import type { AnalyticsSummary } from '../../src/core/analytics/analytics-summary.ts';
import type { AnalyticsChart, ChartTable, TableCell } from '../../src/core/analytics/chart-specs.ts';
import { SOURCE_LABELS } from '../../src/core/domain/labels.ts';

export interface AnalysisReportInput {
  summary: AnalyticsSummary;
  charts: AnalyticsChart[];
  /** Chart id → the PNG's file name, relative to the report (charts without data have none). */
  images: Map<string, string>;
  /** The report's day (Beijing time), `YYYY-MM-DD`. */
  date: string;
  generatedAt: Date;
  snapshotDir: string;
  snapshotGeneratedAt: string;
}

export function formatAnalysisReport(input: AnalysisReportInput): string {
  const { summary } = input;
  const lines: string[] = [
    `# 画库数据分析 ${input.date}`,
    '',
    `生成于 ${input.generatedAt.toISOString()}，数据来自快照 \`${input.snapshotDir}\`（快照生成于 ${input.snapshotGeneratedAt}）。`,
    '',
    '## 概览',
    '',
    ...headlines(summary).map((line) => `- ${line}`),
  ];
  for (const chart of input.charts) {
    lines.push('', `## ${chart.title}`, '', chart.explanation, '');
    const image = input.images.get(chart.id);
    if (image) lines.push(`![${chart.title}](${encodeURI(image)})`, '');
    else lines.push(chart.emptyMessage, '');
    if (chart.table.rows.length > 0) lines.push(...markdownTable(chart.table));
  }
  return `${lines.join('\n')}\n`;
}

function headlines(summary: AnalyticsSummary): string[] {
  const { days, undated } = summary.daily;
  const perSource = summary.sources.map((s) => `${SOURCE_LABELS[s.source]} ${s.works}`).join('，');
  const lines = [`作品 ${summary.totalWorks} 件${perSource ? `（${perSource}）` : ''}`];
  lines.push(`作者 ${summary.sources.reduce((sum, s) => sum + s.authors, 0)} 位，图片 ${summary.sources.reduce((sum, s) => sum + s.images, 0)} 张`);
  for (const s of summary.sources) {
    if (!s.completeness) continue;
    const pct = (n: number) => (s.works > 0 ? `${((n / s.works) * 100).toFixed(1)}%` : '0%');
    lines.push(`生成参数 · ${SOURCE_LABELS[s.source]}：可复现 ${s.completeness.full}（${pct(s.completeness.full)}），部分参数 ${s.completeness.partial}（${pct(s.completeness.partial)}），无参数 ${s.completeness.none}（${pct(s.completeness.none)}）`);
  }
  if (days.length > 0) lines.push(`发布日期 ${days[0]} 至 ${days.at(-1)}（北京时间）${undated > 0 ? `，另有 ${undated} 件无日期` : ''}`);
  const topCheckpoint = summary.topCheckpoints[0];
  if (topCheckpoint) lines.push(`最常用的 Checkpoint：${escapeText(topCheckpoint.name)}（${topCheckpoint.works} 件作品）`);
  const topLora = summary.topLoras[0];
  if (topLora) lines.push(`最常用的 LoRA：${escapeText(topLora.name)}（${topLora.works} 件作品）`);
  const topWords = summary.promptWords.slice(0, 10).map((w) => escapeText(w.word));
  if (topWords.length > 0) lines.push(`提示词高频词：${topWords.join('、')}（分析了 ${summary.promptsAnalysed} 条提示词）`);
  return lines;
}

function markdownTable(table: ChartTable): string[] {
  const numeric = table.columns.map((_, i) => table.rows.every((row) => typeof row[i] === 'number'));
  return [
    `| ${table.columns.map(escapeCell).join(' | ')} |`,
    `| ${numeric.map((isNumeric) => (isNumeric ? '---:' : '---')).join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map((cell) => escapeCell(cellText(cell))).join(' | ')} |`),
  ];
}

function cellText(cell: TableCell): string {
  return typeof cell === 'object' ? cell.text : String(cell);
}

/** Names and prompt words come from upstream users: HTML in them must show as text in a Markdown viewer. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A table cell is one line, and `|` would end it. */
function escapeCell(text: string): string {
  return escapeText(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*[\r\n]+\s*/g, ' ');
}
