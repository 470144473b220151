// Services failing under load: MariaDB going away mid-request and mid-crawl (through a TCP proxy the test
// cuts: the shared server keeps running for everyone else), SQLite refusing writes (read-only, locked,
// full), s3rver dying mid-upload, and a full disk under the blob directory (an fs boundary that fills up:
// mounting a tiny tmpfs needs privileges CI may not have). Each time: a 503 with Retry-After or a clear error naming what to fix, nothing half-written,
// and the next request or run completes once the service is back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLiblib, type FakeLiblib } from '../../../fakes/liblib/server.ts';
import { runCli } from '../../../ingest/testing/run-cli.ts';
import { LocalBlobStore } from '../../core/blob/local-blob-store.ts';
import { S3BlobStore } from '../../core/blob/s3-blob-store.ts';
import { loadConfig, parseDatabaseUrl } from '../../core/env.ts';
import { DatabaseUnavailableError, ServiceUnavailableError } from '../../core/errors.ts';
import { isDatabaseUnavailable } from '../../core/store/driver-errors.ts';
import { createLogger } from '../../core/log.ts';
import { createStore, migrationsDir } from '../../core/store/create-store.ts';
import { fullDisk } from '../../core/testing/full-disk.ts';
import { createTestDatabase, mysqlAvailability, type MysqlDatabaseConfig } from '../../core/testing/mysql.ts';
import { startTcpProxy, type TcpProxy } from '../../core/testing/net.ts';
import { s3TestConfig, startS3rver } from '../../core/testing/s3rver.ts';
import { serviceGate } from '../../core/testing/services.ts';
import { apiErrorFrom } from './api-error.ts';
import { reactionRoutes } from './reaction-routes.ts';
import { testServices } from '../testing/community.ts';
import { createServerServices, type ServerServices } from '../start-up.ts';

const mysql = await mysqlAvailability();
const withMariaDb = serviceGate('MariaDB (fault tests through a TCP proxy)', mysql);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-faults-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const like = reactionRoutes('like');
/** POST /api/artworks/:id/like as the route sees it (same-site, session cookie), without a build. */
function likeRequest(services: ServerServices, token: string, id: number): Promise<Response> {
  const url = new URL(`http://127.0.0.1/api/artworks/${id}/like`);
  const request = new Request(url, { method: 'POST', headers: { cookie: `huaku_session=${token}`, origin: url.origin } });
  return like.POST({ request, url, params: { id: String(id) }, clientAddress: '127.0.0.1', locals: { services } });
}

async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  const body = await response.text();
  expect(JSON.parse(body).error.code).toBe('service_unavailable');
  expect(body).not.toMatch(/\/tmp|127\.0\.0\.1|SQLITE|ECONN|huaku_/); // no paths, hosts or driver errors
}

async function userAndWork(services: ServerServices): Promise<{ token: string; id: number }> {
  const user = await services.store.users.create({ username: `fault_${Date.now().toString(36)}`, name: '故障' });
  const { token } = await services.sessions.create(user.id);
  const work = await services.store.works.upsert({ source: 'community', externalId: `fault-${user.id}`, slug: 'fault', title: '故障', publishedAt: new Date() });
  return { token, id: work.id };
}

/** The MySQL database's URL with host and port replaced by the proxy's. */
function throughProxy(target: MysqlDatabaseConfig, proxy: TcpProxy): string {
  const url = new URL(target.url);
  url.hostname = proxy.host;
  url.port = String(proxy.port);
  return url.toString();
}

