// The day in Markdown: REPORTS_DIR/daily-<date>.md always, and GitHub Actions' job summary (@actions/core)
// when running there; plus the day's one alert.
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../src/core/fs/atomic-write.ts';
import { postAlert } from '../pipeline/run-report.ts';
import { DAILY_PHASES, type DailyState } from './daily-state.ts';

const ICON = { ok: '✅', warn: '⚠️', failed: '❌', skipped: '⏭️' } as const;
const pct = (rate: number) => `${(rate * 100).toFixed(2)}%`;
const cell = (text: string) => text.split('\n')[0]!.replace(/\|/g, '\\|').slice(0, 220);

export function renderDaySummary(state: DailyState, threshold: number): string {
  const lines = [`# 画库 daily run ${state.date}`, '', `Started ${state.startedAt} (day clock ${state.now}).`, ''];
  lines.push('| phase | status | time | detail |', '|---|---|--:|---|');
  for (const phase of DAILY_PHASES) {
    const r = state.phases[phase];
    if (r) lines.push(`| ${phase} | ${ICON[r.status]} ${r.status} | ${(r.ms / 1000).toFixed(1)} s | ${cell(r.detail)} |`);
  }
  if (state.failures) {
    const { total, bySource } = state.failures;
    lines.push('', '## Failures', '');
    lines.push(`Unresolved: **${total.unresolved}** of ${total.units} units touched today (${pct(total.rate)}; alert above ${pct(threshold)})` +
      `${state.alert ? (state.alert.sent ? ' — **alert sent**' : ` — alert failed: ${state.alert.problem}`) : ''}. ` +
      `Gone upstream (404/410, never fatal): ${total.permanent}.`);
    lines.push('', '| source | units | unresolved | gone (404/410) | rate | by kind |', '|---|--:|--:|--:|--:|---|');
    for (const [source, t] of Object.entries(bySource)) {
      lines.push(`| ${source} | ${t.units} | ${t.unresolved} | ${t.permanent} | ${pct(t.rate)} | ${Object.entries(t.byKind).map(([k, n]) => `${k} ${n}`).join(', ') || '—'} |`);
    }
  }
  if (state.snapshot) {
    const { manifest, diff, works, previousPublished } = state.snapshot;
    lines.push('', '## Snapshot', '', `${works} works, generated ${manifest.generatedAt}; diff against the ${previousPublished ? `published snapshot of ${diff.previousGeneratedAt}` : 'local snapshot (nothing published yet)'}.`, '');
    lines.push('| source | works | authors | images | LoRAs | added | removed | changed |', '|---|--:|--:|--:|--:|--:|--:|--:|');
    const sources = new Set([...Object.keys(manifest.counts), ...Object.keys(diff.works)]);
    for (const source of sources) {
      const c = manifest.counts[source as keyof typeof manifest.counts];
      const d = diff.works[source as keyof typeof diff.works];
      lines.push(`| ${source} | ${c?.works ?? 0} | ${c?.authors ?? 0} | ${c?.images ?? 0} | ${c?.loras ?? 0} | ${d?.added ?? 0} | ${d?.removed ?? 0} | ${d?.changed ?? 0} |`);
    }
    lines.push(`| LoRAs (catalogue) | | | | | ${diff.loras.added} | ${diff.loras.removed} | ${diff.loras.changed} |`);
  }
  lines.push('', '## Deploy', '');
  if (state.deploy) {
    const d = state.deploy;
    lines.push(`Bucket \`${d.bucket}\`: ${d.uploaded} of ${d.files} files uploaded (${(d.bytes / 1024).toFixed(1)} KiB), ${d.unchanged} unchanged, ` +
      `${d.retired} retired (kept for now), ${d.deleted} old files deleted; history in \`snapshots/${state.date}/\`.`);
  } else {
    lines.push(`Not deployed: ${state.phases.deploy?.detail.split('\n')[0] ?? 'the deploy phase did not run'}. The previous site stays live.`);
  }
  return `${lines.join('\n')}\n`;
}

/** REPORTS_DIR/daily-<date>.md, and the Actions job summary when `stepSummaryFile` is set; returns where it went. */
export async function writeDaySummary(markdown: string, reportsDir: string, date: string, stepSummaryFile: string | undefined): Promise<string[]> {
  await fs.mkdir(reportsDir, { recursive: true });
  const file = path.join(reportsDir, `daily-${date}.md`);
  await writeFileAtomic(file, markdown);
  const written = [file];
  if (stepSummaryFile) {
    // @actions/core writes to the file GitHub Actions names in GITHUB_STEP_SUMMARY.
    const core = await import('@actions/core');
    await core.summary.addRaw(markdown, true).write();
    written.push('the job summary');
  }
  return written;
}

/** POST the day's one alert (errors returned, never thrown: see postAlert). */
export function sendDayAlert(url: string, state: DailyState, threshold: number): Promise<string | null> {
  const total = state.failures!.total;
  return postAlert(url, {
    type: 'huaku.daily.failure_rate',
    date: state.date,
    failureRate: total.rate,
    threshold,
    units: total.units,
    unresolved: total.unresolved,
    permanent: total.permanent,
    failuresByKind: total.byKind,
    bySource: state.failures!.bySource,
    text: `画库 daily ${state.date}: ${total.unresolved}/${total.units} units unresolved (${pct(total.rate)} > ${pct(threshold)}); the site was still published from what is valid`,
  });
}
