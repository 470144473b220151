import type { Config } from '../../src/core/env.ts';
import type { Logger } from '../../src/core/log.ts';

/** parseArgs option definitions; `help` is added for every command. */
export type CommandOptions = Record<string, { type: 'boolean' | 'string'; short?: string; description: string; default?: string | boolean }>;

/** What `--help` shows and parseArgs reads: static data, so listing or describing commands loads none of them. */
export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: CommandOptions;
}

/** A command's implementation: parsed flags in, exit code out (0 ok, 1 failed; usage errors throw UsageError → 2). */
export interface CommandRunner {
  run(context: CommandContext): Promise<number>;
}

/** One row of the command table: the spec, and the implementation imported only when the command runs. */
export interface CommandEntry extends CommandSpec {
  load(): Promise<CommandRunner>;
}

export interface CommandContext {
  config: Config;
  log: Logger;
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The raw environment, only for commands that describe it (doctor) or hand it to a child process. */
  env: Record<string, string | undefined>;
  /** The directory relative paths in flags resolve against, and where toploras keeps its cache. */
  cwd: string;
  out: (line: string) => void;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
