// `ingest daily`: the whole day, phase by phase (DAILY_PHASES), with one exit policy:
// - crawl failures never stop the day: permanent ones (404/410) are counted apart, the rest are unresolved
//   and their rate over the day's units (ledger units touched since the day began) decides one alert;
// - the site is published from whatever is valid: an invalid snapshot or a failed build skips the deploy and
//   the previous site stays live; the exit code is 0 only when the day's site is published.
// Every phase runs the same code as its own command (liblib, retry-failed, snapshot…), in this process: this
// module is a composition root, like the commands it runs.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { beijingDay } from '../../src/core/analytics/beijing-day.ts';
import { createBlobStore } from '../../src/core/blob/create-blob-store.ts';
import { SOURCES } from '../../src/core/domain/enums.ts';
import type { Config } from '../../src/core/env.ts';
import { errorMessage } from '../../src/core/errors.ts';
import { createStore, openMigratedStore } from '../../src/core/store/create-store.ts';
import { DIFF_FILE, MANIFEST_FILE } from '../../src/core/snapshot/paths.ts';
import { writeAnalysis } from '../analyze/write-analysis.ts';
import { deploySite, formatDeployResult } from '../deploy/deploy-site.ts';
import { SiteBucket } from '../deploy/site-bucket.ts';
import { tallyFailures, type FailureTally } from '../pipeline/failure-policy.ts';
import { formatDiffSummary, writeSnapshot } from '../snapshot/write-snapshot.ts';
import type { CommandContext } from './command.ts';
import { DAILY_PHASES, loadState, saveState, type DailyPhase, type DailyState, type PhaseResult } from '../daily/daily-state.ts';
import { renderDaySummary, sendDayAlert, writeDaySummary } from '../daily/day-summary.ts';
import { downloadHistory, downloadPublishedSnapshot, publishHistoryDay, publishSnapshot, writeHistoryDay } from '../daily/history.ts';

export interface DailyOptions {
  /** Only these phases (in DAILY_PHASES order); all when absent. */
  only?: DailyPhase[];
  /** The day's clock (a rehearsal's simulated day); real time when absent. */
  now?: Date;
  /** The build phase's shell command (default DAILY_BUILD_COMMAND). */
  buildCommand?: string;
  /** The built site to deploy (default dist/client). */
  distDir: string;
  /** The Civitai targets file (default ingest/sources/civitai/daily.json). */
  civitaiTargets: string;
  /** false: the analysis without its PNG charts. */
  charts: boolean;
  /** Flags passed to the Liblib crawl and retry-failed (rps, window, page-size, max-works). */
  crawlFlags: Record<string, string>;
}

/** A phase runs only when these did not fail or get skipped. */
const REQUIRES: Record<DailyPhase, DailyPhase[]> = {
  migrate: [], 'abort-stale': ['migrate'], liblib: ['migrate'], civitai: ['migrate'], 'retry-failed': ['migrate'], toploras: ['migrate'],
  snapshot: ['migrate'], analyze: ['snapshot'], history: ['analyze'], cache: ['migrate'], build: ['snapshot'], deploy: ['build', 'history'], summary: [],
};
/** Phases whose failure means the day's site was not published. */
const PUBLISHING: DailyPhase[] = ['migrate', 'snapshot', 'analyze', 'history', 'build', 'deploy'];

export const DEFAULT_CIVITAI_TARGETS = new URL('../sources/civitai/daily.json', import.meta.url).pathname;

const civitaiTargetsSchema = z.object({
  targets: z.array(z.object({
    name: z.string().min(1),
    filter: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    limit: z.number().int().min(1).max(10_000),
    nsfw: z.string().default('None,Soft'),
  })),
});

class PhaseWarning extends Error {}
class PhaseSkipped extends Error {}

interface Day {
  context: CommandContext;
  /** The configuration sub-commands get: no per-run alert (the day sends one). */
  quiet: Config;
  state: DailyState;
  options: DailyOptions;
  /** The site bucket, reachable (checked once, by the first phase that needs it: an outage fails that phase). */
  bucket(): Promise<SiteBucket | null>;
}

function freshState(now: Date): DailyState {
  return { startedAt: new Date().toISOString(), now: now.toISOString(), date: beijingDay(now.toISOString()), phases: {} };
}

