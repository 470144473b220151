// The community server end to end: the real `astro build` output on the Node adapter, on SQLite without
// Redis and on MariaDB + Redis (CI), against the fake Google provider. Login flows, session expiry and
// sliding, an authorization matrix over every route, idempotency, 1,000 concurrent like/unlike requests,
// hostile uploads, freshness of a newly published work, CSRF and rate limits, and Redis stopping mid-test.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSnapshot } from '../../ingest/snapshot/write-snapshot.ts';
import { sessionIdFromToken } from '../../src/server/auth/sessions.ts';
import { LocalBlobStore } from '../../src/core/blob/local-blob-store.ts';
import { hotScore } from '../../src/core/domain/hot-score.ts';
import { iterateSnapshotWorkChunks } from '../../src/core/snapshot/read-snapshot.ts';
import { testImage } from '../../src/server/testing/community.ts';
import { hostileUploads } from '../../src/server/testing/hostile-uploads.ts';
import { fakeVideo } from '../../fakes/shared/videos.ts';
import { TEST_FF_ENV } from '../../src/core/testing/ff-binaries.ts';
import { serviceGate } from '../../src/core/testing/services.ts';
import { Redis } from 'ioredis';
import { REPO_ROOT, makeWorkDir, run } from '../browser/harness.ts';
import { RunProgress } from '../../ingest/progress/progress-model.ts';
import { runCli as runCliInProcess } from '../../ingest/testing/run-cli.ts';
import { site } from '../browser/site.ts';
import {
  Client, listFiles, mysqlBackend, servicesAvailable, sessionFrom, sqliteBackend, startCommunityServer, startRedisServer,
  type Backend, type CommunityServer,
} from './harness.ts';

const DAY = 86_400_000;
const services = await servicesAvailable();
const mysqlAndRedis = serviceGate('MariaDB + Redis (community server)', {
  available: services.mysql && services.redis,
  reason: services.reason,
});
const redisServerBinary = serviceGate('redis-server binary (Redis outage test)', {
  available: spawnable('redis-server'),
  reason: 'redis-server is not installed (apt-get install -y redis-server)',
});

function spawnable(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, command)));
}

/** `ingest admin …` in process against the backend's database: exit code and output. */
async function adminCommandRun(backend: Backend, args: string[]): Promise<{ code: number | null; out: string }> {
  const DATABASE_URL = backend.database.kind === 'sqlite' ? `sqlite:${backend.database.file}` : backend.database.url;
  const result = await runCliInProcess(['admin', ...args], { env: { DATABASE_URL }, cwd: REPO_ROOT });
  return { code: result.code, out: `${result.stdout}${result.stderr}`.trim() };
}

let work: { dir: string; cleanup: () => Promise<void> };
let outDir: string;

beforeAll(async () => {
  work = await makeWorkDir('huaku-community-');
  // The build over no snapshot, made once by the site project's global setup.
  outDir = site().emptyOutDir;
});
afterAll(async () => {
  await work?.cleanup();
});

