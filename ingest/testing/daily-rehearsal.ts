// Seven simulated days of `ingest daily` against the offline fakes, MariaDB (TEST_MYSQL_URL; SQLite without it)
// and s3rver (the media bucket and the site bucket), with a local alert webhook. Every day starts on a fresh
// runner (no snapshot, history or build left from the day before), gets new Liblib works, dead image links
// and faults; day 5 Liblib is down. Each day must: exit 0, run every phase (none skipped), deploy the site to
// the bucket (index.html and its hashed script served by s3rver over HTTP), and report the diff the works
// actually changed by (against the previous published day). Exactly one alert, on the outage day.
// Used by daily-rehearsal.test.ts (tiny build) and scripts/daily-rehearsal.sh (the real astro build).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startFakeCivitai, type FakeCivitai } from '../../fakes/civitai/server.ts';
import { startFakeLiblib, type FakeLiblib } from '../../fakes/liblib/server.ts';
import { startFakeModelScope, type FakeModelScope } from '../../fakes/modelscope/server.ts';
import { parseWorkChunkFileName } from '../../src/core/snapshot/paths.ts';
import { testConfig, uniqueSuffix } from '../../src/core/testing/services.ts';
import type { DailyState } from '../daily/daily-state.ts';
import { BACKENDS, type TestBackend } from './backends.ts';
import { runCli } from './run-cli.ts';

export interface RehearsalDay {
  day: number;
  code: number;
  phases: string;
  works: number;
  added: number;
  expectedAdded: number;
  removed: number;
  failureRate: number;
  permanent: number;
  alerts: number;
  deployed: string;
  /** Wall time of the day's run. */
  seconds: number;
  /** The slowest phases, for the log. */
  slowest: string;
  problems: string[];
}

export interface RehearsalOptions {
  days?: number;
  /** The build phase's command; null: the real one (DAILY_BUILD_COMMAND, `npm run build`, in the project directory). */
  buildCommand: string | null;
  /** false: analyze without PNG charts (the CI test). */
  charts?: boolean;
  log?: (line: string) => void;
}

const OUTAGE_DAY = 5;
const NEW_WORKS_PER_DAY = 3;

function workIds(snapshotDir: string): Set<string> {
  const dir = path.join(snapshotDir, 'works');
  const ids = new Set<string>();
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (parseWorkChunkFileName(name) === null) continue;
    for (const work of JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Array<{ id: string }>) ids.add(work.id);
  }
  return ids;
}

export function formatRehearsalRow(row: RehearsalDay): string {
  return `| ${row.day} | ${row.code} | ${row.phases} | ${row.works} | +${row.added}/−${row.removed} (expected +${row.expectedAdded}) | ` +
    `${(row.failureRate * 100).toFixed(1)}% | ${row.permanent} | ${row.alerts} | ${row.deployed} | ${row.seconds} s (${row.slowest}) | ${row.problems.join('; ') || 'ok'} |`;
}

export const REHEARSAL_HEADER = [
  '| day | exit | phases ok/warn/skipped/failed | works | diff | unresolved | gone (404) | alerts | deployed | time (slowest phases) | verdict |',
  '|--:|--:|---|--:|---|--:|--:|--:|---|---|---|',
];