/** A sub-command's exit code as a phase outcome: 1 means failures over the threshold (reported by the day). */
async function subcommand(day: Day, load: () => Promise<{ run(c: CommandContext): Promise<number> }>, flags: CommandContext['flags'], positionals: string[] = []): Promise<string> {
  const runner = await load();
  const lines: string[] = [];
  const code = await runner.run({ ...day.context, config: day.quiet, flags, positionals, out: (line) => { lines.push(line); day.context.out(line); } });
  if (code === 130) throw new Error('interrupted');
  // A crawl's report ends with its failure line; other commands end with their result.
  const last = lines.flatMap((l) => l.split('\n')).find((l) => l.startsWith('Unresolved:')) ?? lines.filter((l) => l.trim()).at(-1) ?? '';
  if (code !== 0) throw new PhaseWarning(`exit ${code}: failures over the threshold (counted in the day's rate) ${last}`.trim());
  return last.trim();
}

const PHASES: Record<DailyPhase, (day: Day) => Promise<string>> = {
  async migrate({ context }) {
    const store = await openMigratedStore(context.config.database);
    await store.close();
    return `database migrated (${context.config.database.kind})`;
  },

  async 'abort-stale'({ context }) {
    const store = await createStore(context.config.database);
    try {
      const minutes = Math.round(context.config.daily.runStaleMs / 60_000);
      const aborted = await store.runs.abortAbandoned(new Date(Date.now() - context.config.daily.runStaleMs), `abandoned: no heartbeat for ${minutes} min (its process is gone); marked by ingest daily`);
      return aborted.length === 0 ? 'no abandoned runs' : `${aborted.length} abandoned run(s) marked ABORTED: ${aborted.map((r) => `#${r.id} ${r.source} ${r.command}`).join(', ')}`;
    } finally {
      await store.close();
    }
  },

  liblib: (day) =>
    subcommand(day, async () => (await import('./liblib.ts')).liblibCommand, { category: '汽车交通', mode: 'incremental', comments: true, ...day.options.crawlFlags }),

  async civitai(day) {
    const parsed = civitaiTargetsSchema.parse(JSON.parse(await fs.readFile(day.options.civitaiTargets, 'utf8')));
    const done: string[] = [];
    const warnings: string[] = [];
    for (const target of parsed.targets) {
      const flags = civitaiFlags(day, target);
      try {
        await subcommand(day, async () => (await import('./civitai.ts')).civitaiCommand, flags, ['images']);
        done.push(target.name);
      } catch (error) {
        if (!(error instanceof PhaseWarning)) throw error;
        warnings.push(`${target.name}: ${error.message}`);
      }
    }
    if (warnings.length > 0) throw new PhaseWarning(warnings.join('; '));
    return `${done.length} target(s): ${done.join(', ')}`;
  },

  async 'retry-failed'(day) {
    // Each source's failure queue once: Liblib's, then Civitai's (its catalogue run with --retry-failed).
    const warnings: string[] = [];
    const lines: string[] = [];
    const targets = civitaiTargetsSchema.parse(JSON.parse(await fs.readFile(day.options.civitaiTargets, 'utf8'))).targets;
    const runs: Array<[string, () => Promise<string>]> = [
      ['liblib', () => subcommand(day, async () => (await import('./liblib.ts')).retryFailedCommand, { source: 'liblib', ...day.options.crawlFlags })],
      ...(targets[0] ? [['civitai', () => subcommand(day, async () => (await import('./civitai.ts')).civitaiCommand, { ...civitaiFlags(day, targets[0]!), 'retry-failed': true }, ['images'])] as [string, () => Promise<string>]] : []),
    ];
    for (const [source, run] of runs) {
      try {
        lines.push(`${source}: ${await run()}`);
      } catch (error) {
        if (!(error instanceof PhaseWarning)) throw error;
        warnings.push(`${source}: ${error.message}`);
      }
    }
    if (warnings.length > 0) throw new PhaseWarning(warnings.join('; '));
    return lines.join('; ');
  },

  toploras: (day) =>
    subcommand(day, async () => (await import('./toploras.ts')).topLorasCommand, { task: 'text-to-image-synthesis', 'force-refresh': true }),

  async snapshot(day) {
    const { context, state } = day;
    const { config } = context;
    let previousPublished = false;
    const bucket = await day.bucket();
    if (bucket) previousPublished = await downloadPublishedSnapshot(bucket, config.snapshotDir);
    const previousWorks = previousPublished ? await publishedWorkCount(config.snapshotDir) : 0;
    const store = await createStore(config.database);
    const blobs = createBlobStore(config.blob);
    try {
      await store.assertMigrated();
      const result = await writeSnapshot(store, blobs, config.snapshotDir, new Date(state.now), { thumbnailWidths: config.ingest.thumbnailWidths });
      // A database that lost its works must not wipe the site: an empty snapshot after a non-empty one is invalid.
      if (result.works === 0 && previousWorks > 0) throw new Error(`invalid snapshot: 0 works where the published one had ${previousWorks}; the previous site stays live`);
      state.snapshot = { manifest: result.manifest, diff: result.diff, works: result.works, previousPublished };
      return `${result.works} works, ${result.authors} authors, ${result.loras} LoRAs; diff against the ${previousPublished ? 'published' : 'local'} snapshot: ${formatDiffSummary(result.diff)}`;
    } finally {
      await store.close();
      await blobs.close();
    }
  },

  async analyze({ context, state, options }) {
    const result = await writeAnalysis({ snapshotDir: context.config.snapshotDir, outDir: context.config.ingest.reportsDir, now: new Date(state.now), charts: options.charts });
    return `${result.totalWorks} works → ${path.basename(result.report)}, ${path.basename(result.json)}, ${result.images.length} chart(s)`;
  },

  async history(day) {
    const { context, state } = day;
    const { config } = context;
    const bucket = await day.bucket();
    const downloaded = bucket ? (await downloadHistory(bucket, config.daily.historyDir)).downloaded : 0;
    const read = (file: string) => fs.readFile(file, 'utf8');
    await writeHistoryDay(config.daily.historyDir, state.date, {
      'analysis.json': await read(path.join(config.ingest.reportsDir, `analysis-${state.date}.json`)),
      'diff.json': await read(path.join(config.snapshotDir, DIFF_FILE)),
      'manifest.json': await read(path.join(config.snapshotDir, MANIFEST_FILE)),
    });
    const days = (await fs.readdir(config.daily.historyDir)).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).length;
    return `${days} day(s) in ${config.daily.historyDir} (${downloaded} downloaded from the bucket, ${state.date} added)`;
  },

  async cache(day) {
    if (!day.context.config.redisUrl) throw new PhaseSkipped('REDIS_URL is not set: nothing to rebuild (the server answers from the database)');
    return subcommand(day, async () => (await import('./cache.ts')).cacheCommand, {}, ['rebuild']);
  },

  async build({ context, options }) {
    const command = options.buildCommand ?? context.config.daily.buildCommand;
    const env = { ...context.env, SNAPSHOT_DIR: context.config.snapshotDir, HISTORY_DIR: context.config.daily.historyDir };
    const started = performance.now();
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(command, { cwd: context.cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); });
      child.stderr.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000); });
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, output }));
    });
    if (code !== 0) throw new Error(`\`${command}\` exited ${code}; the previous site stays live. Its last output:\n${output.split('\n').slice(-30).join('\n')}`);
    await fs.stat(path.join(options.distDir, 'index.html')).catch(() => {
      throw new Error(`\`${command}\` left no ${path.join(options.distDir, 'index.html')}`);
    });
    return `\`${command}\` in ${Math.round((performance.now() - started) / 1000)} s`;
  },

  async deploy(day) {
    const { context, state, options } = day;
    const deploy = context.config.daily.deploy;
    const bucket = deploy ? await day.bucket() : null;
    if (!bucket || !deploy) throw new PhaseSkipped('DEPLOY_BUCKET is not set: built, not deployed');
    const result = await deploySite({ bucket, dir: options.distDir, htmlMaxAge: deploy.htmlMaxAge, keepDays: deploy.keepDays, now: new Date(state.now) });
    // History after the site: a day is "published" once its pages are live.
    await publishHistoryDay(bucket, context.config.daily.historyDir, state.date);
    await publishSnapshot(bucket, context.config.snapshotDir);
    state.deploy = { ...result, bucket: deploy.bucket };
    return `${formatDeployResult(result, deploy.bucket)}; snapshots/${state.date}/ published`;
  },

  async summary(day) {
    const { context, state } = day;
    const store = await createStore(context.config.database);
    const bySource: Record<string, FailureTally> = {};
    const all: Array<{ errorKind: string | null; errorMessage: string | null }> = [];
    let units = 0;
    try {
      for (const source of SOURCES) {
        const touched = await store.ledger.touchedSince(source, new Date(state.startedAt));
        if (touched.touched === 0) continue;
        bySource[source] = tallyFailures(touched.touched, touched.failed);
        units += touched.touched;
        all.push(...touched.failed);
      }
    } finally {
      await store.close();
    }
    const total = tallyFailures(units, all);
    state.failures = { total, bySource };
    const threshold = context.config.ingest.alertFailureRate;
    if (total.rate > threshold && context.config.ingest.alertWebhookUrl) {
      const problem = await sendDayAlert(context.config.ingest.alertWebhookUrl, state, threshold);
      state.alert = { sent: problem === null, problem };
    }
    const rate = `${(total.rate * 100).toFixed(2)}% unresolved of ${total.units} units (${total.permanent} gone upstream, not counted)`;
    return total.rate > threshold ? `${rate}: over ${threshold * 100}%${state.alert?.sent ? ', alert sent' : ', no alert sent'}` : rate;
  },
};

