// The Top-LoRAs run against the offline fake ModelScope: the seed's §12.1 cases (happy path, 401, timeout
// and network errors, malformed data) plus freshness, atomicity, covers and where the token goes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModelScope, type FakeModelScope } from '../../../fakes/modelscope/server.ts';
import { loadConfig } from '../../../src/core/env.ts';
import { UserFacingError } from '../../../src/core/errors.ts';
import { closedPort } from '../../../src/core/testing/net.ts';
import { detectFormat } from '../../../src/core/media/image-format.ts';
import { cachePaths, readCache, writeCache } from './cache-file.ts';
import { coverFileStem } from './covers.ts';
import { sampleLora, keysDeep } from './test-helpers.ts';
import { runTopLoras, type TopLorasOptions } from './top-loras.ts';

const TASK = 'text-to-image-synthesis';
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-toploras-'));
const FAST = { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 40, connectTimeoutMs: 1500, headersTimeoutMs: 1500, bodyTimeoutMs: 1500 };
const silent = pino({ level: 'silent' });

function configFor(fake: FakeModelScope | string, env: Record<string, string> = {}) {
  const apiBase = typeof fake === 'string' ? fake : fake.apiBaseUrl;
  return loadConfig({ LOG_LEVEL: 'silent', INGEST_RPS: '200', MODELSCOPE_API_BASE: apiBase, ...env }, base);
}

let dirs = 0;
function options(overrides: Partial<TopLorasOptions> = {}): TopLorasOptions {
  const baseDir = path.join(base, `run-${++dirs}`);
  return { task: TASK, limit: 20, forceRefresh: true, covers: true, baseDir, ...cachePaths({ task: TASK, baseDir }), httpOptions: FAST, ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<UserFacingError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UserFacingError);
    return error as UserFacingError;
  }
  throw new Error('expected the run to fail');
}

