// Helpers for browser tests: build the site into a temp directory, run its Node server, drive Chromium.
// Each test file builds into its own temp dir (outDir and Astro's cacheDir), so files never race on dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { parseDatabaseUrl } from '../../src/core/env.ts';
import { openMigratedStore } from '../../src/core/store/create-store.ts';
import { TEST_FF_ENV } from '../../src/core/testing/ff-binaries.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** The features Playwright disables when it launches Chromium (playwright-core 1.65). */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable', 'LensOverlay',
  'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect', 'TcpPortRandomizationWin',
  'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch', 'CDPScreenshotNewSurface', 'SkipListAccountsWithoutGaiaCookies',
];
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** For the tests' Chromium, launched by Playwright and shared by the test files running at once. */
export const TEST_CHROMIUM_ARGS = [
  ...CHROMIUM_ARGS,
  // No spare renderer: Chromium keeps one process started ahead for the next navigation, but it belongs to one
  // context, so while several test files navigate their own tabs each navigation threw the spare away and
  // started another (10 renderers for 10 alternating navigations, ~0.5 CPU-s each here; none without it).
  // No omnibox popups: headless Chromium 156 still builds each window's address bar and preloads its two WebUI
  // popups (chrome://omnibox-popup.top-chrome/, and its AI-mode page), each in a renderer of its own. A new
  // context is a new window: ~1.3 CPU-s per context here, 18 CPU-s of the site project, for pages no test opens.
  // One --disable-features list: Playwright passes its own and Chromium may keep only the last, so this one
  // repeats Playwright's (playwright-core 1.65, chromiumSwitches.ts) before adding ours.
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, 'SpareRendererForSitePerProcess', 'WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'].join(',')}`,
];

export function chromiumAvailability(): { available: boolean; reason: string } {
  return existsSync(CHROMIUM_PATH)
    ? { available: true, reason: '' }
    : { available: false, reason: `${CHROMIUM_PATH} not found (install it: apt-get install -y chromium)` };
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: TEST_CHROMIUM_ARGS });
}

/**
 * A scratch directory for one test file. The built server imports its dependencies from node_modules
 * (they are not bundled), so the directory gets a node_modules symlink to the repo's.
 */
export async function makeWorkDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface BuildResult {
  outDir: string;
  ms: number;
  output: string;
}

/**
 * Astro writes its generated files (`.astro/` in the repo root) with a fixed temp name before a rename,
 * whatever the outDir: two builds at once (test files run in parallel workers) race on that rename.
 * A lock directory, created atomically, lets one build run at a time across processes; a lock older
 * than any build (a crashed holder) is broken.
 */
// In the repo (git-ignored): scripts/static-checks.sh takes the same lock for `astro check`, which writes `.astro/` too.
const BUILD_LOCK = path.join(REPO_ROOT, '.astro-build.lock');
const STALE_LOCK_MS = 5 * 60_000;

export async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(BUILD_LOCK).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(BUILD_LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(BUILD_LOCK, { recursive: true, force: true });
  }
}

/**
 * `astro build` of the repo into `outDir`, in a child process (Astro reads its config through Vite, which
 * must not share the test runner's module graph), with `env` layered over the parent's environment.
 * Without render processes unless `env` asks for them (SITE_BUILD_RENDER_PROCESSES): at a few hundred pages
 * they cost more CPU than they save (~1.4 CPU-s more for a 300-work build), and the suite's time is CPU.
 * The fixture site the browser tests read, and the malformed-snapshot build, use them as production does.
 */
export async function buildSite(options: { outDir: string; cacheDir: string; env: Record<string, string> }): Promise<BuildResult> {
  const script = `
    import { build } from 'astro';
    await build({ root: ${JSON.stringify(REPO_ROOT)}, outDir: ${JSON.stringify(options.outDir)}, cacheDir: ${JSON.stringify(options.cacheDir)}, logLevel: 'warn' });
  `;
  const started = performance.now();
  const { code, output } = await withBuildLock(() =>
    run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1', SITE_BUILD_RENDER_PROCESSES: '0', ...options.env },
    }),
  );
  if (code !== 0) throw new Error(`astro build failed (exit ${code}):\n${output}`);
  return { outDir: options.outDir, ms: Math.round(performance.now() - started), output };
}

export interface RunningServer {
  url: string;
  /** The server process (benchmarks read its CPU time). */
  pid: number | undefined;
  output: () => string;
  stop: () => Promise<void>;
}

/** Start the built server (`node src/server/serve.ts <outDir>`) on a free port and wait until it answers. */
export async function startServer(options: { outDir: string; cwd: string; env: Record<string, string>; port?: number }): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'src', 'server', 'serve.ts'), options.outDir], {
    cwd: options.cwd,
    env: { ...process.env, NODE_ENV: 'production', ...TEST_FF_ENV, ...options.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    // Patient: a started server answers in about a second, but a machine shared by many test files can take far longer.
    await waitForHttp(url, child, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nserver output:\n${output}`);
  }
  return { url, pid: child.pid, output: () => output, stop };
}

/**
 * The built site's server as the README runs it: a migrated SQLite database in `workDir` (the server
 * refuses to call itself healthy on an unmigrated one), the snapshot, and a local blob store served under
 * /media. `env` adds to or overrides those settings.
 */
export async function startSiteServer(options: {
  outDir: string;
  workDir: string;
  snapshotDir: string;
  blobDir?: string;
  env?: Record<string, string>;
  port?: number;
}): Promise<RunningServer> {
  const databaseUrl = `sqlite:${path.join(options.workDir, 'huaku.db')}`;
  await (await openMigratedStore(parseDatabaseUrl(databaseUrl)!)).close();
  return startServer({
    outDir: options.outDir,
    cwd: options.workDir,
    ...(options.port ? { port: options.port } : {}),
    env: {
      SNAPSHOT_DIR: options.snapshotDir,
      DATABASE_URL: databaseUrl,
      BLOB_DRIVER: 'local',
      BLOB_LOCAL_DIR: options.blobDir ?? path.join(options.workDir, 'blobs'),
      MEDIA_BASE_URL: '/media',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited early (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`server at ${url} did not answer within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Run a command to its end, collecting stdout and stderr together. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