export async function rehearseDays(options: RehearsalOptions): Promise<{ rows: RehearsalDay[]; alerts: unknown[]; summary: string }> {
  const log = options.log ?? (() => undefined);
  const days = options.days ?? 7;
  const backendSpec = testConfig.testing.mysqlUrl ? BACKENDS.find((b) => b.name.startsWith('MariaDB'))! : BACKENDS[0]!;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-rehearsal-'));
  const alerts: Array<{ day: number; body: unknown }> = [];
  let currentDay = 0;
  const webhook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      alerts.push({ day: currentDay, body: JSON.parse(body) as unknown });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  let liblib: FakeLiblib | undefined;
  let civitai: FakeCivitai | undefined;
  let modelscope: FakeModelScope | undefined;
  let backend: TestBackend | null = null;
  const rows: RehearsalDay[] = [];
  let summary = '';
  try {
    backend = await backendSpec.open();
    if (!backend) throw new Error('no test backend');
    // A small catalogue with more dead image links than upstream's 0.6%, so every day has some.
    liblib = await startFakeLiblib({ seed: 14, works: 16, otherWorks: 2, authors: 6, commenters: 4, deadImageRate: 0.08 });
    civitai = await startFakeCivitai({ seed: 14, creators: 3, models: 2, standaloneImages: 2 });
    modelscope = await startFakeModelScope({ seed: 14, models: 4, deadCoverRate: 0.2 });
    const s3 = backend.env.S3_ENDPOINT;
    const siteBucket = `huaku-site-${uniqueSuffix()}`;
    const work = options.buildCommand === null ? process.cwd() : path.join(root, 'project');
    fs.mkdirSync(work, { recursive: true });
    const targets = path.join(root, 'civitai-daily.json');
    fs.writeFileSync(targets, JSON.stringify({ targets: [{ name: 'newest', filter: { sort: 'Newest' }, limit: 3, nsfw: 'None,Soft' }] }));
    const env: Record<string, string> = {
      LOG_LEVEL: 'silent',
      // The fakes answer at once: no politeness needed (the --rps flag is capped at 50 for real upstreams).
      INGEST_RPS: '500',
      // The build phase's shell needs them (npm, node).
      PATH: process.env.PATH ?? '',
      HOME: os.homedir(),
      ...backend.env,
      ...(s3 ? { DEPLOY_BUCKET: siteBucket } : {}),
      ...(testConfig.testing.redisUrl ? { REDIS_URL: testConfig.testing.redisUrl, REDIS_KEY_PREFIX: `rehearsal-${uniqueSuffix()}:` } : {}),
      SNAPSHOT_DIR: path.join(root, 'snapshot'),
      HISTORY_DIR: path.join(root, 'history'),
      REPORTS_DIR: path.join(root, 'reports'),
      LIBLIB_API_BASE: liblib.apiBaseUrl,
      CIVITAI_API_BASE: civitai.apiBaseUrl,
      MODELSCOPE_API_BASE: modelscope.apiBaseUrl,
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alert`,
      ALERT_FAILURE_RATE: '0.05',
      INGEST_THUMBNAIL_WIDTHS: '320',
      INGEST_RETRY_BASE_MS: '5',
      DEPLOY_KEEP_DAYS: '2',
      ...(options.buildCommand ? { DAILY_BUILD_COMMAND: options.buildCommand } : {}),
    };
    let published = new Set<string>();
    const start = Date.parse('2026-12-01T19:00:00Z');
    for (let day = 1; day <= days; day++) {
      currentDay = day;
      // A fresh runner: nothing left from yesterday but the database and the buckets.
      for (const dir of ['snapshot', 'history']) fs.rmSync(path.join(root, dir), { recursive: true, force: true });
      fs.rmSync(path.join(work, 'dist'), { recursive: true, force: true });
      if (day > 1) liblib.addWorks(NEW_WORKS_PER_DAY);
      liblib.setFaults(day === OUTAGE_DAY ? { all: { rate5xx: 1 } } : day % 2 === 0 ? { seed: day, detail: { rate5xx: 0.05 }, image: { resetRate: 0.03 } } : {});
      const alertsBefore = alerts.length;
      const started = performance.now();
      const result = await runCli(['daily', '--window', '8', '--civitai-targets', targets, ...(options.charts === false ? ['--no-charts'] : []), '--now', new Date(start + (day - 1) * 86_400_000).toISOString()], { env, cwd: work });
      const state = JSON.parse(fs.readFileSync(path.join(root, 'reports', 'daily-state.json'), 'utf8')) as DailyState;
      const problems: string[] = [];
      if (result.code !== 0) problems.push(`exit ${result.code}: ${result.stderr.split('\n').slice(-5).join(' ')}`);
      const statuses = Object.values(state.phases).map((p) => p.status);
      const count = (s: string) => statuses.filter((x) => x === s).length;
      for (const [name, phase] of Object.entries(state.phases)) {
        if (phase.status === 'failed' || phase.status === 'skipped') problems.push(`${name} ${phase.status}: ${phase.detail.split('\n')[0]}`);
        // Dead links alone must not fail a run (retry-failed used to exit 1 whenever only they were left).
        if (phase.status === 'warn' && day !== OUTAGE_DAY) problems.push(`${name} warned: ${phase.detail.split('\n')[0]}`);
      }
      const now = workIds(path.join(root, 'snapshot'));
      const expectedAdded = [...now].filter((id) => !published.has(id)).length;
      const expectedRemoved = [...published].filter((id) => !now.has(id)).length;
      const diff = state.snapshot?.diff.works;
      const added = Object.values(diff ?? {}).reduce((n, d) => n + (d?.added ?? 0), 0);
      const removed = Object.values(diff ?? {}).reduce((n, d) => n + (d?.removed ?? 0), 0);
      if (added !== expectedAdded || removed !== expectedRemoved) problems.push(`diff +${added}/−${removed}, expected +${expectedAdded}/−${expectedRemoved}`);
      if (day !== OUTAGE_DAY && day > 1 && added === 0) problems.push('no new works');
      const dayAlerts = alerts.length - alertsBefore;
      if (dayAlerts !== (day === OUTAGE_DAY ? 1 : 0)) problems.push(`${dayAlerts} alert(s)`);
      let deployed = 'no bucket';
      if (s3) {
        const index = await fetch(`${s3}/${siteBucket}/index.html`);
        const html = await index.text();
        const script = /src="\/(_astro\/[^"]+\.js)"/.exec(html)?.[1];
        const asset = script ? await fetch(`${s3}/${siteBucket}/${script}`) : null;
        deployed = `index ${index.status}, ${script ?? 'no script'} ${asset?.status ?? '—'}`;
        if (index.status !== 200 || !html.includes(`data-generated-at="${state.snapshot?.manifest.generatedAt}"`) && options.buildCommand !== null) problems.push(`site not deployed (${deployed})`);
        if (script && (asset?.status !== 200 || !asset.headers.get('cache-control')?.includes('immutable'))) problems.push(`asset not served immutable (${deployed})`);
        if (options.buildCommand === null && index.status !== 200) problems.push(`site not deployed (${deployed})`);
      }
      const row: RehearsalDay = {
        day, code: result.code ?? -1, phases: `${count('ok')}/${count('warn')}/${count('skipped')}/${count('failed')}`, works: now.size, added, expectedAdded, removed,
        failureRate: state.failures?.total.rate ?? 0, permanent: state.failures?.total.permanent ?? 0, alerts: dayAlerts, deployed,
        seconds: Math.round((performance.now() - started) / 100) / 10,
        slowest: Object.entries(state.phases).sort((a, b) => b[1].ms - a[1].ms).slice(0, 3).map(([n, p]) => `${n} ${(p.ms / 1000).toFixed(1)}`).join(', '),
        problems,
      };
      rows.push(row);
      log(formatRehearsalRow(row));
      if (day === 2) summary = fs.readFileSync(path.join(root, 'reports', `daily-${state.date}.md`), 'utf8');
      published = now;
    }
    return { rows, alerts: alerts.map((a) => a.body), summary };
  } finally {
    await liblib?.close();
    await civitai?.close();
    await modelscope?.close();
    await backend?.cleanup();
    await new Promise<void>((resolve) => webhook.close(() => resolve()));
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const tiny = process.argv.includes('--tiny-build');
  const build = tiny ? `"${process.execPath}" "${path.join(import.meta.dirname, 'tiny-site-build.ts')}" "$SNAPSHOT_DIR"` : null;
  console.log(REHEARSAL_HEADER.join('\n'));
  const { rows, summary } = await rehearseDays({ buildCommand: build, log: (line) => console.log(line) });
  const short = rows.filter((r) => r.problems.length > 0);
  console.log(`\n${rows.length - short.length} of ${rows.length} days complete.\n\nThe job summary of day 2:\n\n${summary}`);
  process.exitCode = short.length > 0 || rows.length === 0 ? 1 : 0;
}
