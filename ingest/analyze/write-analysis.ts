// `ingest analyze`: the snapshot's analysis as PNG charts and a Markdown report linking them.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { analyzeSnapshot } from '../../src/core/analytics/analyze-snapshot.ts';
import type { AnalyticsSummary } from '../../src/core/analytics/analytics-summary.ts';
import { beijingDay } from '../../src/core/analytics/beijing-day.ts';
import { buildAnalyticsCharts } from '../../src/core/analytics/chart-specs.ts';
import { UserFacingError } from '../../src/core/errors.ts';
import { readSnapshotManifest } from '../../src/core/snapshot/read-snapshot.ts';
import { formatAnalysisReport } from './analysis-report.ts';
import { renderChartPng } from './render-chart-png.ts';

export interface AnalysisFiles {
  report: string;
  /** analysis-<date>.json: the summary itself (the daily run keeps it as the day's history). */
  json: string;
  images: string[];
  totalWorks: number;
  summary: AnalyticsSummary;
}

/** `charts: false` writes the report and the JSON without rendering the PNGs (the daily rehearsal test). */
export async function writeAnalysis(options: { snapshotDir: string; outDir: string; now?: Date; charts?: boolean }): Promise<AnalysisFiles> {
  const now = options.now ?? new Date();
  const manifest = await readSnapshotManifest(options.snapshotDir);
  if (!manifest) {
    throw new UserFacingError(`no snapshot in ${options.snapshotDir} (manifest.json is missing)`, {
      hint: 'write one first: npm run ingest -- snapshot (or pass --snapshot DIR)',
    });
  }
  const summary = await analyzeSnapshot(options.snapshotDir);
  const charts = buildAnalyticsCharts(summary);
  const date = beijingDay(now.toISOString());

  await ensureWritableDir(options.outDir);
  const images = new Map<string, string>();
  const written: string[] = [];
  for (const chart of charts) {
    if (chart.empty || options.charts === false) continue;
    const name = `analysis-${date}-${chart.id}.png`;
    const file = path.join(options.outDir, name);
    await writeOrExplain(file, await renderChartPng(chart));
    images.set(chart.id, name);
    written.push(file);
  }
  const report = path.join(options.outDir, `analysis-${date}.md`);
  const markdown = formatAnalysisReport({
    summary,
    charts,
    images,
    date,
    generatedAt: now,
    snapshotDir: options.snapshotDir,
    snapshotGeneratedAt: manifest.generatedAt,
  });
  await writeOrExplain(report, markdown);
  const json = path.join(options.outDir, `analysis-${date}.json`);
  await writeOrExplain(json, `${JSON.stringify(summary, null, 2)}\n`);
  return { report, json, images: written, totalWorks: summary.totalWorks, summary };
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw cannotWrite(dir, error);
  }
}

async function writeOrExplain(file: string, data: string | Buffer): Promise<void> {
  try {
    await writeFile(file, data);
  } catch (error) {
    throw cannotWrite(path.dirname(file), error);
  }
}

function cannotWrite(dir: string, error: unknown): UserFacingError {
  const code = (error as NodeJS.ErrnoException | null)?.code ?? 'unknown error';
  return new UserFacingError(`cannot write the analysis to ${dir} (${code}: ${(error as Error).message})`, {
    hint: 'pass a writable directory with --out DIR, or set REPORTS_DIR',
    cause: error,
  });
}
