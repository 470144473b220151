// `ingest toploras` against the fake ModelScope: through the CLI's main() in process, and the real CLI in a
// child process where it is killed mid-run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModelScope, type FakeModelScope } from '../../fakes/modelscope/server.ts';
import { writeCache } from '../sources/modelscope/cache-file.ts';
import { sampleLora } from '../sources/modelscope/test-helpers.ts';
import { CLI_ENTRY, runCli as runMain } from '../testing/run-cli.ts';
import { coverProgress } from './toploras.ts';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-toploras-cli-'));
let fake: FakeModelScope;
let dirs = 0;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '', HOME: os.homedir(), LOG_LEVEL: 'warn', INGEST_RPS: '100',
    MODELSCOPE_API_BASE: fake.apiBaseUrl, DATABASE_URL: `sqlite:${path.join(base, 'huaku.db')}`, BLOB_LOCAL_DIR: path.join(base, 'blobs'), ...extra,
  };
}

/** A fresh working directory (the cache and covers go under it). */
function workdir(): string {
  const dir = path.join(base, `cwd-${++dirs}`);
  fs.mkdirSync(dir);
  return dir;
}

const runCli = (args: string[], cwd: string, extra: Record<string, string> = {}) => runMain(args, { cwd, env: env(extra) });

beforeAll(async () => {
  fake = await startFakeModelScope();
  const migrated = await runCli(['migrate'], base);
  expect(migrated.code, migrated.stderr).toBe(0);
});
afterEach(() => fake.reset());
afterAll(async () => {
  await fake?.close();
  fs.rmSync(base, { recursive: true, force: true });
});

