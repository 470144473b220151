// The command line the three generation fakes share:
//   node fakes/<name>/cli.ts [--port 0] [--host 127.0.0.1] [--step-ms 150] [--progress-steps N]
//                            [--outcomes failed,ok,malformed] [--faults '{"list":{"rate429":0.2}}'] [own flags]
// Prints the base URL on the first line of stdout, then how to point Huaku at it. Ctrl-C stops it.
import type { ParseArgsConfig } from 'node:util';
import { fakeCli, stopOnSignals, type FakeCli } from './cli.ts';
import type { GenerationFakeOptions, TaskOutcome } from './generation-fake.ts';

const OUTCOMES: readonly TaskOutcome[] = ['ok', 'failed', 'malformed'];

export const GENERATION_CLI_USAGE = '[--port 0] [--host 127.0.0.1] [--step-ms 150] [--progress-steps N] [--outcomes failed,ok,malformed] [--faults <JSON FaultConfig: list = submit, detail = status, image = outputs>]';

/** Parses the shared flags plus `own`, and returns the options every generation fake takes. */
export function generationCli<O extends NonNullable<ParseArgsConfig['options']>>(usage: string, own: O): { cli: FakeCli<Record<string, string | boolean | undefined>>; options: GenerationFakeOptions } {
  const cli = fakeCli(usage, {
    port: { type: 'string' }, host: { type: 'string' }, 'step-ms': { type: 'string' }, 'progress-steps': { type: 'string' },
    outcomes: { type: 'string' }, faults: { type: 'string' }, ...own,
  }) as unknown as FakeCli<Record<string, string | boolean | undefined>>;
  const v = cli.values as Record<string, string | undefined>;
  const outcomes = v.outcomes === undefined ? undefined : v.outcomes.split(',').map((o) => o.trim());
  if (outcomes && !outcomes.every((o) => (OUTCOMES as readonly string[]).includes(o))) cli.fail(`--outcomes: expected a comma-separated list of ${OUTCOMES.join(', ')}`);
  return {
    cli,
    options: {
      port: cli.int(v.port, 'port', 0),
      host: v.host ?? '127.0.0.1',
      stepMs: cli.int(v['step-ms'], 'step-ms', 150),
      progressSteps: v['progress-steps'] === undefined ? undefined : cli.int(v['progress-steps'], 'progress-steps', 10),
      outcomes: outcomes as TaskOutcome[] | undefined,
      faults: cli.faults(v.faults),
    },
  };
}

/** Prints the origin (first line) and the hints, and stops the fake on Ctrl-C. */
export function announce(fake: { origin: string; close(): Promise<void> }, hints: string[]): void {
  process.stdout.write(`${fake.origin}\n${hints.map((h) => `# ${h}`).join('\n')}\n`);
  stopOnSignals(fake);
}
