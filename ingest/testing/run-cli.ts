// The ingest CLI as its tests run it: main() in this process (fast, and what a command prints is captured),
// or, for the few smoke tests of the entry point itself, `node ingest/cli.ts` in a child process. Either way
// with only the given configuration: no .env, no inherited keys.
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { main } from '../cli.ts';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

interface CliRunOptions {
  env?: Record<string, string>;
  /** The working directory: where relative flags and the toploras cache resolve. */
  cwd?: string;
}

export const CLI_ENTRY = path.join(import.meta.dirname, '..', 'cli.ts');

/** main() with LOG_LEVEL=warn plus `env`; stdout and stderr as the process would have printed them. */
export async function runCli(args: string[], { env = {}, cwd = process.cwd() }: CliRunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { LOG_LEVEL: 'warn', ...env }, { out: (line) => (stdout += `${line}\n`), err: (line) => (stderr += `${line}\n`), cwd });
  return { code, stdout, stderr };
}

/** `node [nodeArgs] ingest/cli.ts args` in a child process. */
export async function spawnCli(args: string[], { env = {}, cwd = process.cwd(), nodeArgs = [] }: CliRunOptions & { nodeArgs?: string[] } = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...nodeArgs, CLI_ENTRY, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), LOG_LEVEL: 'warn', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
