import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, envSchema, loadConfig, parseCrashPoint, parseDatabaseUrl } from './env.ts';

const example = fs.readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

function exampleEntries(): Array<{ key: string; value: string; comment: string | undefined }> {
  const lines = example.split('\n');
  return lines.flatMap((line, i) => {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) return [];
    const previous = lines[i - 1];
    return [{ key: match[1]!, value: match[2]!, comment: previous?.startsWith('# ') ? previous : undefined }];
  });
}

describe('configuration', () => {
  it('.env.example documents exactly the keys of the schema, each with a comment', () => {
    const entries = exampleEntries();
    expect(entries.map((e) => e.key).sort()).toEqual(Object.keys(envSchema.shape).sort());
    for (const entry of entries) expect(entry.comment, `${entry.key} needs a one-line comment above it`).toBeDefined();
  });

  it('.env.example values are themselves a valid configuration', () => {
    const env = Object.fromEntries(exampleEntries().map((e) => [e.key, e.value]));
    expect(() => loadConfig(env, '/srv/huaku')).not.toThrow();
  });

  it('defaults to the embedded setup, paths anchored at the working directory', () => {
    const config = loadConfig({}, '/srv/huaku');
    expect(config.database).toEqual({ kind: 'sqlite', file: '/srv/huaku/data/huaku.db' });
    expect(config.blob).toEqual({ driver: 'local', dir: '/srv/huaku/data/blobs', publicBaseUrl: '/media' });
    expect(config.redisUrl).toBeUndefined();
    expect(config.server).toEqual({ host: '127.0.0.1', port: 4321, siteUrl: 'http://localhost:4321', trustedProxies: { kind: 'none' }, proxyHeaders: 'x-forwarded' });
    expect(config.testing.requireServices).toBe(false);
  });

  it('parses MySQL and S3 settings', () => {
    const config = loadConfig({
      DATABASE_URL: 'mysql://huaku:pa%40ss@db.internal:3307/huaku',
      BLOB_DRIVER: 's3',
      S3_BUCKET: 'img-station',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'false',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REQUIRE_SERVICES: '1',
    });
    expect(config.database).toMatchObject({ kind: 'mysql', host: 'db.internal', port: 3307, database: 'huaku' });
    expect(config.blob).toMatchObject({ driver: 's3', bucket: 'img-station', forcePathStyle: false });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.testing.requireServices).toBe(true);
  });

  it('lists every bad key with what it expects, in one error', () => {
    const error = (() => {
      try {
        loadConfig({ DATABASE_URL: 'postgres://x/y', PORT: '99999', BLOB_DRIVER: 's3', REDIS_URL: 'http://nope', LOG_LEVEL: 'loud' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).issues.map((i) => i.key).sort();
    expect(keys).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'REDIS_URL', 'S3_BUCKET']);
    const text = (error as ConfigError).format();
    expect(text).toContain('DATABASE_URL: expected sqlite:<file>');
    expect(text).toContain('PORT: expected a port number');
    expect(text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('parses the site build\'s render processes: auto is one per core, at most 8', () => {
    expect(loadConfig({}).siteBuildRenderProcesses).toBe(Math.min(os.availableParallelism(), 8));
    expect(loadConfig({ SITE_BUILD_RENDER_PROCESSES: '0' }).siteBuildRenderProcesses).toBe(0);
    expect(loadConfig({ SITE_BUILD_RENDER_PROCESSES: '3' }).siteBuildRenderProcesses).toBe(3);
    for (const bad of ['many', '-1', '1.5', '65']) {
      expect(() => loadConfig({ SITE_BUILD_RENDER_PROCESSES: bad }), bad).toThrow(/SITE_BUILD_RENDER_PROCESSES: expected auto \(one per core, at most 8\) or a number/);
    }
  });

  it('rejects malformed database URLs', () => {
    for (const bad of ['mysql://', 'mysql://host', 'mysql://host/', 'sqlite:', 'data/huaku.db', 'mysql://h/a/b']) {
      expect(parseDatabaseUrl(bad), bad).toBeNull();
    }
    expect(parseDatabaseUrl('sqlite:///abs/huaku.db')).toEqual({ kind: 'sqlite', file: '/abs/huaku.db' });
  });

  it('describes the configuration with secrets masked and defaults marked', () => {
    const rows = Object.fromEntries(
      describeConfig({ DATABASE_URL: 'mysql://u:hunter2@h/db', S3_SECRET_ACCESS_KEY: 'hunter2', S3_ACCESS_KEY_ID: 'AKIA' }),
    );
    expect(rows.DATABASE_URL).toBe('mysql://u:****@h/db');
    expect(rows.S3_SECRET_ACCESS_KEY).toBe('****');
    expect(rows.S3_ACCESS_KEY_ID).toBe('****');
    expect(rows.PORT).toBe('4321 (default)');
    expect(JSON.stringify(rows)).not.toContain('hunter2');
  });
});

describe('crash points (test only)', () => {
  it('parses TEST_CRASH_AT into an event, an optional stage and a count; unset is no crash point', () => {
    expect(loadConfig({}).testing.crashAt).toBeNull();
    expect(loadConfig({ TEST_CRASH_AT: 'unit-committed:media:3' }).testing.crashAt).toEqual({ event: 'unit-committed', stage: 'media', count: 3 });
    expect(parseCrashPoint('unit-handled:12')).toEqual({ event: 'unit-handled', stage: null, count: 12 });
    expect(parseCrashPoint('blob-writing:2')).toEqual({ event: 'blob-writing', stage: null, count: 2 });
    expect(parseCrashPoint('blob-written:1')).toEqual({ event: 'blob-written', stage: null, count: 1 });
  });

  it('rejects a malformed crash point, and any crash point in production', () => {
    for (const bad of ['unit-committed', 'unit-committed:0', 'blob-writing:media:2', 'explode:3', 'unit-handled:Media:1', 'unit-handled:-1']) {
      expect(parseCrashPoint(bad), bad).toBeNull();
      expect(() => loadConfig({ TEST_CRASH_AT: bad }), bad).toThrow(/TEST_CRASH_AT: expected <event>/);
    }
    expect(() => loadConfig({ TEST_CRASH_AT: 'unit-committed:1', NODE_ENV: 'production' })).toThrow(/TEST_CRASH_AT: a test-only crash point/);
  });
});

describe('community configuration', () => {
  it('parses rate limits, upload limits and cookie security', () => {
    const config = loadConfig({ RATE_LIMIT_LOGIN: '5/30s', RATE_LIMIT_UPLOAD: 'off', RATE_LIMIT_WRITE: '100/1h', UPLOAD_MAX_MB: '1.5', UPLOAD_DELETE_GRACE_HOURS: '0.5', NODE_ENV: 'production' });
    expect(config.community.rateLimits).toEqual({
      login: { limit: 5, windowMs: 30_000 },
      upload: null,
      write: { limit: 100, windowMs: 3_600_000 },
      ip: { limit: 600, windowMs: 60_000 },
      generate: { limit: 10, windowMs: 60_000 },
    });
    expect(config.community.upload).toEqual({ maxBytes: 1_572_864, maxPixels: 100_000_000, deleteGraceMs: 1_800_000 });
    expect(config.community.session).toEqual({ cookieName: 'huaku_session', secure: true });
    expect(loadConfig({ NODE_ENV: 'production', SESSION_COOKIE_SECURE: 'false' }).community.session.secure).toBe(false);
    expect(loadConfig({}).community.session.secure).toBe(false);
    expect(loadConfig({}).community.google).toBeNull();
  });

  it('parses generation job settings: concurrency per provider and per kind, attempts, quota', () => {
    expect(loadConfig({ GENERATION_CONCURRENCY: '4,a1111=1', GENERATION_QUOTA_PER_DAY: '0' }).generation.jobs).toEqual({
      concurrency: { perProvider: 4, byKind: { a1111: 1 } },
      maxAttempts: 3,
      quotaPerDay: null,
    });
    expect(() => loadConfig({ GENERATION_CONCURRENCY: '2,a1111=0' })).toThrow(/GENERATION_CONCURRENCY: expected jobs at once per provider/);
  });

  it('enables Google login with both credentials, its redirect URI derived from SITE_URL', () => {
    const config = loadConfig({ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 'secret', SITE_URL: 'https://huaku.example.com' });
    expect(config.community.google).toEqual({
      clientId: 'id',
      clientSecret: 'secret',
      redirectUri: 'https://huaku.example.com/api/auth/google/callback',
      authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
    });
    const error = (() => {
      try {
        loadConfig({ GOOGLE_CLIENT_ID: 'id', RATE_LIMIT_WRITE: '10 per minute' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.issues.map((i) => i.key).sort()).toEqual(['GOOGLE_CLIENT_SECRET', 'RATE_LIMIT_WRITE']);
    expect(describeConfig({ GOOGLE_CLIENT_SECRET: 'hunter2' }).find(([k]) => k === 'GOOGLE_CLIENT_SECRET')?.[1]).toBe('****');
  });
});
