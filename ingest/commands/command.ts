import type { Config } from '../../src/core/env.ts';
import type { Logger } from '../../src/core/log.ts';

/** A CLI command: parsed flags in, exit code out (0 ok, 1 failed; usage errors throw UsageError → 2). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** parseArgs option definitions; `help` is added for every command. */
  options: Record<string, { type: 'boolean' | 'string'; short?: string; description: string; default?: string | boolean }>;
  run(context: CommandContext): Promise<number>;
}

export interface CommandContext {
  config: Config;
  log: Logger;
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The raw environment, only for commands that describe it (doctor) or hand it to a child process. */
  env: Record<string, string | undefined>;
  out: (line: string) => void;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