describe('ingest toploras', () => {
  it('--force-refresh writes the cache JSON and the covers and fills the catalogue; a rerun reuses the fresh cache', async () => {
    const cwd = workdir();
    const first = await runCli(['toploras', '--task', 'text-to-image-synthesis', '--force-refresh'], cwd);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('wrote cache/top_loras_text-to-image-synthesis.json (20 results');
    expect(first.stdout).toMatch(/catalogue: 20 LoRAs upserted, \d+ new cover\(s\) and \d+ WebP thumbnail\(s\) stored/);
    const cache = JSON.parse(fs.readFileSync(path.join(cwd, 'cache/top_loras_text-to-image-synthesis.json'), 'utf8')) as { results: Array<{ cover_local: string | null }> };
    expect(cache.results).toHaveLength(20);
    const covers = cache.results.flatMap((r) => (r.cover_local ? [r.cover_local] : []));
    expect(covers.length).toBeGreaterThan(10);
    for (const cover of covers) {
      expect(cover.startsWith('cache/images/text-to-image-synthesis/')).toBe(true);
      expect(fs.existsSync(path.join(cwd, cover))).toBe(true);
    }
    const again = await runCli(['toploras', '--task', 'text-to-image-synthesis'], cwd);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('使用 0 分钟前的缓存 cache/top_loras_text-to-image-synthesis.json');
    expect(again.stdout).not.toContain('wrote cache');
  });

  it('401: exit 1, "请配置 API Key" and how, the old cache kept', async () => {
    fake.setAuth('required');
    const cwd = workdir();
    const file = path.join(cwd, 'cache/top_loras_text-to-image-synthesis.json');
    await writeCache(file, [sampleLora('old/cache')], new Date('2025-01-01T00:00:00Z'));
    const before = fs.readFileSync(file);
    const result = await runCli(['toploras', '--force-refresh', '--no-catalog'], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('请配置 API Key');
    expect(result.stderr).toContain('MODELSCOPE_API_TOKEN=<token>');
    expect(result.stderr).toContain('the old cache');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    const withToken = await runCli(['toploras', '--force-refresh', '--no-catalog', '--limit', '3', '--no-covers'], cwd, { MODELSCOPE_API_TOKEN: fake.token });
    expect(withToken.code, withToken.stderr).toBe(0);
    expect(withToken.stdout).toContain('with MODELSCOPE_API_TOKEN after an anonymous 401');
    expect(`${withToken.stdout}${withToken.stderr}`).not.toContain(fake.token);
  });

  // The one test here that needs a real process: the child is killed once it is fetching covers, however long
  // its start-up takes on a busy machine (a fixed 5 s wait used to give up first).
  it('killed in the middle of a run (kill -9 while covers download): the old cache is untouched', { timeout: 120_000 }, async () => {
    fake.setSlow({ images: 5000 });
    const cwd = workdir();
    const file = path.join(cwd, 'cache/top_loras_text-to-image-synthesis.json');
    await writeCache(file, [sampleLora('old/cache')], new Date('2025-01-01T00:00:00Z'));
    const before = fs.readFileSync(file);
    const child = spawn(process.execPath, [CLI_ENTRY, 'toploras', '--force-refresh', '--no-catalog'], { cwd, env: env(), stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 90_000;
    while (!fake.requests.some((r) => r.kind === 'image') && child.exitCode === null && Date.now() < deadline) await delay(25);
    expect(fake.requests.some((r) => r.kind === 'image')).toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--per-task-cache writes one file per task from --cache-file, covers in --images-dir/{task}; malformed and short lists are reported', async () => {
    const cwd = workdir();
    const top = fake.topLoras('text-to-image-synthesis');
    fake.setMalformed({ [top[1]!.id]: 'downloads-string' });
    const result = await runCli(
      ['toploras', '--task', 'text-to-image-synthesis,image-to-video', '--limit', '30', '--cache-file', 'out/loras.json', '--images-dir', 'imgs', '--per-task-cache', '--no-catalog'],
      cwd,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'out/loras_text-to-image-synthesis.json'))).toBe(true);
    expect(fs.existsSync(path.join(cwd, 'out/loras_image-to-video.json'))).toBe(true);
    expect(fs.readdirSync(path.join(cwd, 'imgs')).sort()).toEqual(['image-to-video', 'text-to-image-synthesis']);
    expect(result.stdout).toContain('警告：跳过 1 个格式异常的条目');
    expect(result.stdout).toContain('Data.Model.Models[1].Downloads');
    expect(result.stdout).toContain(`没有更多内容：只有 ${fake.topLoras('image-to-video').length} 个 LoRA（要求 30）`);
  });

  it('rejects bad flags with exit 2 and shows every flag in --help', async () => {
    const cwd = workdir();
    const cases: Array<[string[], string]> = [
      [['--limit', '0'], '--limit "0": expected a whole number from 1 to 500'],
      [['--task', 'a,b', '--cache-file', 'x.json'], 'add --per-task-cache'],
      [['--task', 'a,a'], 'a task is named twice'],
    ];
    const [help, ...results] = await Promise.all([
      runCli(['toploras', '--help'], cwd),
      ...cases.map(([args]) => runCli(['toploras', ...args, '--no-catalog'], cwd)),
    ]);
    expect(help!.code).toBe(0);
    for (const flag of ['--task', '--limit', '--force-refresh', '--cache-file', '--images-dir', '--per-task-cache', '--[no-]covers', '--[no-]catalog']) {
      expect(help!.stdout).toContain(flag);
    }
    results.forEach((result, i) => {
      expect(result.code, cases[i]![0].join(' ')).toBe(2);
      expect(result.stderr).toContain(cases[i]![1]);
    });
  });

  it('draws a progress bar only on a terminal', () => {
    const written: string[] = [];
    expect(coverProgress({ isTTY: false, write: (t) => written.push(t) })).toBeUndefined();
    const bar = coverProgress({ isTTY: true, write: (t) => written.push(t) })!;
    bar(0, 4);
    bar(2, 4);
    bar(4, 4);
    expect(written[1]).toContain('2/4');
    expect(written[2]).toMatch(/\[█{24}\] 4\/4\n$/);
  });
});
