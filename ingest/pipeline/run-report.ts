// The end of every run: counters into fetch_runs, a printed summary table, data/reports/<run-id>.json and
// .md, and a JSON alert to ALERT_WEBHOOK_URL when too much of the run failed.
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../src/core/fs/atomic-write.ts';
import type { FetchRun, Store } from '../../src/core/store/store.ts';
import type { Source, LedgerStatus } from '../../src/core/domain/enums.ts';
import type { HttpStats } from '../http/http-client.ts';
import type { RunnerResult } from './stage-runner.ts';

export interface RunReport {
  runId: number;
  source: Source;
  command: string;
  status: FetchRun['status'];
  startedAt: string;
  endedAt: string | null;
  durationMs: number;
  counters: {
    pages: number; works: number; details: number; authors: number; images: number; bytes: number;
    requests: number; retries: number; rateLimited: number;
  };
  failuresByKind: Record<string, number>;
  stages: Record<string, { done: number; failedAttempts: number; unresolved: number }>;
  ledger: Record<string, Record<LedgerStatus, number>>;
  unitsProcessed: number;
  /** Units whose last attempt failed, permanent ones included. */
  unresolved: number;
  /** Of `unresolved`, the units gone upstream (404/410): reported, never counted in the rate. */
  permanent: number;
  /** The units the rate is over: this run's, or for `retry-failed` the day's (see finishRun's dayUnits). */
  rateUnits: number;
  /** (unresolved − permanent) ÷ rateUnits. */
  failureRate: number;
  alertThreshold: number;
  alerted: boolean;
}

function failureSummary(result: RunnerResult, dayUnits: number) {
  const failuresByKind: Record<string, number> = {};
  let processed = 0;
  let unresolved = 0;
  let permanent = 0;
  for (const stage of Object.values(result.stages)) {
    processed += stage.done + stage.unresolved;
    unresolved += stage.unresolved;
    permanent += stage.permanent;
    for (const [kind, n] of Object.entries(stage.failuresByKind)) failuresByKind[kind] = (failuresByKind[kind] ?? 0) + (n ?? 0);
  }
  const rateUnits = Math.max(processed, dayUnits);
  return { failuresByKind, processed, unresolved, permanent, rateUnits, failureRate: rateUnits === 0 ? 0 : (unresolved - permanent) / rateUnits };
}

/** Record the run's counters and final status, then build its report. */
export async function finishRun(options: {
  store: Store;
  run: FetchRun;
  result: RunnerResult;
  http: HttpStats;
  stageNames: string[];
  alertThreshold: number;
  /**
   * The day's units of this source (ledger units touched in the last day): `retry-failed` only processes the
   * failure queue, so a rate over its own units would be 100% whenever only dead links are left.
   */
  dayUnits?: number;
  error?: unknown;
}): Promise<RunReport> {
  const { store, run, result, http } = options;
  const failures = failureSummary(result, options.dayUnits ?? 0);
  const overThreshold = failures.failureRate > options.alertThreshold;
  const status = options.error !== undefined || overThreshold ? 'FAILED' : 'SUCCESS';
  const c = result.counters;
  const summary = options.error !== undefined
    ? `aborted: ${(options.error as Error)?.message ?? String(options.error)}`
    : failures.unresolved > 0
      ? `${failures.unresolved} of ${failures.processed} units unresolved (${failures.permanent} gone upstream; ${(failures.failureRate * 100).toFixed(2)}% of ${failures.rateUnits})`
      : null;
  const finished = await store.runs.finish(run.id, status, {
    pagesFetched: c.pagesFetched,
    worksFetched: c.worksFetched,
    detailsFetched: c.detailsFetched,
    authorsFetched: c.authorsFetched,
    imagesDownloaded: c.imagesDownloaded,
    bytesDownloaded: c.bytesDownloaded,
    requests: http.requests,
    retries: http.retries,
    rateLimited: http.rateLimited,
    failures: failures.failuresByKind,
    errorSummary: summary,
  });
  const ledger: RunReport['ledger'] = {};
  for (const stage of options.stageNames) ledger[stage] = await store.ledger.countByStatus(run.source, stage);
  return {
    runId: run.id,
    source: run.source,
    command: run.command,
    status,
    startedAt: finished.startedAt.toISOString(),
    endedAt: finished.endedAt?.toISOString() ?? null,
    durationMs: (finished.endedAt?.getTime() ?? Date.now()) - finished.startedAt.getTime(),
    counters: {
      pages: finished.pagesFetched, works: finished.worksFetched, details: finished.detailsFetched,
      authors: finished.authorsFetched, images: finished.imagesDownloaded, bytes: finished.bytesDownloaded,
      requests: finished.requests, retries: finished.retries, rateLimited: finished.rateLimited,
    },
    failuresByKind: failures.failuresByKind,
    stages: Object.fromEntries(
      Object.entries(result.stages).map(([name, s]) => [name, { done: s.done, failedAttempts: s.failed, unresolved: s.unresolved }]),
    ),
    ledger,
    unitsProcessed: failures.processed,
    unresolved: failures.unresolved,
    permanent: failures.permanent,
    rateUnits: failures.rateUnits,
    failureRate: failures.failureRate,
    alertThreshold: options.alertThreshold,
    alerted: false,
  };
}

