// The command line of every fake (`node fakes/<name>/cli.ts …`): flags with usage errors (exit 2), --help,
// a --faults JSON flag, and a clean stop on Ctrl-C.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { FaultConfig } from '../liblib/faults.ts';

export interface FakeCli<V> {
  values: V;
  /** Print `message` and the usage, exit 2. */
  fail(message: string): never;
  /** A non-negative integer flag, or `fallback` when absent. */
  int(value: string | undefined, name: string, fallback: number): number;
  /** The --faults flag as a FaultConfig (undefined when absent). */
  faults(value: string | undefined): FaultConfig | undefined;
}

/** Parse argv (strict), handle --help (exit 0) and bad flags (exit 2). */
export function fakeCli<O extends NonNullable<ParseArgsConfig['options']>>(usage: string, options: O): FakeCli<ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values']> {
  const fail = (message: string): never => {
    process.stderr.write(`${message}\n${usage}\n`);
    process.exit(2);
  };
  let values;
  try {
    values = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return {
    values: values as never,
    fail,
    int(value, name, fallback) {
      if (value === undefined) return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
      return n;
    },
    faults(value) {
      if (value === undefined) return undefined;
      try {
        return JSON.parse(value) as FaultConfig;
      } catch {
        return fail('--faults must be JSON');
      }
    },
  };
}

/** Close the fake and exit on SIGINT/SIGTERM. */
export function stopOnSignals(fake: { close(): Promise<void> }): void {
  const stop = (): void => {
    void fake.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