/** The API suite, run once per backend. */
function describeCommunity(name: string, enabled: boolean, openBackend: (dir: string) => Promise<Backend>) {
  describe.runIf(enabled)(`community server: ${name}`, () => {
    let server: CommunityServer;
    let backend: Backend;
    let redis: Redis | undefined;
    const key = (k: string) => `${backend.redisPrefix}${k}`;

    beforeAll(async () => {
      backend = await openBackend(work.dir);
      server = await startCommunityServer({ outDir, dir: work.dir, backend });
      if (backend.redisUrl) redis = new Redis(backend.redisUrl);
    });
    afterAll(async () => {
      if (redis) {
        const keys = await redis.keys(`${backend.redisPrefix}*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
      await server?.stop();
      await backend?.cleanup();
    });

    /** A published community artwork of `owner` made through the API (upload + publish). */
    async function published(owner: Client, title = '测试作品'): Promise<{ id: number; slug: string; pageUrl: string }> {
      const up = await owner.upload(await testImage('png', 64, 48), { title });
      expect(up.status, JSON.stringify(up.body)).toBe(201);
      const pub = await owner.post(`/api/artworks/${up.body.artwork_id}/publish`);
      expect(pub.status).toBe(200);
      return { id: up.body.artwork_id, slug: up.body.artwork.slug, pageUrl: pub.body.page_url };
    }

    it('local accounts: register, log in with a secure httpOnly cookie, me, wrong password, logout (one or all)', async () => {
      const anonymous = server.client();
      const registered = await anonymous.post('/api/auth/register', { username: 'Lin_Hua', password: 'pass-word-1', name: '林华' });
      expect(registered.status).toBe(201);
      expect(registered.body.user).toMatchObject({ username: 'lin_hua', name: '林华', has_password: true });
      expect(registered.body.user).not.toHaveProperty('passwordHash');
      expect(registered.cookies[0]).toMatch(/^huaku_session=[a-z2-7]{32}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Expires=.+; Secure$/);
      expect((await anonymous.post('/api/auth/register', { username: 'lin_hua', password: 'another-pass' })).body.error.code).toBe('username_taken');
      expect((await anonymous.post('/api/auth/register', { username: 'x', password: 'short' })).status).toBe(400);

      const wrong = await anonymous.post('/api/auth/login', { username: 'lin_hua', password: 'nope-nope' });
      expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'invalid_credentials', message: '用户名或密码错误' } } });
      expect(wrong.cookies).toEqual([]);
      const unknown = await anonymous.post('/api/auth/login', { username: 'nobody_here', password: 'nope-nope' });
      expect(unknown.body).toEqual(wrong.body); // same answer: usernames are not revealed

      const login = await anonymous.post('/api/auth/login', { username: 'LIN_HUA', password: 'pass-word-1' });
      expect(login.status).toBe(200);
      const token = sessionFrom(login.cookies)!;
      const stored = await server.store.sessions.getWithUser(sessionIdFromToken(token));
      expect(stored?.user.username).toBe('lin_hua'); // only the hash is the key
      const me = await server.client(token).get('/api/auth/me');
      expect(me.body.user).toMatchObject({ username: 'lin_hua', name: '林华' });
      expect((await anonymous.get('/api/auth/me')).body).toMatchObject({ user: null, google_login: true });

      // A form post (no JavaScript) is redirected; a bad one goes back to /login with the reason.
      const form = await anonymous.request('POST', '/api/auth/login', { form: { username: 'lin_hua', password: 'pass-word-1', next: '/upload' } });
      expect(form.status).toBe(303);
      expect(form.headers.get('location')).toBe('/upload');
      expect(sessionFrom(form.cookies)).toBeDefined();
      const badForm = await anonymous.request('POST', '/api/auth/login', { form: { username: 'lin_hua', password: 'x', next: 'https://evil.example/' } });
      expect(badForm.headers.get('location')).toBe('/login?error=credentials');

      // Scripts get the token in the body and use it as a Bearer token.
      const scripted = await anonymous.post('/api/auth/login', { username: 'lin_hua', password: 'pass-word-1', token: true });
      expect(scripted.cookies).toEqual([]);
      const bearer = server.client(scripted.body.token);
      bearer.bearer = true;
      expect((await bearer.get('/api/auth/me')).body.user.username).toBe('lin_hua');

      const out = await server.client(token).post('/api/auth/logout');
      expect(out.status).toBe(200);
      expect(out.cookies[0]).toMatch(/^huaku_session=; .*Max-Age=0/);
      expect((await server.client(token).get('/api/auth/me')).body.user).toBeNull();
      expect((await bearer.get('/api/auth/me')).body.user).not.toBeNull(); // other sessions live on
      await bearer.post('/api/auth/logout', { all: true });
      expect((await bearer.get('/api/auth/me')).body.user).toBeNull();
      expect((await server.client(sessionFrom(form.cookies)).get('/api/auth/me')).body.user).toBeNull();
      expect((await anonymous.post('/api/auth/logout')).status).toBe(200); // idempotent
    });

    it('Google login against the fake provider: success, bad state, replayed code, cancelled', async () => {
      /** Start like a browser: keep the OAuth cookies, follow the provider's redirect, return the callback URL. */
      async function start(next = '/me') {
        const browser = server.client();
        const begin = await browser.get(`/api/auth/google?next=${encodeURIComponent(next)}`);
        expect(begin.status).toBe(302);
        const authorize = new URL(begin.headers.get('location')!);
        expect(authorize.origin).toBe(server.google.url);
        expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
        for (const cookie of begin.cookies) expect(cookie).toMatch(/; Path=\/api\/auth\/google; HttpOnly; SameSite=Lax; Max-Age=600/);
        browser.extraCookies = begin.cookies.map((c) => c.split(';')[0]).join('; ');
        const provider = await fetch(authorize, { redirect: 'manual' });
        const callback = new URL(provider.headers.get('location')!);
        return { browser, callback: callback.pathname + callback.search, state: callback.searchParams.get('state')! };
      }

      server.google.signInAs({ sub: 'google-sub-42', name: '谷歌画师', email: 'artist@example.com', email_verified: true, picture: 'https://lh3.example.com/a.png' });
      const ok = await start('/upload');
      const done = await ok.browser.get(ok.callback);
      expect(done.status).toBe(303);
      expect(done.headers.get('location')).toBe('/upload');
      const token = sessionFrom(done.cookies)!;
      expect(done.cookies.filter((c) => c.startsWith('google_')).every((c) => c.includes('Max-Age=0'))).toBe(true);
      const me = (await server.client(token).get('/api/auth/me')).body.user;
      expect(me).toMatchObject({ name: '谷歌画师', avatar_url: 'https://lh3.example.com/a.png', has_google: true, has_password: false });
      // The same Google account later: the same user, profile refreshed.
      server.google.signInAs({ sub: 'google-sub-42', name: '谷歌画师 2', email: 'artist@example.com', email_verified: true });
      const second = await start();
      const again = await second.browser.get(second.callback);
      expect((await server.client(sessionFrom(again.cookies)).get('/api/auth/me')).body.user).toMatchObject({ username: me.username, name: '谷歌画师 2' });

      // Bad state: the callback's state is not the one this browser was given.
      const forged = await start();
      const badState = await forged.browser.get(forged.callback.replace(`state=${forged.state}`, 'state=forged-state'));
      expect(badState.headers.get('location')).toBe('/login?error=oauth_state');
      expect(sessionFrom(badState.cookies)).toBeUndefined();
      // The callback URL replayed in another browser (no state cookie): refused before the code is even tried.
      const stolen = await server.client().get(forged.callback);
      expect(stolen.headers.get('location')).toBe('/login?error=oauth_state');
      // The code replayed with the original cookies after a successful login: the provider refuses it.
      const replay = await ok.browser.get(ok.callback);
      expect(replay.headers.get('location')).toBe('/login?error=oauth_code');
      expect(sessionFrom(replay.cookies)).toBeUndefined();
      expect(server.google.tokenRequests.at(-1)).toMatchObject({ status: 400, error: 'invalid_grant' });
      // The user cancels at Google.
      server.google.denyNext();
      const cancelled = await start();
      expect((await cancelled.browser.get(cancelled.callback)).headers.get('location')).toBe('/login?error=oauth_denied');
      // The login page explains each error in Chinese.
      const page = await server.client().get('/login?error=oauth_state');
      expect(page.body).toContain('Google 登录已失效或不是从本站发起的');
    });

    it('Google ID token login (POST /api/auth/login, provider google): verified, same user by subject, refusals', async () => {
      const { google } = server;
      google.signInAs({ sub: 'google-sub-idtoken', name: '令牌画师', email: 'idtoken@example.com', email_verified: true, picture: 'https://lh3.example.com/t.png' });
      const anonymous = server.client();
      // Google's keys cannot be fetched (nothing cached yet): 503, not a refusal of the token.
      google.failJwks(true);
      try {
        const down = await anonymous.post('/api/auth/login', { provider: 'google', idToken: await google.mintIdToken() });
        expect(down).toMatchObject({ status: 503, body: { error: { code: 'google_unavailable', message: '暂时无法连接 Google，请稍后再试' } } });
      } finally {
        google.failJwks(false);
      }
      const login = await anonymous.post('/api/auth/login', { provider: 'google', idToken: await google.mintIdToken() });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      expect(login.body.user).toMatchObject({ name: '令牌画师', has_google: true, has_password: false });
      expect(Object.keys(login.body).sort()).toEqual(['expires_at', 'user']); // the same shape as local login
      expect(login.cookies[0]).toMatch(/^huaku_session=[a-z2-7]{32}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Expires=.+; Secure$/);
      const me = await server.client(sessionFrom(login.cookies)).get('/api/auth/me');
      expect(me.body.user).toMatchObject({ username: login.body.user.username, name: '令牌画师', avatar_url: 'https://lh3.example.com/t.png' });
      // The same Google subject again (here as a script asking for a token): the same user.
      const again = await anonymous.post('/api/auth/login', { provider: 'google', idToken: await google.mintIdToken({ iss: 'accounts.google.com' }), token: true });
      expect(again.status).toBe(200);
      expect(again.cookies).toEqual([]);
      expect(again.body.user.username).toBe(login.body.user.username);
      const bearer = server.client(again.body.token);
      bearer.bearer = true;
      expect((await bearer.get('/api/auth/me')).body.user.username).toBe(login.body.user.username);
      // The redirect flow finds the same account by subject.
      expect((await server.store.users.findByGoogleSub('google-sub-idtoken'))?.username).toBe(login.body.user.username);

      const refused = async (idToken: string) => {
        const reply = await anonymous.post('/api/auth/login', { provider: 'google', idToken });
        expect(reply.cookies).toEqual([]);
        return { status: reply.status, body: reply.body };
      };
      const invalid = { status: 401, body: { error: { code: 'invalid_token', message: 'Google 登录凭证无效或已过期，请重新登录' } } };
      const now = Math.floor(Date.now() / 1000);
      expect(await refused(await google.mintIdToken({}, { key: 'unpublished' }))).toEqual(invalid);
      expect(await refused(await google.mintIdToken({ aud: 'someone-else' }))).toEqual(invalid);
      expect(await refused(await google.mintIdToken({ iat: now - 7200, exp: now - 3600 }))).toEqual(invalid);
      expect(await refused(await google.mintIdToken({ iss: google.url }))).toEqual(invalid);
      expect(await refused(await google.mintIdToken({}, { alg: 'none' }))).toEqual(invalid);
      expect(await refused(await google.mintIdToken({}, { alg: 'HS256' }))).toEqual(invalid);
      for (const body of [{ provider: 'google' }, { provider: 'google', idToken: 42 }, { provider: 'facebook', idToken: 'x' }]) {
        const reply = await anonymous.post('/api/auth/login', body);
        expect(reply.status).toBe(400);
        expect(reply.body.error.code).toBeTypeOf('string');
      }
      const notJson = await anonymous.request('POST', '/api/auth/login', { headers: { 'content-type': 'application/json' }, json: undefined });
      expect(notJson.status).toBe(400); // an empty body is neither login
    });

    it('sessions expire after 30 days and slide forward when used in their second half', async () => {
      const { user, token, client } = await server.user('Sliding');
      const id = sessionIdFromToken(token);
      // 20 days left: used as is, no new cookie.
      await server.store.sessions.setExpiry(id, new Date(Date.now() + 20 * DAY));
      const fresh = await client.get('/api/auth/me');
      expect(fresh.body.user.username).toBe(user.username);
      expect(fresh.cookies).toEqual([]);
      // 5 days left: extended to 30 days, and the cookie is sent again.
      await server.store.sessions.setExpiry(id, new Date(Date.now() + 5 * DAY));
      const slid = await client.get('/api/auth/me');
      expect(slid.cookies[0]).toMatch(/^huaku_session=[a-z2-7]{32};.*Max-Age=259\d{4}/);
      const expiresAt = (await server.store.sessions.getWithUser(id))!.session.expiresAt.getTime();
      expect(Math.abs(expiresAt - (Date.now() + 30 * DAY))).toBeLessThan(60_000);
      // Expired: refused, deleted, the cookie cleared, and writes answer 401.
      await server.store.sessions.setExpiry(id, new Date(Date.now() - 1000));
      const expired = await client.get('/api/auth/me');
      expect(expired.body.user).toBeNull();
      expect(expired.cookies[0]).toMatch(/^huaku_session=; .*Max-Age=0/);
      expect(await server.store.sessions.getWithUser(id)).toBeNull();
      expect((await client.post('/api/artworks/1/like')).status).toBe(401);
    });

    it('authorization matrix: every route × {anonymous, another user, owner}', async () => {
      const owner = await server.user('Matrix_Owner');
      const other = await server.user('Matrix_Other');
      const anonymous = server.client();
      const art = await published(owner.client, '公开作品');
      const draft = (await owner.client.upload(await testImage('png'), { title: '草稿' })).body;
      const png = await testImage('png');
      let n = 0;
      type Actor = 'anonymous' | 'other' | 'owner';
      const clientOf = async (actor: Actor) =>
        actor === 'anonymous' ? anonymous : server.client((await server.user(`${actor}_${++n}_${owner.user.id}`)).token);
      // Actors that must stay the same person (the owner of the fixtures) use these; throwaway ones for logout.
      const fixed: Record<Actor, Client> = { anonymous, other: other.client, owner: owner.client };
      type Row = { route: string; call: (c: Client) => Promise<{ status: number }>; expect: Record<Actor, number>; actor?: (a: Actor) => Promise<Client> };
      // A generation job of the owner's on the offline API-Inference, started now and finished by the time its rows run.
      const generate = { model_id: 'demo/sdxl', params: { prompt: '矩阵测试', steps: 2, width: 256, height: 256, seed: 7 } };
      const jobId: string = (await owner.client.post('/api/v1/generate', generate)).body.job_id;
      const finished = (async () => {
        for (let i = 0; i < 300; i++) {
          const job = await owner.client.get(`/api/v1/generate/${jobId}`);
          if (job.body.status !== 'queued' && job.body.status !== 'running') return job.body.status as string;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return 'stuck';
      })();
      const job = async (path = '') => {
        expect(await finished).toBe('complete');
        return `/api/v1/generate/${jobId}${path}`;
      };
      const presetId: number = (await owner.client.post('/api/v1/generate/presets', { name: '矩阵预设', params: generate })).body.id;
      /** A published work of the owner's, a new one for each call (unpublishing it changes it). */
      const publishedCopy = async () => {
        const id = (await owner.client.upload(png)).body.artwork_id as number;
        await owner.client.post(`/api/artworks/${id}/publish`);
        return id;
      };
      const rows: Row[] = [
        { route: 'GET /api/health', call: (c) => c.get('/api/health'), expect: { anonymous: 200, other: 200, owner: 200 } },
        { route: 'GET /api/auth/me', call: (c) => c.get('/api/auth/me'), expect: { anonymous: 200, other: 200, owner: 200 } },
        { route: 'POST /api/auth/login', call: (c) => c.post('/api/auth/login', { username: 'matrix_owner', password: 'wrong-password' }), expect: { anonymous: 401, other: 401, owner: 401 } },
        { route: 'POST /api/auth/login (google)', call: (c) => c.post('/api/auth/login', { provider: 'google', idToken: 'not.a.token' }), expect: { anonymous: 401, other: 401, owner: 401 } },
        { route: 'POST /api/auth/register', call: (c) => c.post('/api/auth/register', { username: `reg_${++n}`, password: 'long-enough-1' }), expect: { anonymous: 201, other: 201, owner: 201 } },
        { route: 'POST /api/auth/logout', call: (c) => c.post('/api/auth/logout'), expect: { anonymous: 200, other: 200, owner: 200 }, actor: clientOf },
        { route: 'GET /api/auth/google', call: (c) => c.get('/api/auth/google'), expect: { anonymous: 302, other: 302, owner: 302 } },
        { route: 'GET /api/auth/google/callback', call: (c) => c.get('/api/auth/google/callback?code=x&state=y'), expect: { anonymous: 303, other: 303, owner: 303 } },
        { route: 'POST /api/artworks/upload', call: (c) => c.upload(png), expect: { anonymous: 401, other: 201, owner: 201 } },
        { route: 'GET /api/artworks/[id]', call: (c) => c.get(`/api/artworks/${art.id}`), expect: { anonymous: 200, other: 200, owner: 200 } },
        { route: 'GET /api/artworks/[id] (draft)', call: (c) => c.get(`/api/artworks/${draft.artwork_id}`), expect: { anonymous: 404, other: 404, owner: 200 } },
        { route: 'POST /api/artworks/[id]/publish', call: (c) => c.post(`/api/artworks/${art.id}/publish`), expect: { anonymous: 401, other: 403, owner: 200 } },
        { route: 'POST /api/artworks/[id]/publish (draft)', call: async (c) => c.post(`/api/artworks/${(await owner.client.upload(png)).body.artwork_id}/publish`), expect: { anonymous: 401, other: 404, owner: 200 } },
        { route: 'PATCH /api/artworks/[id]', call: (c) => c.request('PATCH', `/api/artworks/${art.id}`, { json: { title: '矩阵作品' } }), expect: { anonymous: 401, other: 403, owner: 200 } },
        { route: 'PATCH /api/artworks/[id] (draft)', call: (c) => c.request('PATCH', `/api/artworks/${draft.artwork_id}`, { json: { steps: 0 } }), expect: { anonymous: 401, other: 404, owner: 400 } },
        { route: 'POST /api/artworks/[id]/unpublish', call: async (c) => c.post(`/api/artworks/${await publishedCopy()}/unpublish`), expect: { anonymous: 401, other: 403, owner: 200 } },
        { route: 'DELETE /api/artworks/[id]', call: async (c) => c.delete(`/api/artworks/${(await owner.client.upload(png)).body.artwork_id}`), expect: { anonymous: 401, other: 404, owner: 200 } },
        { route: 'GET /api/artworks/counts', call: (c) => c.get(`/api/artworks/counts?ids=${art.id},${draft.artwork_id}`), expect: { anonymous: 200, other: 200, owner: 200 } },
        { route: 'POST /api/artworks/[id]/like', call: (c) => c.post(`/api/artworks/${art.id}/like`), expect: { anonymous: 401, other: 200, owner: 200 } },
        { route: 'DELETE /api/artworks/[id]/like', call: (c) => c.delete(`/api/artworks/${art.id}/like`), expect: { anonymous: 401, other: 200, owner: 200 } },
        { route: 'POST /api/artworks/[id]/like (draft)', call: (c) => c.post(`/api/artworks/${draft.artwork_id}/like`), expect: { anonymous: 401, other: 404, owner: 409 } },
        { route: 'POST /api/artworks/[id]/favorite', call: (c) => c.post(`/api/artworks/${art.id}/favorite`), expect: { anonymous: 401, other: 200, owner: 200 } },
        { route: 'DELETE /api/artworks/[id]/favorite', call: (c) => c.delete(`/api/artworks/${art.id}/favorite`), expect: { anonymous: 401, other: 200, owner: 200 } },
        { route: 'DELETE /api/artworks/[id]/favorite (draft)', call: (c) => c.delete(`/api/artworks/${draft.artwork_id}/favorite`), expect: { anonymous: 401, other: 404, owner: 409 } },
        { route: 'GET /api/users/[username]/artworks', call: (c) => c.get(`/api/users/${owner.user.username}/artworks`), expect: { anonymous: 200, other: 200, owner: 200 } },
        { route: 'GET /api/users/[username]/favorites', call: (c) => c.get(`/api/users/${owner.user.username}/favorites`), expect: { anonymous: 401, other: 403, owner: 200 } },
        { route: 'GET /api/feed', call: (c) => c.get('/api/feed'), expect: { anonymous: 200, other: 200, owner: 200 } },
        { route: 'POST /api/v1/generate', call: (c) => c.post('/api/v1/generate', generate), expect: { anonymous: 401, other: 202, owner: 202 } },
        { route: 'GET /api/v1/generate', call: (c) => c.get('/api/v1/generate'), expect: { anonymous: 401, other: 200, owner: 200 } },
        { route: 'GET /api/v1/generate/[job_id]', call: async (c) => c.get(await job()), expect: { anonymous: 401, other: 404, owner: 200 } },
        { route: 'GET /api/v1/generate/[job_id]/detail', call: async (c) => c.get(await job('/detail')), expect: { anonymous: 401, other: 404, owner: 200 } },
        { route: 'GET /api/v1/generate/[job_id]/events', call: async (c) => c.get(await job('/events')), expect: { anonymous: 401, other: 404, owner: 200 } },
        { route: 'POST /api/v1/generate/[job_id]/cancel', call: async (c) => c.post(await job('/cancel')), expect: { anonymous: 401, other: 404, owner: 200 } },
        { route: 'POST /api/v1/generate/[job_id]/rerun', call: async (c) => c.post(await job('/rerun')), expect: { anonymous: 401, other: 404, owner: 202 } },
        { route: 'POST /api/artworks/generate', call: async (c) => c.post('/api/artworks/generate', { job_id: (await job()).split('/').pop() }), expect: { anonymous: 401, other: 404, owner: 201 } },
        { route: 'GET /api/v1/generate/providers', call: (c) => c.get('/api/v1/generate/providers'), expect: { anonymous: 401, other: 200, owner: 200 } },
        { route: 'GET /api/v1/generate/presets', call: (c) => c.get('/api/v1/generate/presets'), expect: { anonymous: 401, other: 200, owner: 200 } },
        { route: 'POST /api/v1/generate/presets', call: (c) => c.post('/api/v1/generate/presets', { name: `预设 ${++n}`, params: generate }), expect: { anonymous: 401, other: 201, owner: 201 } },
        { route: 'PUT /api/v1/generate/presets/[id]', call: (c) => c.put(`/api/v1/generate/presets/${presetId}`, { name: '改名' }), expect: { anonymous: 401, other: 404, owner: 200 } },
        { route: 'DELETE /api/v1/generate/presets/[id]', call: (c) => c.delete(`/api/v1/generate/presets/${presetId}`), expect: { anonymous: 401, other: 404, owner: 200 } },
        // On-demand pages.
        { route: 'page /login', call: (c) => c.get('/login'), expect: { anonymous: 200, other: 303, owner: 303 } },
        { route: 'page /upload', call: (c) => c.get('/upload'), expect: { anonymous: 303, other: 200, owner: 200 } },
        { route: 'page /me', call: (c) => c.get('/me'), expect: { anonymous: 303, other: 200, owner: 200 } },
        { route: 'page /artwork/[id]/[slug]', call: (c) => c.get(art.pageUrl), expect: { anonymous: 200, other: 200, owner: 200 } },
        { route: 'page /artwork/[id]/[slug] (draft)', call: (c) => c.get(`/artwork/${draft.artwork_id}/${draft.artwork.slug}`), expect: { anonymous: 404, other: 404, owner: 200 } },
        { route: 'page /user/[username]', call: (c) => c.get('/user/matrix_owner'), expect: { anonymous: 200, other: 200, owner: 200 } },
        // Admins only (the role is granted from the CLI): not advertised to visitors, refused to members.
        { route: 'page /admin/runs', call: (c) => c.get('/admin/runs'), expect: { anonymous: 404, other: 403, owner: 403 } },
      ];
      const actual: Record<string, Record<Actor, number>> = {};
      const expected: Record<string, Record<Actor, number>> = {};
      for (const row of rows) {
        expected[row.route] = row.expect;
        actual[row.route] = { anonymous: 0, other: 0, owner: 0 };
        for (const actor of ['anonymous', 'other', 'owner'] as const) {
          const client = row.actor ? await row.actor(actor) : fixed[actor];
          actual[row.route]![actor] = (await row.call(client)).status;
        }
      }
      expect(actual).toEqual(expected);
      // The generation jobs the rows started (and reran) finish in the background and store their images: let
      // them end here, so no later test of this server sees its blob store change under it.
      await expect
        .poll(async () => { const jobs = await server.store.generationJobs.countByStatus(); return jobs.queued + jobs.running; }, { timeout: 30_000 })
        .toBe(0);

      // Every API route file and method is in the matrix: a new route cannot skip it.
      const routes = listFiles(path.join(REPO_ROOT, 'src/pages/api')).flatMap((file) => {
        const source = fs.readFileSync(path.join(REPO_ROOT, 'src/pages/api', file), 'utf8');
        const route = `/api/${file.replace(/\.ts$/, '').replace(/\/index$/, '')}`;
        return [...source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => `${m[1]} ${route}`);
      });
      const covered = new Set(rows.map((r) => r.route.replace(/ \(.*\)$/, '')));
      expect(routes.filter((r) => !covered.has(r))).toEqual([]);
    });

    it('/admin/runs shows an admin the saved progress of a run and the ledger per stage; revoking closes it', async () => {
      const admin = await server.user('Runs_Admin');
      expect(await adminCommandRun(backend, ['grant', 'RUNS_ADMIN'])).toEqual({ code: 0, out: 'runs_admin is now an admin (/admin/runs)' });
      const run = await server.store.runs.start('liblib', 'crawl:incremental');
      // A stage name of its own: the ledger's counts are this test's units only.
      const stage = `admin-detail-${run.id}`;
      await server.store.ledger.enqueue(['a', 'b', 'c'].map((key) => ({ source: 'liblib' as const, stage, key, runId: run.id })));
      const [failing] = await server.store.ledger.due('liblib', stage, { now: new Date(), maxAttempts: 3, limit: 1 });
      await server.store.ledger.markFailed(failing!.id, { kind: 'timeout', message: 'slow', nextAttemptAt: null });
      let now = Date.now();
      const progress = new RunProgress({ runId: run.id, source: 'liblib', command: 'crawl:incremental', stages: [stage], now: () => now });
      for (let i = 0; i < 40; i++) progress.unitDone(stage);
      progress.unitFailed(stage, 'timeout');
      progress.setPending(stage, 2);
      progress.setHttp({ requests: 80, retries: 3, rateLimited: 1 });
      now += 20_000;
      await server.store.runProgress.save(run.id, progress.snapshot());

      const page = await admin.client.get('/admin/runs');
      expect(page.status).toBe(200);
      const html = String(page.body);
      expect(html).toContain(`#${run.id} · Liblib`);
      expect(html).toContain('运行中');
      expect(html).toContain('4.0 次/秒'); // 80 requests in 20 s
      const row = /<tr data-stage="admin-detail-\d+"[^>]*>([\s\S]*?)<\/tr>/.exec(html)![1]!.replace(/<[^>]+>/g, '|').replace(/\|+/g, '|');
      // done / known total, rate, ETA, this run's failures by kind, the ledger's pending and failed units.
      expect(row).toBe(`|${stage}|40 / 42|2.0/秒|1s|1（超时 1）|2|1|`);

      expect(await adminCommandRun(backend, ['revoke', 'runs_admin'])).toEqual({ code: 0, out: 'runs_admin is no longer an admin' });
      expect((await admin.client.get('/admin/runs')).status).toBe(403);
      expect((await adminCommandRun(backend, ['grant', 'nobody_at_all'])).code).toBe(1);
    });

    it('likes, favorites and publishing are idempotent, for community and ingested works alike', async () => {
      const owner = await server.user('Idem_Owner');
      const fan = await server.user('Idem_Fan');
      const art = await published(owner.client);
      const again = await owner.client.post(`/api/artworks/${art.id}/publish`);
      expect(again.body).toMatchObject({ status: 'published', changed: false });
      const first = await server.store.works.get(art.id);
      expect(again.body.published_at).toBe(first!.publishedAt!.toISOString());
      const ingested = await server.store.works.upsert({ source: 'liblib', externalId: `idem-${art.id}`, slug: 'car', title: '采集作品', publishedAt: new Date(), likeCount: 321 });
      for (const id of [art.id, ingested.id]) {
        expect((await fan.client.post(`/api/artworks/${id}/like`)).body).toEqual({ artwork_id: id, like_count: 1, isLiked: true, is_liked: true });
        expect((await fan.client.post(`/api/artworks/${id}/like`)).body).toMatchObject({ like_count: 1, isLiked: true });
        expect((await fan.client.post(`/api/artworks/${id}/favorite`)).body).toEqual({ artwork_id: id, is_favorite: true, favorite_count: 1 });
        expect((await fan.client.post(`/api/artworks/${id}/favorite`)).body).toMatchObject({ is_favorite: true, favorite_count: 1 });
        expect(await server.store.likes.count(id)).toBe(1);
        expect(await server.store.favorites.count(id)).toBe(1);
        const detail = (await fan.client.get(`/api/artworks/${id}`)).body;
        expect(detail).toMatchObject({ like_count: 1, favorite_count: 1, is_liked: true, is_favorite: true });
        expect((await fan.client.delete(`/api/artworks/${id}/like`)).body).toMatchObject({ like_count: 0, isLiked: false });
        expect((await fan.client.delete(`/api/artworks/${id}/like`)).body).toMatchObject({ like_count: 0, isLiked: false });
        expect((await fan.client.delete(`/api/artworks/${id}/favorite`)).body).toMatchObject({ is_favorite: false, favorite_count: 0 });
        expect((await fan.client.delete(`/api/artworks/${id}/favorite`)).body).toMatchObject({ is_favorite: false, favorite_count: 0 });
      }
      const detail = (await fan.client.get(`/api/artworks/${ingested.id}`)).body;
      expect(detail).toMatchObject({ source: 'liblib', like_count: 0, source_like_count: 321, author: null });
      expect((await fan.client.post('/api/artworks/999999999/like')).status).toBe(404);
      expect((await fan.client.post('/api/artworks/abc/like')).status).toBe(404);
    });

    it('1,000 concurrent like/unlike requests from 50 users leave counts, database and Redis in agreement', async () => {
      const owner = await server.user('Storm_Owner');
      const targets = [(await published(owner.client, '风暴 A')).id, (await published(owner.client, '风暴 B')).id];
      targets.push((await server.store.works.upsert({ source: 'civitai', externalId: `storm-${targets[0]}`, slug: 'storm', publishedAt: new Date() })).id);
      if (redis) await server.client().get('/api/feed?order=hot'); // make sure hot_rank exists
      if (redis) await expect.poll(() => redis!.exists(key('hot_rank')), { timeout: 10_000 }).toBe(1);
      const users = await Promise.all(Array.from({ length: 50 }, (_, i) => server.user(`storm_${i}_${owner.user.id}`)));
      let seed = 42;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const calls = users.flatMap((u) =>
        Array.from({ length: 20 }, () => ({ client: u.client, id: targets[Math.floor(random() * targets.length)]!, like: random() < 0.6 })),
      );
      expect(calls).toHaveLength(1000);
      const statuses: number[] = [];
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 100 }, async () => {
          while (next < calls.length) {
            const call = calls[next++]!;
            const reply = call.like ? await call.client.post(`/api/artworks/${call.id}/like`) : await call.client.delete(`/api/artworks/${call.id}/like`);
            statuses.push(reply.status);
          }
        }),
      );
      const ms = performance.now() - started;
      console.info(`[community] ${name}: 1000 like/unlike requests in ${Math.round(ms)} ms`);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);

      for (const id of targets) {
        const inDb = await server.store.likes.count(id);
        const api = (await server.client().get(`/api/artworks/${id}`)).body;
        expect(api.like_count, `artwork ${id}`).toBe(inDb);
        if (redis) {
          expect(await redis.get(key(`artwork:${id}:likes`)), `Redis artwork:${id}:likes`).toBe(String(inDb));
          const work = (await server.store.works.get(id))!;
          const score = Number(await redis.zscore(key('hot_rank'), String(id)));
          expect(score).toBeCloseTo(hotScore(work.publishedAt, { likes: inDb, favorites: await server.store.favorites.count(id) }), 6);
        }
        const likers = await Promise.all(users.map((u) => server.store.likes.has(u.user.id, id)));
        const states = await Promise.all(users.map(async (u) => (await u.client.get(`/api/artworks/${id}`)).body.is_liked));
        expect(states).toEqual(likers);
        expect(likers.filter(Boolean).length).toBe(inDb);
      }
    });

    it('refuses the hostile upload set with clear errors, storing nothing', async () => {
      const { client } = await server.user('Hostile');
      const worksBefore = await server.store.works.count({ source: 'community' });
      const blobsBefore = listFiles(server.blobDir);
      for (const file of await hostileUploads(2 * 1024 * 1024)) {
        const reply = await client.upload(file.bytes, { title: file.name }, file.filename, file.type);
        expect({ name: file.name, status: reply.status, code: reply.body?.error?.code }).toEqual({ name: file.name, status: file.status, code: file.code });
        expect(reply.body.error.message).toMatch(/[\u4e00-\u9fff]/);
      }
      // More than the request limit is refused before it is read; a form without a file is a 400.
      const huge = await client.upload(Buffer.alloc(3 * 1024 * 1024, 1));
      expect(huge.status).toBe(413);
      expect((await client.request('POST', '/api/artworks/upload', { multipart: new FormData() })).body.error.code).toBe('missing_file');
      expect((await client.post('/api/artworks/upload', { file: 'x' })).status).toBe(415);
      expect(await server.store.works.count({ source: 'community' })).toBe(worksBefore);
      expect(listFiles(server.blobDir)).toEqual(blobsBefore);
      // A good upload after all that is stored re-encoded, without its EXIF.
      const ok = await client.upload(await testImage('jpeg', 200, 100), { title: '好图' }, 'ok.jpg', 'image/jpeg');
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ status: 'draft', url: expect.stringMatching(/^\/media\/artworks\/original\/[0-9a-f-]{36}$/) });
      const media = await fetch(new URL(ok.body.url, server.url));
      expect(media.headers.get('content-type')).toBe('image/jpeg');
      // So is a small MP4 (stored without its metadata), which then publishes like an image.
      const clip = fakeVideo('mp4').body;
      const video = await client.upload(clip, { title: '小视频' }, 'clip.mp4', 'video/mp4');
      expect(video.status).toBe(201);
      expect(video.body.artwork.image).toMatchObject({ width: 96, height: 64, video: { content_type: 'video/mp4' } });
      const stored = await fetch(new URL(video.body.url, server.url));
      expect(stored.headers.get('content-type')).toBe('video/mp4');
      expect(Buffer.from(await stored.arrayBuffer()).subarray(4, 8).toString('latin1')).toBe('ftyp');
      expect((await client.post(`/api/artworks/${video.body.artwork_id}/publish`)).status).toBe(200);
      expect((await client.get(`/api/artworks/${video.body.artwork_id}`)).body).toMatchObject({ status: 'published' });
    });

    it('a newly published work is at once in the feed, on its page, on the user page, and in the next snapshot', async () => {
      const owner = await server.user('Fresh_Artist');
      const viewer = await server.user('Fresh_Viewer');
      const up = await owner.client.upload(await testImage('webp', 300, 200), { title: '刚刚发布 Fresh', prompt: '一只猫，水彩' });
      const id = up.body.artwork_id as number;
      // A draft is nowhere public.
      expect((await viewer.client.get('/api/feed?order=newest')).body.items.map((i: { id: number }) => i.id)).not.toContain(id);
      expect((await viewer.client.get(`/api/users/${owner.user.username}/artworks`)).body.items).toEqual([]);
      expect((await owner.client.get(`/api/users/${owner.user.username}/artworks`)).body.items.map((i: { id: number }) => i.id)).toEqual([id]);
      const pub = await owner.client.post(`/api/artworks/${id}/publish`);
      // No waiting: the very next requests see it.
      const newest = (await viewer.client.get('/api/feed?order=newest&limit=5')).body;
      expect(newest.items[0]).toMatchObject({ id, title: '刚刚发布 Fresh', status: 'published', author: { username: 'fresh_artist' } });
      expect((await viewer.client.get('/api/feed?order=hot&limit=50')).body.items.map((i: { id: number }) => i.id)).toContain(id);
      expect((await viewer.client.get(`/api/users/${owner.user.username}/artworks`)).body.items.map((i: { id: number }) => i.id)).toEqual([id]);
      const page = await viewer.client.get(pub.body.page_url);
      expect(page.status).toBe(200);
      expect(page.body).toContain('刚刚发布 Fresh');
      expect(page.body).toContain('一只猫，水彩');
      expect(page.body).toContain(`<link rel="canonical" href="http://localhost:4321${pub.body.page_url}"`);
      expect((await viewer.client.get(`/artwork/${id}`)).headers.get('location')).toBe(pub.body.page_url);
      expect((await viewer.client.get(`/artwork/${id}/wrong-slug`)).status).toBe(301);
      expect((await viewer.client.get('/artwork/987654321/nothing')).status).toBe(404);
      const userPage = await viewer.client.get('/user/fresh_artist');
      expect(userPage.body).toContain('刚刚发布 Fresh');
      // The thumbnail job runs in the background; the feed shows it once made.
      await expect
        .poll(async () => (await viewer.client.get(`/api/artworks/${id}`)).body.image?.thumb_url, { timeout: 15_000 })
        .toMatch(/^\/media\/thumbs\/320\/artworks\/original\//);
      // Newest-first pages chain through the cursor without repeats.
      const first = (await viewer.client.get('/api/feed?order=newest&limit=2')).body;
      const second = (await viewer.client.get(`/api/feed?order=newest&limit=2&cursor=${first.next_cursor}`)).body;
      expect(second.items.map((i: { id: number }) => i.id).some((x: number) => first.items.some((i: { id: number }) => i.id === x))).toBe(false);
      expect((await viewer.client.get('/api/feed?cursor=%%%')).status).toBe(400);
      // Pages built before it ask for what is newer than their snapshot: its card, rendered by the site's work card.
      await viewer.client.post(`/api/artworks/${id}/like`);
      const fresh = (await viewer.client.get(`/api/feed?since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`)).body;
      expect(fresh.items.map((i: { id: number }) => i.id)).toContain(id);
      const card = fresh.cards.find((c: { id: number }) => c.id === id);
      expect(card.html).toMatch(new RegExp(`<article class="[^"]*work-card[^"]*"[^>]*data-work-id="${id}"`));
      expect(card.html).toContain('刚刚发布 Fresh');
      expect(card.html).toContain('画库 ♥ 1 ★ 0');
      expect((await viewer.client.get(`/api/feed?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.cards).toEqual([]);
      expect((await viewer.client.get('/api/feed?since=yesterday')).status).toBe(400);
      expect((await viewer.client.get(`/api/artworks/counts?ids=${id},999999`)).body).toEqual({ counts: { [id]: { likes: 1, favorites: 0, liked: true, favorited: false } } });
      expect((await viewer.client.get('/api/artworks/counts?ids=a')).status).toBe(400);
      // The next snapshot (what the next build prerenders) has it.
      const snapshotDir = path.join(work.dir, `snapshot-${id}`);
      const blobs = new LocalBlobStore({ driver: 'local', dir: server.blobDir, publicBaseUrl: '/media' });
      await writeSnapshot(server.store, blobs, snapshotDir);
      const inSnapshot = [];
      for await (const chunk of iterateSnapshotWorkChunks(snapshotDir)) inSnapshot.push(...chunk.works.filter((w) => w.id === String(id)));
      expect(inSnapshot).toHaveLength(1);
      expect(inSnapshot[0]).toMatchObject({ source: 'community', title: '刚刚发布 Fresh', author: { id: `user:${owner.user.username}`, name: 'Fresh_Artist' } });
      expect(inSnapshot[0]!.images[0]!.thumbUrl).toMatch(/^\/media\/thumbs\/320\/artworks\/original\//);
    });

    it('refuses cross-site writes (the middleware for every on-demand route, and the routes’ own check)', async () => {
      const { client } = await server.user('Csrf_Victim');
      const owner = await server.user('Csrf_Owner');
      const art = await published(owner.client);
      const evil = { origin: 'https://evil.example' };
      const form = await client.request('POST', `/api/artworks/${art.id}/like`, { form: { a: '1' }, headers: evil });
      expect(form.status).toBe(403); // a cross-site form post
      const json = await client.request('POST', `/api/artworks/${art.id}/like`, { json: {}, headers: evil });
      expect(json).toMatchObject({ status: 403, body: { error: { code: 'cross_site' } } });
      const fetchSite = await client.request('DELETE', `/api/artworks/${art.id}/like`, { json: {}, headers: { origin: server.url, 'sec-fetch-site': 'cross-site' } });
      expect(fetchSite.status).toBe(403);
      const logoutForm = await client.request('POST', '/api/auth/logout', { form: {}, headers: evil });
      expect(logoutForm.status).toBe(403);
      expect(await server.store.likes.count(art.id)).toBe(0);
      expect((await client.get('/api/auth/me')).body.user).not.toBeNull();
    });
  });
}

describeCommunity('SQLite, no Redis', true, (dir) => sqliteBackend(dir));
describeCommunity('MariaDB + Redis', mysqlAndRedis, () => mysqlBackend());

describe('rate limits: 429 with Retry-After, per IP and per user', () => {
  let server: CommunityServer;
  beforeAll(async () => {
    server = await startCommunityServer({
      outDir,
      dir: work.dir,
      backend: await sqliteBackend(work.dir, 'limits.db'),
      // Google login off here too: POST /api/auth/login with an ID token then answers 503.
      env: { RATE_LIMIT_LOGIN: '3/1m', RATE_LIMIT_WRITE: '4/1m', RATE_LIMIT_UPLOAD: '1/1h', RATE_LIMIT_IP: '1000/1m', GOOGLE_CLIENT_ID: '', GOOGLE_CLIENT_SECRET: '' },
    });
  });
  afterAll(() => server?.stop());

  it('limits login attempts (local and Google ID token alike), writes and uploads', async () => {
    const idToken = await server.google.mintIdToken();
    const disabled = await server.client().post('/api/auth/login', { provider: 'google', idToken });
    expect(disabled).toMatchObject({ status: 503, body: { error: { code: 'google_disabled', message: '本站未启用 Google 登录' } } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await server.client().post('/api/auth/login', { username: 'someone', password: 'guess' })).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect((await server.client().post('/api/auth/login', { provider: 'google', idToken })).status).toBe(429);
    const limited = await server.client().post('/api/auth/login', { username: 'someone', password: 'guess' });
    expect(limited.body.error).toMatchObject({ code: 'rate_limited' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    const owner = await server.user('Limit_Owner');
    const work = await server.store.works.upsert({ source: 'liblib', externalId: 'limit', slug: 'l', publishedAt: new Date() });
    const likes = [];
    for (let i = 0; i < 5; i++) likes.push((await owner.client.post(`/api/artworks/${work.id}/like`)).status);
    expect(likes).toEqual([200, 200, 200, 200, 429]);
    const other = await server.user('Limit_Other'); // per user: someone else is not held back
    expect((await other.client.post(`/api/artworks/${work.id}/like`)).status).toBe(200);
    expect((await owner.client.upload(await testImage('png'))).status).toBe(201);
    expect((await owner.client.upload(await testImage('png'))).status).toBe(429);
  });
});

describe.runIf(redisServerBinary)('Redis stopped mid-test: the APIs keep answering from the database, the rebuild restores Redis', () => {
  let server: CommunityServer;
  let redisServer: Awaited<ReturnType<typeof startRedisServer>>;
  let backend: Backend;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    backend = mysqlAndRedis ? await mysqlBackend(redisServer.url) : { ...(await sqliteBackend(work.dir, 'outage.db')), redisUrl: redisServer.url, redisPrefix: 'outage:' };
    server = await startCommunityServer({ outDir, dir: work.dir, backend });
  });
  afterAll(async () => {
    await server?.stop();
    await redisServer?.stop();
    await backend?.cleanup();
  });

  it('serves likes, feed, uploads and publishing during the outage, then `ingest cache rebuild` restores every key', async () => {
    const key = (k: string) => `${backend.redisPrefix}${k}`;
    const owner = await server.user('Outage_Owner');
    const fans = await Promise.all(Array.from({ length: 6 }, (_, i) => server.user(`outage_fan_${i}`)));
    const up = await owner.client.upload(await testImage('png'), { title: '停电前' });
    await owner.client.post(`/api/artworks/${up.body.artwork_id}/publish`);
    const art = up.body.artwork_id as number;
    for (const fan of fans.slice(0, 3)) expect((await fan.client.post(`/api/artworks/${art}/like`)).body.like_count).toBeGreaterThan(0);
    await server.client().get('/api/feed?order=hot');
    let redis = new Redis(redisServer.url);
    await expect.poll(() => redis.exists(key('hot_rank')), { timeout: 10_000 }).toBe(1);
    expect(await redis.get(key(`artwork:${art}:likes`))).toBe('3');
    redis.disconnect();

    await redisServer.stop();
    // Everything still answers, with the database's numbers.
    for (const fan of fans.slice(3)) expect((await fan.client.post(`/api/artworks/${art}/like`)).status).toBe(200);
    expect((await fans[0]!.client.delete(`/api/artworks/${art}/like`)).body).toMatchObject({ like_count: 5, isLiked: false });
    expect((await fans[1]!.client.post(`/api/artworks/${art}/favorite`)).body).toMatchObject({ is_favorite: true, favorite_count: 1 });
    expect((await fans[1]!.client.get(`/api/artworks/${art}`)).body).toMatchObject({ like_count: 5, is_liked: true, is_favorite: true });
    expect((await fans[1]!.client.get(`/api/users/${fans[1]!.user.username}/favorites`)).body.items.map((i: { id: number }) => i.id)).toEqual([art]);
    const during = await owner.client.upload(await testImage('jpeg'), { title: '停电中' });
    expect(during.status).toBe(201);
    expect((await owner.client.post(`/api/artworks/${during.body.artwork_id}/publish`)).status).toBe(200);
    const newest = (await server.client().get('/api/feed?order=newest')).body.items.map((i: { id: number }) => i.id);
    expect(newest.slice(0, 2)).toEqual([during.body.artwork_id, art]);
    const hot = await server.client().get('/api/feed?order=hot');
    expect(hot.status).toBe(200);
    expect(hot.body.items.map((i: { id: number }) => i.id)).toContain(during.body.artwork_id);
    // The thumbnail job could not go to BullMQ: it ran from the database queue.
    await expect
      .poll(async () => (await owner.client.get(`/api/artworks/${during.body.artwork_id}`)).body.image?.thumb_url, { timeout: 15_000 })
      .toMatch(/^\/media\/thumbs\/320\/artworks\/original\//);
    expect(server.server.output()).toContain('Redis unavailable: serving from the database');

    // Redis comes back empty; the rebuild command fills it from the database.
    redisServer = await startRedisServer(redisServer.port);
    const cli = await runCli(['cache', 'rebuild'], server.env);
    expect(cli.code, cli.output).toBe(0);
    expect(cli.output).toMatch(/cache rebuilt in \d+ ms: \d+ works in hot_rank/);
    redis = new Redis(redisServer.url);
    try {
      const works = await server.store.works.list({ status: 'published', order: 'newest', limit: 1000 });
      expect(await redis.zcard(key('hot_rank'))).toBe(works.length + 1); // + the '#' sentinel
      for (const w of works) {
        const counts = { likes: await server.store.likes.count(w.id), favorites: await server.store.favorites.count(w.id) };
        expect(Number(await redis.zscore(key('hot_rank'), String(w.id)))).toBeCloseTo(hotScore(w.publishedAt, counts), 6);
        if (counts.likes > 0) expect(await redis.get(key(`artwork:${w.id}:likes`))).toBe(String(counts.likes));
      }
      expect(await redis.lrange(key('feed_queue'), 0, -1)).toEqual(['#', ...works.map((w) => String(w.id))]);
      // And the server uses Redis again once it has reconnected.
      await expect
        .poll(async () => {
          await fans[2]!.client.post(`/api/artworks/${art}/like`);
          await fans[2]!.client.delete(`/api/artworks/${art}/like`);
          return redis.get(key(`artwork:${art}:likes`));
        }, { timeout: 15_000 })
        .toBe('4');
    } finally {
      redis.disconnect();
    }
  });
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return run(process.execPath, [path.join(REPO_ROOT, 'ingest/cli.ts'), ...args], { cwd: work.dir, env: { ...process.env, ...TEST_FF_ENV, ...env, LOG_LEVEL: 'warn' } });
}
