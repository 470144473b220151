// The ingest CLI as its tests run it: main() in this process (fast, and what a command prints is captured),
// or `node ingest/cli.ts` in a child process for the tests that must see a real process (the entry point's
// smoke tests, a crawl killed and resumed). Either way with only the given configuration: no .env, no
// inherited keys (but the suite's ffmpeg binaries, src/core/testing/ff-binaries.ts).
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { TEST_FF_ENV } from '../../src/core/testing/ff-binaries.ts';
import { main } from '../cli.ts';

export interface CliResult {
  /** The exit code; null when the process died by a signal (spawnCli only). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface CliRunOptions {
  env?: Record<string, string>;
  /** The working directory: where relative flags and the toploras cache resolve. */
  cwd?: string;
}

interface SpawnOptions extends CliRunOptions {
  nodeArgs?: string[];
  /**
   * A compile cache shared by the children of one test file: spares each child part of the cost of loading
   * the CLI again.
   */
  compileCacheDir?: string;
}

export const CLI_ENTRY = path.join(import.meta.dirname, '..', 'cli.ts');

/** main() with LOG_LEVEL=warn plus `env`; stdout and stderr as the process would have printed them. */
export async function runCli(args: string[], { env = {}, cwd = process.cwd() }: CliRunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { LOG_LEVEL: 'warn', ...TEST_FF_ENV, ...env }, { out: (line) => (stdout += `${line}\n`), err: (line) => (stderr += `${line}\n`), cwd });
  return { code, signal: null, stdout, stderr };
}

/** `node [nodeArgs] ingest/cli.ts args` in a child process, to its end (exit or signal). */
export function spawnCli(args: string[], { env = {}, cwd = process.cwd(), nodeArgs = [], compileCacheDir }: SpawnOptions = {}): Promise<CliResult> {
  const childEnv = {
    PATH: process.env.PATH ?? '',
    HOME: os.homedir(),
    // The test run's scratch space (scripts/test.sh puts it in RAM) holds the child's temp files too.
    TMPDIR: os.tmpdir(),
    LOG_LEVEL: 'warn',
    ...TEST_FF_ENV,
    ...(compileCacheDir ? { NODE_COMPILE_CACHE: compileCacheDir } : {}),
    ...env,
  };
  const child = spawn(process.execPath, [...nodeArgs, CLI_ENTRY, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