const formatBytes = (n: number) =>
  n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)];
}

/** The report as Markdown; also what the CLI prints at the end of a run. */
export function renderReport(report: RunReport): string {
  const c = report.counters;
  const lines = [
    `# Run ${report.runId}: ${report.source} ${report.command} — ${report.status}`,
    '',
    `Started ${report.startedAt}, took ${(report.durationMs / 1000).toFixed(1)} s.`,
    '',
    ...table([
      ['counter', 'value'],
      ['list pages', String(c.pages)],
      ['works found', String(c.works)],
      ['details', String(c.details)],
      ['authors', String(c.authors)],
      ['images', String(c.images)],
      ['bytes', formatBytes(c.bytes)],
      ['requests', String(c.requests)],
      ['retries', String(c.retries)],
      ['429 / Retry-After waits', String(c.rateLimited)],
      ['requests per second', (c.requests / Math.max(0.001, report.durationMs / 1000)).toFixed(2)],
    ]),
    '',
    ...table([
      ['stage', 'done', 'failed attempts', 'unresolved', 'ledger pending', 'ledger done', 'ledger failed'],
      ...Object.entries(report.stages).map(([name, s]) => [
        name, String(s.done), String(s.failedAttempts), String(s.unresolved),
        String(report.ledger[name]?.pending ?? 0), String(report.ledger[name]?.done ?? 0), String(report.ledger[name]?.failed ?? 0),
      ]),
    ]),
    '',
    `Failures by kind: ${Object.entries(report.failuresByKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}.`,
    `Unresolved: ${report.unresolved} of ${report.unitsProcessed} units, ${report.permanent} of them gone upstream (404/410, not counted); ` +
      `failure rate ${(report.failureRate * 100).toFixed(2)}% of ${report.rateUnits} units (alert above ${(report.alertThreshold * 100).toFixed(2)}%)${report.alerted ? ' — alert sent' : ''}.`,
  ];
  if (report.unresolved > 0) lines.push('', 'Unresolved units stay in the failure queue: `npm run ingest -- retry-failed --source ' + report.source + '` retries them.');
  return lines.join('\n');
}

export async function writeReport(report: RunReport, reportsDir: string): Promise<{ json: string; md: string }> {
  await fs.mkdir(reportsDir, { recursive: true });
  const base = path.join(reportsDir, String(report.runId));
  await writeFileAtomic(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(`${base}.md`, `${renderReport(report)}\n`);
  return { json: `${base}.json`, md: `${base}.md` };
}

/**
 * POST one alert as JSON to the webhook. A webhook that is down must not hide the outcome it reports, so the
 * problem is returned (null when it answered 2xx), never thrown. The run's and the day's alerts both use it.
 */
export async function postAlert(url: string, payload: Record<string, unknown>): Promise<string | null> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000),
    });
    return response.ok ? null : `webhook answered HTTP ${response.status}`;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The run's alert (above ALERT_FAILURE_RATE). */
export function sendAlert(url: string, report: RunReport): Promise<string | null> {
  return postAlert(url, {
    type: 'huaku.ingest.failure_rate',
    runId: report.runId,
    source: report.source,
    command: report.command,
    failureRate: report.failureRate,
    threshold: report.alertThreshold,
    unresolved: report.unresolved,
    permanent: report.permanent,
    unitsProcessed: report.unitsProcessed,
    rateUnits: report.rateUnits,
    failuresByKind: report.failuresByKind,
    text: `画库 ingest ${report.source} run ${report.runId}: ${report.unresolved}/${report.unitsProcessed} units failed, ${report.permanent} gone upstream (rate ${(report.failureRate * 100).toFixed(1)}%)`,
  });
}
