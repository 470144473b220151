import path from 'node:path';
import { DAILY_PHASES, type DailyPhase } from '../daily/daily-state.ts';
import { DEFAULT_CIVITAI_TARGETS, runDaily } from './daily-phases.ts';
import { UsageError, type CommandRunner } from './command.ts';

/** `ingest daily [--only phase,…]`: the whole day (docs/operations.md). */
export const dailyCommand: CommandRunner = {
  async run(context) {
    const { flags, cwd } = context;
    let only: DailyPhase[] | undefined;
    if (typeof flags.only === 'string') {
      const names = flags.only.split(',').map((p) => p.trim()).filter(Boolean);
      const unknown = names.filter((n) => !(DAILY_PHASES as readonly string[]).includes(n));
      if (names.length === 0 || unknown.length > 0) throw new UsageError(`--only "${flags.only}": expected phases among ${DAILY_PHASES.join(', ')}`);
      only = DAILY_PHASES.filter((p) => names.includes(p));
    }
    let now: Date | undefined;
    if (typeof flags.now === 'string') {
      now = new Date(flags.now);
      if (Number.isNaN(now.getTime())) throw new UsageError(`--now "${flags.now}": expected an ISO date-time, e.g. 2026-12-05T19:00:00Z`);
    }
    const crawlFlags: Record<string, string> = {};
    for (const name of ['rps', 'window', 'page-size', 'max-works']) if (typeof flags[name] === 'string') crawlFlags[name] = flags[name];
    const { code } = await runDaily(context, {
      only,
      now,
      buildCommand: typeof flags['build-command'] === 'string' ? flags['build-command'] : undefined,
      distDir: path.resolve(cwd, typeof flags.dist === 'string' ? flags.dist : 'dist/client'),
      civitaiTargets: typeof flags['civitai-targets'] === 'string' ? path.resolve(cwd, flags['civitai-targets']) : DEFAULT_CIVITAI_TARGETS,
      charts: flags.charts !== false,
      crawlFlags,
    });
    return code;
  },
};