/** An old cache in place, and a check that it is still byte for byte there. */
async function withOldCache(run: TopLorasOptions) {
  await writeCache(run.cacheFile, [sampleLora('old/cache', 9)], new Date('2025-01-01T00:00:00Z'));
  const before = fs.readFileSync(run.cacheFile);
  return () => {
    expect(fs.readFileSync(run.cacheFile).equals(before)).toBe(true);
    expect(fs.readdirSync(path.dirname(run.cacheFile)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  };
}

let fake: FakeModelScope;
beforeAll(async () => {
  fake = await startFakeModelScope();
});
afterEach(() => fake.reset());
afterAll(async () => {
  await fake?.close();
  fs.rmSync(base, { recursive: true, force: true });
});

describe('Top-LoRAs against the fake ModelScope', () => {
  it('happy path: the top 20 by downloads, ids and times converted, covers saved by their real format', async () => {
    const run = options();
    const result = await runTopLoras({ config: configFor(fake), log: silent }, run);
    const expected = fake.topLoras(TASK).slice(0, 20);
    expect(result.results.map((r) => r.id)).toEqual(expected.map((m) => m.id));
    expect(result.exhausted).toBe(false);
    const downloads = result.results.map((r) => r.downloads);
    expect(downloads).toEqual([...downloads].sort((a, b) => b - a));

    const file = JSON.parse(fs.readFileSync(run.cacheFile, 'utf8')) as { _cached_at: string; results: Array<Record<string, unknown>> };
    expect(Object.keys(file)).toEqual(['_cached_at', 'results']);
    expect(new Date(file._cached_at).toISOString()).toBe(file._cached_at);
    expect(keysDeep(file).filter((k) => /aigc/i.test(k))).toEqual([]);
    expect(JSON.stringify(file)).not.toContain('OfficialTags');

    let saved = 0;
    for (const [i, model] of expected.entries()) {
      const record = file.results[i]!;
      for (const key of ['id', 'title_en', 'title_cn', 'cover_url', 'cover_local', 'downloads', 'modelscope_url', 'updated_at']) expect(record).toHaveProperty(key);
      expect(record.updated_at).toBe(new Date(model.lastUpdatedTime * 1000).toISOString());
      expect(record.downloads).toBe(model.downloads);
      expect(record.cover_url).toBe(model.cover ? fake.origin + model.cover.path : null);
      if (!model.cover || model.cover.dead || model.cover.protected) {
        expect(record.cover_local, model.id).toBeNull();
        continue;
      }
      saved += 1;
      const bytes = fs.readFileSync(path.join(run.baseDir, record.cover_local as string));
      const format = detectFormat(bytes)!;
      expect(record.cover_local).toBe(`cache/images/${TASK}/${coverFileStem(model.id)}.${format.ext}`);
      expect(format.format).toBe(model.cover.content.format);
      expect((await sharp(bytes).metadata()).width).toBe(model.cover.content.width);
    }
    expect(saved).toBeGreaterThan(10);
    expect(fs.readdirSync(run.imagesDir).sort()).toEqual(file.results.flatMap((r) => (r.cover_local ? [path.basename(r.cover_local as string)] : [])).sort());
    // One model-search request, anonymous; covers fetched without any credentials.
    expect(fake.requests.filter((r) => r.kind === 'models').map((r) => [r.method, r.auth])).toEqual([['PUT', 'none']]);
    expect(fake.requests.every((r) => r.authorization === null)).toBe(true);
    expect(fake.requests[0]!.body).toMatchObject({
      SortBy: 'DownloadsCount', PageNumber: 1,
      Criterion: [{ category: 'tags', predicate: 'contains', values: ['lora'] }, { category: 'tasks', predicate: 'contains', values: [TASK] }],
    });
  });

  it('pages until it has enough, and reports "没有更多内容" when the task has fewer', async () => {
    const paged = await runTopLoras({ config: configFor(fake), log: silent }, options({ pageSize: 8, covers: false }));
    expect(paged.pages).toBe(3);
    expect(paged.results.map((r) => r.id)).toEqual(fake.topLoras(TASK).slice(0, 20).map((m) => m.id));
    expect(paged.results.every((r) => r.cover_local === null)).toBe(true);

    const all = fake.topLoras('image-to-video');
    const few = await runTopLoras({ config: configFor(fake), log: silent }, options({ task: 'image-to-video', limit: 100, covers: false }));
    expect(few.exhausted).toBe(true);
    expect(few.results.map((r) => r.id)).toEqual(all.map((m) => m.id));
    expect(few.results.every((r) => r.task === 'image-to-video')).toBe(true);
  });

  it('skips malformed items with a counted warning and fills the list from the next ones', async () => {
    const top = fake.topLoras(TASK);
    fake.setMalformed({ [top[0]!.id]: 'downloads-string', [top[3]!.id]: 'path-missing', [top[5]!.id]: 'time-string', [top[6]!.id]: 'name-null' });
    const result = await runTopLoras({ config: configFor(fake), log: silent }, options({ covers: false }));
    expect(result.results).toHaveLength(20);
    expect(result.results.map((r) => r.id)).toEqual(top.filter((_, i) => ![0, 3, 5, 6].includes(i)).slice(0, 20).map((m) => m.id));
    expect(result.skipped.map((s) => s.issues.map((i) => i.path).join())).toEqual([
      'Data.Model.Models[0].Downloads',
      'Data.Model.Models[3].Path',
      'Data.Model.Models[5].LastUpdatedTime',
      'Data.Model.Models[6].Name',
    ]);
  });

  it('401 without a token: "请配置 API Key" with how, and the old cache stays', async () => {
    fake.setAuth('required');
    const run = options();
    const unchanged = await withOldCache(run);
    const error = await failure(runTopLoras({ config: configFor(fake), log: silent }, run));
    expect(error.message).toContain('请配置 API Key');
    expect(error.hint).toContain('MODELSCOPE_API_TOKEN');
    expect(error.hint).toContain('https://modelscope.cn/my/myaccesstoken');
    expect(error.hint).toContain('old cache');
    unchanged();
    expect(fake.requests.map((r) => r.status)).toEqual([401]); // a 401 is final: not retried
  });

  it('401 with a token: the page is asked again with the token, which stays on; covers still go without it', async () => {
    fake.setAuth('required');
    const logs: string[] = [];
    const log = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
    const run = options({ pageSize: 10 });
    const result = await runTopLoras({ config: configFor(fake, { MODELSCOPE_API_TOKEN: fake.token }), log }, run);
    expect(result.authenticated).toBe(true);
    expect(result.results).toHaveLength(20);
    const api = fake.requests.filter((r) => r.kind === 'models');
    expect(api.map((r) => [r.auth, r.status])).toEqual([['none', 401], ['valid', 200], ['valid', 200]]);
    expect(api[1]!.authorization).toBe(`Bearer ${fake.token}`);
    // Every cover's first request is anonymous (the fake's default covers need no token).
    const firstCoverRequests = new Map<string, string>();
    for (const r of fake.requests.filter((q) => q.kind === 'image')) if (!firstCoverRequests.has(r.path)) firstCoverRequests.set(r.path, r.auth);
    expect([...firstCoverRequests.values()].every((auth) => auth === 'none')).toBe(true);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(fake.token);

    fake.setAuth('required');
    const wrong = await failure(runTopLoras({ config: configFor(fake, { MODELSCOPE_API_TOKEN: 'expired-token' }), log: silent }, options()));
    expect(wrong.message).toContain('请配置 API Key');
    expect(wrong.message).toContain('MODELSCOPE_API_TOKEN');
  });

  it('timeout: "请求超时" after the retries, the old cache stays', async () => {
    fake.setSlow({ api: 3000 }); // undici's coarse timers fire a 300 ms timeout within about a second
    const run = options({ httpOptions: { ...FAST, maxRetries: 1, headersTimeoutMs: 300 } });
    const unchanged = await withOldCache(run);
    const error = await failure(runTopLoras({ config: configFor(fake), log: silent }, run));
    expect(error.message).toContain('请求超时');
    expect(error.message).toContain('已重试 1 次');
    unchanged();
    expect(fake.requests.filter((r) => r.kind === 'models')).toHaveLength(2);
  });

  it('no network: a friendly message, non-zero for the CLI, the old cache stays', async () => {
    const run = options();
    const unchanged = await withOldCache(run);
    const error = await failure(runTopLoras({ config: configFor(`http://127.0.0.1:${await closedPort()}`), log: silent }, run));
    expect(error.message).toContain('网络连接失败');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.hint).toContain('is kept unchanged');
    unchanged();
  });

  it('retries server errors and rate limits (exponential backoff), then succeeds', async () => {
    fake.setFaults({ list: { schedule: ['503', '429-none', 'html200'] } });
    const result = await runTopLoras({ config: configFor(fake), log: silent }, options({ covers: false, httpOptions: { ...FAST, maxRetries: 3 } }));
    expect(result.results).toHaveLength(20);
    expect(result.http.retries).toBe(3);
    expect(fake.requests.map((r) => r.status)).toEqual([503, 429, 200, 200]);
  });

  it('a failure mid-run (page 2 of 3 unreachable) leaves the old cache as it was', async () => {
    fake.setFaults({ list: { schedule: ['ok', 'reset', 'reset', 'reset'] } });
    const run = options({ pageSize: 8 });
    const unchanged = await withOldCache(run);
    const error = await failure(runTopLoras({ config: configFor(fake), log: silent }, run));
    expect(error.message).toContain('网络连接失败');
    unchanged();
    expect(fs.existsSync(run.imagesDir)).toBe(false); // it failed before any cover was written
  });

  it('a drifted envelope is a contract error naming the JSON path; the old cache stays', async () => {
    fake.setEnvelopeDrift('models-object');
    const run = options();
    const unchanged = await withOldCache(run);
    const error = await failure(runTopLoras({ config: configFor(fake), log: silent }, run));
    expect(error.message).toContain('契约错误');
    expect(error.message).toContain('Data.Model.Models: Invalid input: expected array');
    expect(error.hint).toContain('ingest inspect --source modelscope');
    unchanged();
  });

  it('reuses a cache younger than 10 minutes, refetches an older one or with --force-refresh', async () => {
    const t0 = new Date('2025-11-10T08:00:00Z');
    const at = (minutes: number) => () => new Date(t0.getTime() + minutes * 60_000);
    const first = options({ forceRefresh: false, covers: false, now: at(0) });
    const fresh = await runTopLoras({ config: configFor(fake), log: silent }, first);
    expect(fresh.reused).toBe(false);
    expect((await readCache(first.cacheFile))!.cachedAt).toEqual(t0);
    fake.clearRequests();

    const again = await runTopLoras({ config: configFor(fake), log: silent }, { ...first, now: at(9) });
    expect(again.reused).toBe(true);
    expect(again.results.map((r) => r.id)).toEqual(fresh.results.map((r) => r.id));
    expect(fake.requests).toHaveLength(0);
    const fewer = await runTopLoras({ config: configFor(fake), log: silent }, { ...first, limit: 5, now: at(9) });
    expect(fewer.reused).toBe(true);
    expect(fewer.results).toHaveLength(5);
    expect(fake.requests).toHaveLength(0);

    const more = await runTopLoras({ config: configFor(fake), log: silent }, { ...first, limit: 25, now: at(9) });
    expect(more.reused).toBe(false); // the fresh cache holds fewer than asked for
    const stale = await runTopLoras({ config: configFor(fake), log: silent }, { ...first, now: at(20) });
    expect(stale.reused).toBe(false);
    const forced = await runTopLoras({ config: configFor(fake), log: silent }, { ...first, forceRefresh: true, now: at(21) });
    expect(forced.reused).toBe(false);
    expect(fake.requests.filter((r) => r.kind === 'models')).toHaveLength(3);
    expect((await readCache(first.cacheFile))!.cachedAt).toEqual(at(21)());
  });
});

describe('covers and the token', () => {
  let guarded: FakeModelScope;
  beforeAll(async () => {
    guarded = await startFakeModelScope({ seed: 7, protectedCoverRate: 0.35, deadCoverRate: 0.15 });
  });
  afterAll(async () => {
    await guarded?.close();
  });

  const expectations = () => {
    const top = guarded.topLoras(TASK).slice(0, 20);
    return {
      live: top.filter((m) => m.cover && !m.cover.dead && !m.cover.protected),
      locked: top.filter((m) => m.cover?.protected),
      dead: top.filter((m) => m.cover?.dead),
    };
  };

  it('without a token: never sends credentials; protected and dead covers end as cover_local null', async () => {
    const { live, locked, dead } = expectations();
    expect(locked.length).toBeGreaterThan(0);
    expect(dead.length).toBeGreaterThan(0);
    guarded.clearRequests();
    const result = await runTopLoras({ config: configFor(guarded), log: silent }, options());
    const byId = new Map(result.results.map((r) => [r.id, r]));
    for (const m of live) expect(byId.get(m.id)!.cover_local, m.id).not.toBeNull();
    for (const m of [...locked, ...dead]) expect(byId.get(m.id)!.cover_local, m.id).toBeNull();
    expect(guarded.requests.every((r) => r.authorization === null)).toBe(true);
    expect(result.covers.filter((c) => c.authenticatedRetry)).toEqual([]);
    expect(result.covers.find((c) => c.id === locked[0]!.id)!.error).toBe('HTTP 403');
  });

  it('with a token: one authenticated retry only for covers whose direct download failed', async () => {
    const { live, locked, dead } = expectations();
    guarded.clearRequests();
    const logs: string[] = [];
    const log = pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) });
    const result = await runTopLoras({ config: configFor(guarded, { MODELSCOPE_API_TOKEN: guarded.token }), log }, options());
    const byId = new Map(result.results.map((r) => [r.id, r]));
    for (const m of [...live, ...locked]) expect(byId.get(m.id)!.cover_local, m.id).not.toBeNull();
    for (const m of dead) expect(byId.get(m.id)!.cover_local, m.id).toBeNull();
    const coverRequests = (m: (typeof live)[number]) => guarded.requests.filter((r) => r.path === m.cover!.path).map((r) => r.auth);
    for (const m of live) expect(coverRequests(m), m.id).toEqual(['none']);
    for (const m of locked) expect(coverRequests(m), m.id).toEqual(['none', 'valid']);
    for (const m of dead) expect(coverRequests(m), m.id).toEqual(['none', 'valid']);
    // The model search itself is open: the token never went there.
    expect(guarded.requests.filter((r) => r.kind === 'models').every((r) => r.auth === 'none')).toBe(true);
    expect(result.covers.filter((c) => c.authenticatedRetry).map((c) => c.id).sort()).toEqual([...locked, ...dead].map((m) => m.id).sort());
    expect(logs.join('\n')).not.toContain(guarded.token);
    expect(JSON.stringify(result)).not.toContain(guarded.token);
  });
});
