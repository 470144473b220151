// Failures as answers, against the built server (the site project's empty build; no build of its own):
// malformed input is a 400 or 404, never a 500; with the database gone (a TCP proxy in front of MariaDB,
// cut by the test) the API and the on-demand pages answer 503 with Retry-After, /api/health names the
// part that failed without paths or driver messages, and /media keeps serving published files.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/core/blob/local-blob-store.ts';
import { SessionManager } from '../../src/server/auth/sessions.ts';
import { createStore, migrationsDir } from '../../src/core/store/create-store.ts';
import { createTestDatabase, mysqlAvailability, type MysqlDatabaseConfig } from '../../src/core/testing/mysql.ts';
import { startTcpProxy, type TcpProxy } from '../../src/core/testing/net.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { makeWorkDir, startServer, type RunningServer } from '../browser/harness.ts';
import { site } from '../browser/site.ts';

const enabled = serviceGate('MariaDB (database outage through a TCP proxy)', await mysqlAvailability());

describe.runIf(enabled)('the built server with its database going away', () => {
  let work: { dir: string; cleanup(): Promise<void> };
  let db: { target: MysqlDatabaseConfig; drop(): Promise<void> };
  let proxy: TcpProxy;
  let server: RunningServer;
  let artwork: { id: number; slug: string };
  let token = '';
  const image = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  const get = (pathname: string, headers: Record<string, string> = {}) => fetch(`${server.url}${pathname}`, { headers, redirect: 'manual' });

  beforeAll(async () => {
    work = await makeWorkDir('huaku-unavailable-');
    db = await createTestDatabase('huaku_unavailable');
    const store = await createStore(db.target);
    await store.migrate(migrationsDir('mysql'));
    const saved = await store.works.upsert({ source: 'community', externalId: 'u1', slug: '汽车', title: '汽车', publishedAt: new Date() });
    artwork = { id: saved.id, slug: saved.slug };
    const user = await store.users.create({ username: 'outage', name: '停机' });
    token = (await new SessionManager(store).create(user.id)).token;
    await store.close();
    const blobDir = path.join(work.dir, 'blobs');
    await new LocalBlobStore({ driver: 'local', dir: blobDir, publicBaseUrl: '/media' }).put('works/a.png', image, { contentType: 'image/png' });
    proxy = await startTcpProxy({ host: db.target.host, port: db.target.port });
    const url = new URL(db.target.url);
    url.hostname = proxy.host;
    url.port = String(proxy.port);
    server = await startServer({
      outDir: site().emptyOutDir,
      cwd: work.dir,
      env: { DATABASE_URL: url.toString(), BLOB_DRIVER: 'local', BLOB_LOCAL_DIR: blobDir, MEDIA_BASE_URL: '/media', LOG_LEVEL: 'fatal', REDIS_URL: '' },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await db?.drop();
    await work?.cleanup();
  });

  it('malformed input is a 400 or a 404, never a 500', async () => {
    const cases: Array<[string, Record<string, string>, number[]]> = [
      [`/artwork/${artwork.id}/%E0%A4`, {}, [400]], // malformed percent-encoding in the path
      [`/artwork/${artwork.id}/%25E0%25A4`, {}, [301]], // decodes to a malformed slug: not this work's slug
      [`/artwork/99999999999999999999/x`, {}, [404]],
      ['/media/%E0%A4%A', {}, [400]],
      ['/media/works/..%2F..%2Fetc%2Fpasswd', {}, [400, 404]],
      ['/api/artworks/abc', {}, [404]],
      ['/api/feed?limit=-5&cursor=%ZZ', {}, [400]],
      ['/api/auth/me', { cookie: 'huaku_session=%E0%A4%A' }, [200, 401]],
    ];
    for (const [pathname, headers, statuses] of cases) {
      const response = await get(pathname, headers);
      await response.body?.cancel();
      expect(statuses, `${pathname} → ${response.status}`).toContain(response.status);
    }
  });

  it('database gone: 503 with Retry-After, health names the database, /media still serves', async () => {
    expect((await get('/api/health')).status).toBe(200);
    proxy.cut();
    try {
      const health = await get('/api/health');
      const text = await health.text();
      expect(health.status).toBe(503);
      expect(Number(health.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(JSON.parse(text)).toMatchObject({ status: 'down', database: { ok: false, problem: 'unavailable' }, blobs: { ok: true } });
      expect(text).not.toMatch(/\/tmp|127\.0\.0\.1|huaku_unavailable|ECONN|Error/);

      const like = await fetch(`${server.url}/api/artworks/${artwork.id}/like`, { method: 'POST', headers: { origin: server.url, cookie: `huaku_session=${token}` } });
      expect(like.status).toBe(503);
      expect(Number(like.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await like.json()).toMatchObject({ error: { code: 'service_unavailable' } });

      const page = await get(`/artwork/${artwork.id}/${encodeURIComponent(artwork.slug)}`);
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).not.toBeNull();
      expect(await page.text()).toContain('服务暂时不可用');

      const media = await get('/media/works/a.png');
      expect(media.status).toBe(200);
      expect(Buffer.from(await media.arrayBuffer()).equals(image)).toBe(true);
    } finally {
      proxy.restore();
    }
    const back = await get('/api/health');
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({ status: 'ok', database: { ok: true, dialect: 'mysql' } });
  });
});
