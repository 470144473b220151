// The like endpoint under load on loopback: POST/DELETE /api/artworks/:id/like through the built server
// (src/server/serve.ts: the build's API route table, Astro's request/response conversion), from 200
// signed-in users over 64 connections (autocannon), against two baselines measured in the same run, each
// in its own process:
//   bare node:http + the same route code (the middleware's edge work, then the route function itself: session,
//     rate limits, Store, cache; no build, no Astro)                             → the server's own cost
//   bare node:http answering a constant JSON body                                → the ceiling of Node
// Prints requests/s, p99 latency and the ratios (targets: ≥ 0.8× the bare like server's requests/s, p99 ≤ 1.5×
// its p99). Rounds interleave so drift in machine load hits every side alike; the best round of each counts.
// It also prints each server's CPU time per request over all rounds (from /proc: user + system), which does
// not depend on how a loaded machine shares its cores the way requests/s and p99 do.
//   node bench/community-like.ts [--database mysql://root@127.0.0.1:3306/test] [--redis redis://127.0.0.1:6379]
//                                [--seconds 8] [--rounds 3] [--connections 64] [--dist DIR (a build to reuse)]
//                                [--cpu-prof DIR (V8 CPU profiles of the built server and the bare like server)]
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { SessionManager } from '../src/server/auth/sessions.ts';
import { parseDatabaseUrl, type DatabaseConfig } from '../src/core/env.ts';
import { createStore, migrationsDir, openMigratedStore } from '../src/core/store/create-store.ts';
import { REPO_ROOT, buildSite, makeWorkDir, startServer } from '../tests/browser/harness.ts';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values } = parseArgs({
  options: {
    database: { type: 'string' },
    redis: { type: 'string' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '64' },
    users: { type: 'string', default: '200' },
    dist: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const userCount = Number(values.users);

const work = await makeWorkDir('huaku-bench-like-');
const children: ChildProcess[] = [];
let dropDatabase: (() => Promise<void>) | undefined;
const redisPrefix = values.redis ? `huaku-bench-${Date.now().toString(36)}:` : '';
try {
  // A database of its own: a SQLite file, or a fresh database on the given MySQL/MariaDB server.
  let database: DatabaseConfig;
  if (values.database) {
    const admin = await mysql.createConnection({ uri: values.database });
    const name = `huaku_bench_${Date.now().toString(36)}`;
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const url = new URL(values.database);
    url.pathname = `/${name}`;
    database = parseDatabaseUrl(url.toString())!;
    dropDatabase = async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    };
    const store = await createStore(database);
    await store.migrate(migrationsDir('mysql'));
    await store.close();
  } else {
    database = { kind: 'sqlite', file: path.join(work.dir, 'bench.db') };
  }
  const store = await openMigratedStore(database);
  const sessions = new SessionManager(store);
  const artwork = await store.works.upsert({ source: 'community', externalId: 'bench', slug: 'bench', title: '压测作品', publishedAt: new Date() });
  const cookies: string[] = [];
  for (let i = 0; i < userCount; i++) {
    const user = await store.users.create({ username: `bench_${i}`, name: `压测 ${i}` });
    cookies.push(`huaku_session=${(await sessions.create(user.id)).token}`);
  }
  await store.close();

  const env: Record<string, string> = {
    DATABASE_URL: database.kind === 'sqlite' ? `sqlite:${database.file}` : database.url,
    REDIS_URL: values.redis ?? '',
    REDIS_KEY_PREFIX: redisPrefix,
    BLOB_LOCAL_DIR: path.join(work.dir, 'blobs'),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    // The limits count on both sides (the real endpoint always counts them), set high enough that the load
    // (200 users behind one address) is never refused.
    RATE_LIMIT_WRITE: '100000000/1m',
    RATE_LIMIT_IP: '100000000/1m',
  };
  let built: { outDir: string };
  if (values.dist) {
    built = { outDir: path.resolve(values.dist) };
  } else {
    process.stdout.write('building the site… ');
    const fresh = await buildSite({ outDir: path.join(work.dir, 'dist'), cacheDir: path.join(work.dir, 'cache'), env: { SNAPSHOT_DIR: path.join(work.dir, 'none') } });
    console.log(`${fresh.ms} ms`);
    built = fresh;
  }
  // Profiles are written when a server exits normally (both stop on SIGTERM).
  const profiled: Record<string, string> = values['cpu-prof'] ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${path.resolve(values['cpu-prof'])}` } : {};
  const astro = await startServer({ outDir: built.outDir, cwd: work.dir, env: { ...env, ...profiled } });
  const bare = async (mode: 'like' | 'hello') => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bench/bare-like-server.ts'), mode], {
      cwd: work.dir,
      env: { ...process.env, ...env, ...(mode === 'like' ? profiled : {}) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const port = await new Promise<string>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    return { url: `http://127.0.0.1:${port}`, pid: child.pid };
  };
  const bareLike = await bare('like');
  const bareHello = await bare('hello');
  const targets = { astro: astro.url, bareLike: bareLike.url, bareHello: bareHello.url };
  const pids: Record<keyof typeof targets, number | undefined> = { astro: astro.pid, bareLike: bareLike.pid, bareHello: bareHello.pid };
  // CPU seconds (user + system) a process has used so far: fields 14 and 15 of /proc/PID/stat, in clock ticks.
  const cpuSeconds = (pid: number | undefined): number => {
    if (pid === undefined) return NaN;
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return NaN; // not Linux
    }
  };

  const load = (base: string) => {
    let n = 0;
    const request = (method: 'POST' | 'DELETE') => ({
      method,
      path: `/api/artworks/${artwork.id}/like`,
      setupRequest: (req: { headers: Record<string, string> }) => {
        req.headers = { ...req.headers, cookie: cookies[n++ % cookies.length]!, origin: base, 'content-type': 'application/json' };
        return req;
      },
      body: '{}',
    });
    return autocannon({ url: base, connections, duration: seconds, requests: [request('POST'), request('DELETE')] });
  };
  for (const name of ['astro', 'bareLike'] as const) {
    // Warm-up (JIT, connection pools, caches), and a check that every side answers.
    const result = await load(targets[name]);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name} (warm-up): ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  // What each server spends with no request at all (job pollers, cache refreshes): at a few dozen requests/s
  // on a loaded machine it weighs on the CPU per request.
  const idleSeconds = 3;
  const idleBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const idle = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, ((cpuSeconds(pid) - idleBefore[name]!) * 1000) / idleSeconds])) as Record<keyof typeof targets, number>;
  const best: Record<keyof typeof targets, AutocannonResult | undefined> = { astro: undefined, bareLike: undefined, bareHello: undefined };
  const names = Object.keys(targets) as Array<keyof typeof targets>;
  const cpu = Object.fromEntries(names.map((name) => [name, { seconds: 0, requests: 0 }])) as Record<keyof typeof targets, { seconds: number; requests: number }>;
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round, so no side always runs right after another's load.
    for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
      const before = cpuSeconds(pids[name]);
      const result = await load(targets[name]);
      cpu[name].seconds += cpuSeconds(pids[name]) - before;
      cpu[name].requests += result.requests.total;
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
      if (!best[name] || result.requests.average > best[name]!.requests.average) best[name] = result;
    }
  }
  const cpuPerRequest = (name: keyof typeof targets) => (cpu[name].seconds * 1000) / cpu[name].requests;
  const row = (label: string, r: AutocannonResult, name: keyof typeof targets) =>
    `${label.padEnd(44)} ${String(Math.round(r.requests.average)).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(3)} ms   p99 ${String(r.latency.p99).padStart(3)} ms   CPU ${cpuPerRequest(name).toFixed(3)} ms/request`;
  const backendName = `${database.kind === 'sqlite' ? 'SQLite' : 'MariaDB/MySQL'}${values.redis ? ' + Redis' : ', no Redis'}`;
  console.log(`\nlike endpoint, ${backendName}, ${connections} connections, ${seconds} s × ${rounds} rounds (best round each), ${userCount} users`);
  console.log(row('built server: POST/DELETE /api/artworks/:id/like', best.astro!, 'astro'));
  console.log(row('bare node:http + the same route code', best.bareLike!, 'bareLike'));
  console.log(row('bare node:http, constant JSON', best.bareHello!, 'bareHello'));
  const ratio = (a: AutocannonResult, b: AutocannonResult) => (a.requests.average / b.requests.average).toFixed(2);
  console.log(`\nratio built server ÷ bare node:http + same route code: ${ratio(best.astro!, best.bareLike!)}   (target ≥ 0.8)`);
  console.log(`ratio built server ÷ bare node:http constant JSON:    ${ratio(best.astro!, best.bareHello!)}`);
  const p99Ratio = (best.astro!.latency.p99 / Math.max(1, best.bareLike!.latency.p99)).toFixed(2);
  console.log(`CPU per request, built server ÷ bare node:http + same route code: ${(cpuPerRequest('astro') / cpuPerRequest('bareLike')).toFixed(2)}   (all rounds)`);
  console.log(`idle CPU: built server ${idle.astro.toFixed(1)} ms/s, bare like server ${idle.bareLike.toFixed(1)} ms/s (${idleSeconds} s without requests)`);
  console.log(`p99 of the built server's like endpoint: ${best.astro!.latency.p99} ms = ${p99Ratio}× the bare like server's ${best.bareLike!.latency.p99} ms   (target ≤ 1.5×)`);
  await astro.stop();
} finally {
  // Wait for the bare servers to stop (their job workers poll the database) before dropping the database.
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))))));
  await dropDatabase?.();
  if (values.redis && redisPrefix) {
    const redis = new Redis(values.redis);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
  await work.cleanup();
}
