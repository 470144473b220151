// The ingest CLI as a child process, started the way cron or an operator starts it (`node ingest/cli.ts …`),
// for the tests that must see a real process: killed, resumed, run day after day.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const cli = path.join(import.meta.dirname, '../cli.ts');

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child: nothing inherited but PATH and HOME, logs off, plus `env`. The compile cache
 * (shared by the children of one test file) spares each child part of the cost of loading the CLI again.
 */
export function cliEnv(env: Record<string, string>, compileCacheDir?: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: os.homedir(),
    LOG_LEVEL: 'silent',
    ...(compileCacheDir ? { NODE_COMPILE_CACHE: compileCacheDir } : {}),
    ...env,
  };
}

/** Run `node ingest/cli.ts <args>` to its end (exit or signal). */
export function runIngestCli(args: string[], env: Record<string, string>): Promise<CliExit> {
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