describe('SQLite refusing writes', () => {
  it('classifies the driver\'s read-only, locked and full errors as unavailable, constraint errors not', async () => {
    const services = await testServices({}, { startWorkers: false });
    try {
      // A real SQLITE_READONLY from the driver (a read-only connection: running as root, file modes would not stop us).
      const readOnly = new Database(path.join(services.dir, 'huaku.db'), { readonly: true });
      const failure = (sql: string) => {
        try {
          readOnly.exec(sql);
        } catch (error) {
          return error;
        }
        throw new Error(`${sql} did not fail`);
      };
      const readonlyError = failure("insert into users (username, name) values ('ro', 'ro')");
      expect((readonlyError as { code: string }).code).toBe('SQLITE_READONLY');
      expect(isDatabaseUnavailable('sqlite', readonlyError)).toBe(true);
      // As drizzle wraps it (DrizzleQueryError: the driver's error is the cause).
      expect(isDatabaseUnavailable('sqlite', new Error('Failed query: insert …', { cause: readonlyError }))).toBe(true);
      for (const code of ['SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_CANTOPEN', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY_DBMOVED']) {
        expect(isDatabaseUnavailable('sqlite', Object.assign(new Error(code), { code })), code).toBe(true);
      }
      expect(isDatabaseUnavailable('sqlite', Object.assign(new Error('unique'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(false);
      readOnly.close();
      expect(apiErrorFrom(new DatabaseUnavailableError('SQLite', 'read-only'))?.status).toBe(503);
    } finally {
      await services.cleanup();
    }
  });
});

describe.runIf(withMariaDb)('MariaDB going away', () => {
  let db: { target: MysqlDatabaseConfig; drop(): Promise<void> };
  let proxy: TcpProxy;
  beforeAll(async () => {
    db = await createTestDatabase('huaku_faults');
    const store = await createStore(db.target);
    await store.migrate(migrationsDir('mysql'));
    await store.close();
  });
  afterAll(async () => {
    await proxy?.close();
    await db?.drop();
  });

  it('mid-request: 503 with Retry-After while it is gone, 200 once it is back', async () => {
    proxy = await startTcpProxy({ host: db.target.host, port: db.target.port });
    const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_WRITE: 'off', RATE_LIMIT_IP: 'off' }, dir);
    const store = await createStore(parseDatabaseUrl(throughProxy(db.target, proxy))!);
    const blobs = new LocalBlobStore({ driver: 'local', dir: path.join(dir, 'blobs-mysql'), publicBaseUrl: '/media' });
    const services = await createServerServices({ config, store, blobs, log: createLogger(config) }, { startWorkers: false });
    try {
      const { token, id } = await userAndWork(services);
      expect((await likeRequest(services, token, id)).status).toBe(200);
      proxy.cut(); // the pooled connections die under the next request, new ones are refused
      await expectUnavailable(await likeRequest(services, token, id));
      proxy.restore();
      const again = await likeRequest(services, token, id);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ like_count: 1, isLiked: true });
    } finally {
      await services.close();
      await store.close();
      await proxy.close();
    }
  });

  it('mid-crawl: the run stops with a clear error, the next one completes and nothing is lost', async () => {
    const fake: FakeLiblib = await startFakeLiblib({ works: 16, otherWorks: 0, authors: 6, seed: 5, sharedImageRate: 0, deadImageRate: 0 });
    // Cut once the crawl has sent a few statements' worth: after the list, in the middle of the details.
    proxy = await startTcpProxy({ host: db.target.host, port: db.target.port }, { afterBytes: 12_000 });
    const env = (url: string) => ({
      LOG_LEVEL: 'silent', DATABASE_URL: url, LIBLIB_API_BASE: fake.apiBaseUrl, INGEST_RPS: '1000', INGEST_THUMBNAIL_WIDTHS: '320',
      BLOB_LOCAL_DIR: path.join(dir, 'crawl-blobs'), REPORTS_DIR: path.join(dir, 'reports'),
    });
    const args = ['liblib', '--page-size', '8', '--no-authors'];
    try {
      const cut = await runCli(args, { env: env(throughProxy(db.target, proxy)), cwd: dir });
      expect(cut.code, cut.stderr).toBe(1);
      expect(cut.stderr).toMatch(/MySQL: cannot use database huaku_faults_\w+ at 127\.0\.0\.1:\d+/);
      expect(cut.stderr).not.toMatch(/\n\s+at /);
      expect(proxy.upstreamBytes).toBeGreaterThanOrEqual(12_000);

      const resumed = await runCli(args, { env: env(db.target.url), cwd: dir });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(await countRows(db.target, "select count(*) as n from works where source = 'liblib'")).toBe(16);
      expect(await countRows(db.target, "select count(*) as n from crawl_ledger where status <> 'done'")).toBe(0);
    } finally {
      await fake.close();
    }
  });
});

async function countRows(target: MysqlDatabaseConfig, sql: string): Promise<number> {
  const { default: mysql2 } = await import('mysql2/promise');
  const connection = await mysql2.createConnection({ uri: target.url });
  try {
    const [rows] = await connection.query(sql);
    return Number((rows as Array<{ n: number }>)[0]!.n);
  } finally {
    await connection.end();
  }
}

describe('blob stores failing mid-write', () => {
  it('s3rver dying mid-upload: a clear ServiceUnavailableError (503), no object, the next put completes', async () => {
    const s3 = await startS3rver();
    if ('error' in s3) throw s3.error;
    const bytes = Buffer.alloc(2 * 1024 * 1024, 7);
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) }, { afterBytes: 256 * 1024 });
    const blobs = new S3BlobStore(s3TestConfig(`http://127.0.0.1:${proxy.port}`, 'faults'));
    try {
      await blobs.ensureBucket();
      const error = await blobs.put('uploads/big.bin', bytes).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((error as Error).message).toContain('cannot connect');
      expect(apiErrorFrom(error)?.status).toBe(503);
      proxy.restore();
      // s3rver keeps the truncated body it received (S3 itself refuses a body shorter than its
      // Content-Length); either way no image row points at it until a put succeeds, and the next put
      // replaces it whole.
      await blobs.put('uploads/big.bin', bytes);
      const object = await blobs.get('uploads/big.bin');
      const chunks: Buffer[] = [];
      for await (const chunk of object!.body as AsyncIterable<Buffer>) chunks.push(chunk);
      const stored = Buffer.concat(chunks);
      expect(stored.equals(bytes)).toBe(true);
    } finally {
      await blobs.close();
      await proxy.close();
      await s3.stop();
    }
  });

  it('a full disk: "no space left" (503), no temp or half file, the next put completes', async () => {
    const root = path.join(dir, 'full-disk');
    const disk = fullDisk(100 * 1024);
    const blobs = new LocalBlobStore({ driver: 'local', dir: root, publicBaseUrl: '/media' }, { openWriteStream: disk.openWriteStream });
    const bytes = Buffer.alloc(300 * 1024, 1);
    const error = await blobs.put('uploads/a.bin', bytes).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toContain('no space left on the disk');
    expect(apiErrorFrom(error)?.status).toBe(503);
    expect(await blobs.head('uploads/a.bin')).toBeNull();
    expect(allFiles(root).filter((f) => !f.startsWith('.meta'))).toEqual([]);
    disk.free();
    await blobs.put('uploads/a.bin', bytes);
    expect((await blobs.head('uploads/a.bin'))?.size).toBe(bytes.length);
  });
});

/** Every file under `root`, dot-files (temp files) included. */
function allFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}
