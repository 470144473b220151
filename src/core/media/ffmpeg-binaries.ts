// The one place that decides which ffmpeg/ffprobe the project runs, and the one way it runs them.
//
// Decisions:
// - The system's binaries (/usr/bin, Debian's `ffmpeg` package, which `.ci/run` installs) win when both
//   are present and executable: they get security updates with the OS. Otherwise the static binaries
//   shipped inside the npm packages `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe` are used,
//   so a plain `npm ci` is enough to process video on a machine without the package.
// - FFMPEG_BINARIES (config.video.binaries) can pin either; the composition roots pass it to
//   selectFfBinaries(). The test suite pins the static ones: Debian's are linked against ~200 shared
//   libraries and spend ~120 ms of CPU starting, the static ones ~10 ms, and the suite runs a few hundred
//   probes of clips a fraction of a second long. The probe and derivative suites run on both.
// - Resolved once per process (the answer cannot change while it runs) unless selectFfBinaries() is called.
// - Tools run with an argument array (no shell), a time limit, and capped output: a hostile file cannot
//   make them print or run forever.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { ServiceUnavailableError } from '../errors.ts';

export type FfTool = 'ffmpeg' | 'ffprobe';

/** 'system': /usr/bin; 'npm': the static binaries of @ffmpeg-installer/@ffprobe-installer. */
export type FfOrigin = 'system' | 'npm';
/** Which binaries to run: one origin, or 'auto' (the system's when installed, else npm's). */
export type FfBinariesChoice = FfOrigin | 'auto';

export interface FfBinaries {
  origin: FfOrigin;
  ffmpeg: string;
  ffprobe: string;
}

const SYSTEM: Record<FfTool, string> = { ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe' };
const NPM_PACKAGES: Record<FfTool, string> = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' };
const INSTALL_HINT = 'Install Debian\'s ffmpeg (apt-get install ffmpeg) or run `npm ci` so the @ffmpeg-installer/@ffprobe-installer binaries are present.';

let choice: FfBinariesChoice = 'auto';
let resolved: FfBinaries | undefined;

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function npmBinary(tool: FfTool): string {
  const require = createRequire(import.meta.url);
  let path: unknown;
  try {
    // The installer packages throw a string (not an Error) when their platform package is missing.
    // Literal names, so dependency checkers see both packages used.
    const installer = tool === 'ffmpeg' ? require('@ffmpeg-installer/ffmpeg') : require('@ffprobe-installer/ffprobe');
    path = (installer as { path?: unknown }).path;
  } catch (error) {
    throw new ServiceUnavailableError(tool, `no ${SYSTEM[tool]} and the npm package ${NPM_PACKAGES[tool]} cannot be loaded: ${String(error instanceof Error ? error.message : error)}`, { hint: INSTALL_HINT, cause: error });
  }
  if (typeof path !== 'string' || !fs.existsSync(path)) {
    throw new ServiceUnavailableError(tool, `the npm package ${NPM_PACKAGES[tool]} names no binary for ${process.platform}-${process.arch}`, { hint: INSTALL_HINT });
  }
  if (!executable(path)) {
    // npm may skip the package's `chmod u+x` install script; the file itself is the binary.
    try {
      fs.chmodSync(path, 0o755);
    } catch (error) {
      throw new ServiceUnavailableError(tool, `${path} is not executable and cannot be made so`, { hint: INSTALL_HINT, cause: error });
    }
  }
  return path;
}

function systemBinaries(): FfBinaries {
  for (const tool of ['ffmpeg', 'ffprobe'] as const) {
    if (!executable(SYSTEM[tool])) throw new ServiceUnavailableError(tool, `FFMPEG_BINARIES=system but ${SYSTEM[tool]} is not an executable file`, { hint: 'Install Debian\'s ffmpeg (apt-get install ffmpeg), or set FFMPEG_BINARIES=auto.' });
  }
  return { origin: 'system', ffmpeg: SYSTEM.ffmpeg, ffprobe: SYSTEM.ffprobe };
}

/** Which binaries ffBinaries() and runFf() use from now on in this process (a composition root's call). */
export function selectFfBinaries(next: FfBinariesChoice): void {
  if (next === choice) return;
  choice = next;
  resolved = undefined;
}

/** Whether the system's ffmpeg and ffprobe (/usr/bin) are both installed and executable. */
export function systemFfBinariesInstalled(): boolean {
  return executable(SYSTEM.ffmpeg) && executable(SYSTEM.ffprobe);
}

/** Which ffmpeg and ffprobe this process runs (by default the system's first, npm's static binaries otherwise). */
export function ffBinaries(): FfBinaries {
  if (resolved) return resolved;
  const origin: FfOrigin = choice !== 'auto' ? choice : systemFfBinariesInstalled() ? 'system' : 'npm';
  resolved = origin === 'system' ? systemBinaries() : { origin: 'npm', ffmpeg: npmBinary('ffmpeg'), ffprobe: npmBinary('ffprobe') };
  return resolved;
}

export interface FfRunResult {
  stdout: Buffer;
  /** Everything the tool printed on stderr (capped); with `-v error`, empty for a clean file. */
  stderr: string;
}

export interface FfRunOptions {
  /** Kill the tool after this long. Default 60 s. */
  timeoutMs?: number;
  /** Largest stdout kept; more fails the run. Default 64 MiB. */
  maxStdoutBytes?: number;
  signal?: AbortSignal;
}

/** A tool that exited non-zero, timed out or printed too much; `stderr` says why. */
export class FfRunError extends Error {
  readonly stderr: string;
  constructor(message: string, stderr: string) {
    super(message);
    this.name = 'FfRunError';
    this.stderr = stderr;
  }
}

const MAX_STDERR_CHARS = 8192;

/** Run ffmpeg or ffprobe with `args` (no shell); resolves with its output when it exits 0. */
export function runFf(tool: FfTool, args: readonly string[], options: FfRunOptions = {}): Promise<FfRunResult> {
  const binary = ffBinaries()[tool];
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxStdout = options.maxStdoutBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure ??= `${tool} took longer than ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.byteLength;
      if (outBytes > maxStdout) {
        failure ??= `${tool} printed more than ${maxStdout} bytes`;
        child.kill('SIGKILL');
        return;
      }
      out.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.slice(0, MAX_STDERR_CHARS - stderr.length);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error.name === 'AbortError' ? error : new ServiceUnavailableError(tool, `cannot run ${binary}: ${error.message}`, { hint: INSTALL_HINT, cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) return reject(new FfRunError(failure, stderr));
      if (code !== 0) return reject(new FfRunError(`${tool} exited with ${code ?? signal}: ${firstLine(stderr) || 'no message'}`, stderr));
      resolve({ stdout: Buffer.concat(out), stderr });
    });
  });
}

/** The first non-empty line of a tool's stderr (the one that names the problem). */
export function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line !== '') ?? '';
}

/** `ffmpeg version …` and `ffprobe version …` first lines, for `doctor`. */
export async function ffVersions(): Promise<{ origin: FfOrigin; ffmpeg: string; ffprobe: string; paths: FfBinaries }> {
  const binaries = ffBinaries();
  const version = async (tool: FfTool) => {
    const { stdout } = await runFf(tool, ['-hide_banner', '-version'], { timeoutMs: 10_000 });
    return firstLine(stdout.toString('utf8')).replace(/\s+Copyright.*$/, '');
  };
  const [ffmpeg, ffprobe] = await Promise.all([version('ffmpeg'), version('ffprobe')]);
  return { origin: binaries.origin, ffmpeg, ffprobe, paths: binaries };
}
