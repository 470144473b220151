// The community server under test: one `astro build` per test file, then the built Node server started
// per backend (SQLite without Redis; MariaDB + Redis), the fake Google provider beside it, and a small
// HTTP client that behaves like a same-site browser (Origin header on writes, cookie or Bearer session),
// and a reverse proxy on loopback with clients of distinct addresses (the trusted-proxy tests).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startFakeA1111, type FakeA1111 } from '../../fakes/a1111/server.ts';
import { startFakeGoogle, type FakeGoogle } from '../../fakes/google-oauth/server.ts';
import { startFakeModelScopeInference, type FakeModelScopeInference } from '../../fakes/modelscope-inference/server.ts';
import { SessionManager } from '../../src/server/auth/sessions.ts';
import { hashPassword } from '../../src/server/auth/password.ts';
import type { DatabaseConfig } from '../../src/core/env.ts';
import { createStore, migrationsDir, openMigratedStore, type MigratableStore } from '../../src/core/store/create-store.ts';
import type { User } from '../../src/core/store/store.ts';
import { createTestDatabase, mysqlAvailability } from '../../src/core/testing/mysql.ts';
import { redisAvailability, testRedisPrefix } from '../../src/server/testing/community.ts';
import { testConfig } from '../../src/core/testing/services.ts';
import { freePort, startServer, type RunningServer } from '../browser/harness.ts';

const GOOGLE_CLIENT = { id: 'huaku-test-client', secret: 'huaku-test-secret' };

export interface Backend {
  name: string;
  database: DatabaseConfig;
  redisUrl: string | undefined;
  redisPrefix: string;
  cleanup(): Promise<void>;
}

export async function sqliteBackend(dir: string, name = 'huaku.db'): Promise<Backend> {
  const database: DatabaseConfig = { kind: 'sqlite', file: path.join(dir, name) };
  await (await openMigratedStore(database)).close();
  return { name: 'SQLite, no Redis', database, redisUrl: undefined, redisPrefix: '', cleanup: async () => {} };
}

export async function mysqlBackend(redisUrl: string | undefined = testConfig.testing.redisUrl): Promise<Backend> {
  const db = await createTestDatabase('huaku_community');
  const store = await createStore(db.target);
  await store.migrate(migrationsDir('mysql'));
  await store.close();
  return { name: 'MariaDB + Redis', database: db.target, redisUrl, redisPrefix: testRedisPrefix(), cleanup: () => db.drop() };
}

export async function servicesAvailable(): Promise<{ mysql: boolean; redis: boolean; reason: string }> {
  const [mysql, redis] = await Promise.all([mysqlAvailability(), redisAvailability()]);
  return { mysql: mysql.available, redis: redis.available, reason: [mysql.reason, redis.reason].filter(Boolean).join('; ') };
}

export interface CommunityServer {
  url: string;
  server: RunningServer;
  google: FakeGoogle;
  /** The offline ModelScope API-Inference the server's generation jobs run on. */
  inference: FakeModelScopeInference;
  /** The fake A1111, tried before API-Inference, when started with `generation: true`. */
  a1111: FakeA1111 | undefined;
  store: MigratableStore;
  blobDir: string;
  backend: Backend;
  env: Record<string, string>;
  /** A user made directly in the database, with a session token (fast: no HTTP, no password). */
  user(name: string, options?: { password?: string }): Promise<{ user: User; token: string; client: Client }>;
  client(token?: string): Client;
  stop(): Promise<void>;
}

export async function startCommunityServer(options: {
  outDir: string;
  dir: string;
  backend: Backend;
  env?: Record<string, string>;
  /** Also start the fake A1111 and try it first (API-Inference's task polling waits 2 s; A1111 answers at once). */
  generation?: boolean;
}): Promise<CommunityServer> {
  const { backend } = options;
  const google = await startFakeGoogle({ clientId: GOOGLE_CLIENT.id, clientSecret: GOOGLE_CLIENT.secret });
  const inference = await startFakeModelScopeInference({ stepMs: 1, progressSteps: 2 });
  const a1111 = options.generation ? await startFakeA1111({ stepMs: 5, progressSteps: 4 }) : undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const blobDir = path.join(options.dir, `blobs-${port}`);
  const env: Record<string, string> = {
    DATABASE_URL: backend.database.kind === 'sqlite' ? `sqlite:${backend.database.file}` : backend.database.url,
    BLOB_DRIVER: 'local',
    BLOB_LOCAL_DIR: blobDir,
    MEDIA_BASE_URL: '/media',
    REDIS_URL: backend.redisUrl ?? '',
    REDIS_KEY_PREFIX: backend.redisPrefix,
    LOG_LEVEL: 'warn',
    GOOGLE_CLIENT_ID: GOOGLE_CLIENT.id,
    GOOGLE_CLIENT_SECRET: GOOGLE_CLIENT.secret,
    GOOGLE_AUTH_URL: google.authUrl,
    GOOGLE_TOKEN_URL: google.tokenUrl,
    GOOGLE_JWKS_URL: google.jwksUrl,
    GOOGLE_REDIRECT_URI: `${url}/api/auth/google/callback`,
    RATE_LIMIT_LOGIN: '1000/1m',
    RATE_LIMIT_UPLOAD: '1000/1h',
    RATE_LIMIT_WRITE: '100000/1m',
    RATE_LIMIT_IP: '100000/1m',
    UPLOAD_MAX_MB: '2',
    VIDEO_MAX_MB: '2',
    GENERATION_PROVIDERS: 'modelscope',
    MODELSCOPE_INFERENCE_BASE: inference.baseUrl,
    MODELSCOPE_API_TOKEN: inference.token,
    RATE_LIMIT_GENERATE: '1000/1m',
    ...(a1111 ? { GENERATION_PROVIDERS: 'a1111,modelscope', A1111_BASE_URL: a1111.baseUrl } : {}),
    ...options.env,
  };
  const server = await startServer({ outDir: options.outDir, cwd: options.dir, env, port });
  const store = await createStore(backend.database);
  const sessions = new SessionManager(store);
  const client = (token?: string) => new Client(url, token);
  return {
    url,
    server,
    google,
    inference,
    a1111,
    store,
    blobDir,
    backend,
    env,
    client,
    async user(name, userOptions = {}) {
      const user = await store.users.create({
        username: name.toLowerCase(),
        name,
        passwordHash: userOptions.password ? await hashPassword(userOptions.password) : null,
      });
      const { token } = await sessions.create(user.id);
      return { user, token, client: client(token) };
    },
    async stop() {
      await server.stop();
      await google.close();
      await inference.close();
      await a1111?.close();
      await store.close();
    },
  };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
  cookies: string[];
}