function civitaiFlags(day: Day, target: z.infer<typeof civitaiTargetsSchema>['targets'][number]): CommandContext['flags'] {
  const filter = Object.entries({ sort: 'Newest', ...target.filter }).map(([k, v]) => `${k}=${v}`).join('&');
  return { filter, limit: String(target.limit), nsfw: target.nsfw, catalog: true, ...(day.options.crawlFlags.rps ? { rps: day.options.crawlFlags.rps } : {}) };
}

async function publishedWorkCount(snapshotDir: string): Promise<number> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(snapshotDir, MANIFEST_FILE), 'utf8')) as { counts?: Record<string, { works?: number }> };
    return Object.values(manifest.counts ?? {}).reduce((n, c) => n + (c.works ?? 0), 0);
  } catch {
    return 0;
  }
}

/** Run the day (or the phases of `options.only`); returns the exit code. */
export async function runDaily(context: CommandContext, options: DailyOptions): Promise<{ code: number; state: DailyState }> {
  const { config, out } = context;
  const reportsDir = config.ingest.reportsDir;
  const phases = options.only ?? [...DAILY_PHASES];
  const fresh = !options.only || phases.includes('migrate');
  const state = (!fresh && (await loadState(reportsDir))) || freshState(options.now ?? new Date());
  if (options.now && !fresh) state.now = options.now.toISOString();
  const quiet: Config = { ...config, ingest: { ...config.ingest, alertWebhookUrl: undefined } };
  const bucket = config.daily.deploy ? new SiteBucket(config.daily.deploy) : null;
  let ready: Promise<SiteBucket | null> | undefined;
  const day: Day = { context, quiet, state, options, bucket: () => (ready ??= bucket ? bucket.ensure().then(() => bucket) : Promise.resolve(null)) };
  try {
    for (const phase of phases) {
      const blocked = REQUIRES[phase].find((p) => state.phases[p] && ['failed', 'skipped'].includes(state.phases[p]!.status));
      const started = performance.now();
      let result: PhaseResult;
      if (blocked) {
        result = { status: 'skipped', ms: 0, detail: `${blocked} ${state.phases[blocked]!.status}` };
      } else {
        out(`── daily ${state.date}: ${phase}`);
        try {
          result = { status: 'ok', ms: 0, detail: await PHASES[phase](day) };
        } catch (error) {
          const status = error instanceof PhaseWarning ? 'warn' : error instanceof PhaseSkipped ? 'skipped' : 'failed';
          result = { status, ms: 0, detail: errorMessage(error) };
        }
      }
      result.ms = Math.round(performance.now() - started);
      state.phases[phase] = result;
      out(`   ${phase}: ${result.status} (${(result.ms / 1000).toFixed(1)} s) ${result.detail.split('\n')[0]}`);
      await saveState(reportsDir, state);
    }
  } finally {
    bucket?.close();
  }
  if (!phases.includes('summary')) {
    // One workflow step per phase: a step fails only for its own phase; the summary step gives the day's code.
    return { code: phases.some((p) => state.phases[p]?.status === 'failed') ? 1 : 0, state };
  }
  const published = PUBLISHING.every((p) => !state.phases[p] || state.phases[p]!.status === 'ok' || (p === 'deploy' && state.phases[p]!.status === 'skipped' && !config.daily.deploy));
  const broken = Object.values(state.phases).some((r) => r.status === 'failed');
  const files = await writeDaySummary(renderDaySummary(state, config.ingest.alertFailureRate), reportsDir, state.date, config.daily.stepSummaryFile);
  out(`summary: ${files.join(', ')}`);
  return { code: published && !broken ? 0 : 1, state };
}