/** A same-site browser: sends the session as a cookie (or Bearer), and Origin on every write. */
export class Client {
  readonly base: string;
  token: string | undefined;
  bearer = false;
  extraCookies = '';

  constructor(base: string, token?: string) {
    this.base = base;
    this.token = token;
  }

  async request<T = any>(
    method: string,
    pathname: string,
    options: { json?: unknown; form?: Record<string, string>; multipart?: FormData; headers?: Record<string, string>; redirect?: RequestRedirect } = {},
  ): Promise<Reply<T>> {
    const headers = new Headers(options.headers);
    if (!['GET', 'HEAD'].includes(method) && !headers.has('origin')) headers.set('origin', this.base);
    const cookies = [this.token && !this.bearer ? `huaku_session=${this.token}` : '', this.extraCookies].filter(Boolean).join('; ');
    if (cookies) headers.set('cookie', cookies);
    if (this.token && this.bearer) headers.set('authorization', `Bearer ${this.token}`);
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(options.json);
    } else if (options.form) {
      body = new URLSearchParams(options.form);
    } else if (options.multipart) {
      body = options.multipart;
    }
    const response = await fetch(new URL(pathname, this.base), { method, headers, body, redirect: options.redirect ?? 'manual' });
    const text = await response.text();
    let parsed: unknown = text;
    if (response.headers.get('content-type')?.includes('application/json')) parsed = text ? JSON.parse(text) : null;
    return { status: response.status, body: parsed as T, headers: response.headers, cookies: response.headers.getSetCookie() };
  }

  get<T = any>(pathname: string) {
    return this.request<T>('GET', pathname);
  }
  post<T = any>(pathname: string, json: unknown = {}) {
    return this.request<T>('POST', pathname, { json });
  }
  delete<T = any>(pathname: string) {
    return this.request<T>('DELETE', pathname, { json: {} });
  }
  put<T = any>(pathname: string, json: unknown = {}) {
    return this.request<T>('PUT', pathname, { json });
  }
  upload<T = any>(file: Uint8Array, fields: Record<string, string> = {}, filename = 'image.png', type = 'image/png') {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(file)], { type }), filename);
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    return this.request<T>('POST', '/api/artworks/upload', { multipart: form });
  }
}

/** The session token a Set-Cookie list carries, if any. */
export function sessionFrom(cookies: string[]): string | undefined {
  const cookie = cookies.find((c) => c.startsWith('huaku_session=') && !c.startsWith('huaku_session=;'));
  return cookie ? decodeURIComponent(cookie.split(';')[0]!.slice('huaku_session='.length)) : undefined;
}

/** Every file under `dir` (relative paths), without sidecar metadata. */
export function listFiles(dir: string, root = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.')) return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full, root) : [path.relative(root, full)];
  });
}

/** A throwaway redis-server on a free port (for the outage test: stopping the shared one would hurt others). */
export async function startRedisServer(port?: number): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const chosen = port ?? (await freePort());
  const child: ChildProcess = spawn('redis-server', ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${chosen}`;
  const deadline = Date.now() + 5000;
  const { pingRedis } = await import('../../src/server/cache/ping-redis.ts');
  for (;;) {
    try {
      await pingRedis(url, 300);
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    port: chosen,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A reverse proxy on loopback, as nginx would be configured in front of the server: it connects to the
 * server from `localAddress` (a loopback address of its own, e.g. 127.0.0.2, so the server can tell it
 * from direct clients), appends the client's address to X-Forwarded-For and states the public protocol
 * and host it terminated (X-Forwarded-Proto/-Host, overwritten; or RFC 7239 Forwarded, appended).
 */
export async function startReverseProxy(options: {
  target: string;
  localAddress: string;
  proto: 'http' | 'https';
  host: string;
  headers?: 'x-forwarded' | 'forwarded';
}): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(options.target);
  const server = http.createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? '';
    const headers = { ...req.headers, host: target.host };
    if (options.headers === 'forwarded') {
      const element = `for=${peer.includes(':') ? `"[${peer}]"` : peer};proto=${options.proto};host=${options.host}`;
      headers.forwarded = [req.headers.forwarded, element].filter(Boolean).join(', ');
    } else {
      headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], peer].filter(Boolean).join(', ');
      headers['x-forwarded-proto'] = options.proto;
      headers['x-forwarded-host'] = options.host;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers, localAddress: options.localAddress },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One HTTP request from a chosen local (loopback) address: a client with an address of its own. */
export function sendFrom(
  localAddress: string,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers, localAddress, agent: false }, (reply) => {
      let body = '';
      reply.setEncoding('utf8');
      reply.on('data', (chunk: string) => (body += chunk));
      reply.on('end', () => resolve({ status: reply.statusCode ?? 0, headers: reply.headers, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
