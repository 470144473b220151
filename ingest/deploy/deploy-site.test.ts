// The site deploy against s3rver: order (hashed assets → other files → entry points → HTML), headers, only
// changed files, and the previous release's files kept DEPLOY_KEEP_DAYS, then deleted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3RVER_CREDENTIALS, startS3rver } from '../../src/core/testing/s3rver.ts';
import { uniqueSuffix } from '../../src/core/testing/services.ts';
import { cacheControlOf, contentTypeOf, deploySite, IMMUTABLE, layerOf } from './deploy-site.ts';
import { SiteBucket, type PutObject } from './site-bucket.ts';

/** Records the order of uploads. */
class RecordingBucket extends SiteBucket {
  puts: string[] = [];
  override async put(key: string, object: PutObject): Promise<void> {
    this.puts.push(key);
    await super.put(key, object);
  }
}

function writeSite(dir: string, files: Record<string, string>): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [file, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), body);
  }
}

describe('content types and caching', () => {
  it('gives every kind of file its type, its layer and its max-age', () => {
    expect(contentTypeOf('search-index/0123456789ab/terms/h12.json')).toBe('application/json');
    expect(contentTypeOf('sitemap-index.xml')).toBe('application/xml');
    expect(contentTypeOf('a/b.webp')).toBe('image/webp');
    expect(contentTypeOf('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('_astro/x.Ab12.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('_astro/x.woff2')).toBe('font/woff2');
    expect(contentTypeOf('search-index/entry.json')).toBe('application/json');
    expect([layerOf('_astro/x.Ab12.css'), layerOf('search-index/0123456789ab/docs/0.json'), layerOf('search-index/0123456789ab/facets.json')]).toEqual([0, 0, 0]);
    expect([layerOf('favicon.svg'), layerOf('search-index/other/x.json'), layerOf('search-index/entry.json'), layerOf('sitemap-1.xml'), layerOf('a/index.html')]).toEqual([1, 1, 2, 2, 3]);
    expect(cacheControlOf('_astro/x.Ab12.js', 300)).toBe(IMMUTABLE);
    expect(cacheControlOf('index.html', 300)).toBe('public, max-age=300, must-revalidate');
    expect(cacheControlOf('sitemap-index.xml', 60)).toBe('public, max-age=60, must-revalidate');
  });
});

describe('deploySite on s3rver', () => {
  let server: Awaited<ReturnType<typeof startS3rver>>;
  let endpoint = '';
  let bucket: RecordingBucket;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-deploy-'));
  const name = `huaku-site-${uniqueSuffix()}`;

  beforeAll(async () => {
    server = await startS3rver();
    if ('error' in server) throw server.error;
    endpoint = server.endpoint;
    bucket = new RecordingBucket({ bucket: name, endpoint, region: 'us-east-1', ...S3RVER_CREDENTIALS, forcePathStyle: true, keepDays: 2, htmlMaxAge: 300 });
    await bucket.ensure();
  });
  afterAll(async () => {
    bucket?.close();
    if (server && !('error' in server)) await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uploads assets before the pages naming them, only what changed, and keeps old assets for a while', async () => {
    const day = Date.parse('2026-12-01T19:00:00Z');
    writeSite(dir, {
      'index.html': '<script src="/_astro/app.v1.js"></script>', 'works/1/index.html': 'one',
      '_astro/app.v1.js': 'v1', '_astro/font.woff2': 'font', 'search-index/0123456789ab/docs/0.json': '[]',
      'search-index/entry.json': '{}', 'robots.txt': 'ok', 'sitemap-index.xml': '<x/>', 'cover.webp': 'RIFF',
    });
    const first = await deploySite({ bucket, dir, htmlMaxAge: 300, keepDays: 2, now: new Date(day) });
    expect(first).toMatchObject({ files: 9, uploaded: 9, unchanged: 0, retired: 0, deleted: 0 });
    const layers = bucket.puts.filter((k) => !k.startsWith('_deploy/')).map(layerOf);
    expect(layers).toEqual([...layers].sort());
    expect(bucket.puts.at(-1)).toBe('_deploy/manifest.json');

    const asset = await fetch(`${endpoint}/${name}/_astro/app.v1.js`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', IMMUTABLE]);
    const page = await fetch(`${endpoint}/${name}/index.html`);
    expect([page.status, page.headers.get('cache-control')]).toEqual([200, 'public, max-age=300, must-revalidate']);
    const shard = await fetch(`${endpoint}/${name}/search-index/0123456789ab/docs/0.json`);
    expect([shard.headers.get('content-type'), shard.headers.get('cache-control')]).toEqual(['application/json', IMMUTABLE]);

    // Next day: the script's name changed with its content; one page changed.
    fs.rmSync(path.join(dir, '_astro/app.v1.js'));
    fs.writeFileSync(path.join(dir, '_astro/app.v2.js'), 'v2');
    fs.writeFileSync(path.join(dir, 'index.html'), '<script src="/_astro/app.v2.js"></script>');
    bucket.puts = [];
    const second = await deploySite({ bucket, dir, htmlMaxAge: 300, keepDays: 2, now: new Date(day + 86_400_000) });
    expect(second).toMatchObject({ files: 9, uploaded: 2, unchanged: 7, retired: 1, deleted: 0 });
    expect(bucket.puts).toEqual(['_astro/app.v2.js', 'index.html', '_deploy/manifest.json']);
    // A visitor holding yesterday's page still gets its script.
    expect((await fetch(`${endpoint}/${name}/_astro/app.v1.js`)).status).toBe(200);

    // Two days after it was retired the old script goes.
    const third = await deploySite({ bucket, dir, htmlMaxAge: 300, keepDays: 2, now: new Date(day + 3 * 86_400_000) });
    expect(third).toMatchObject({ uploaded: 0, deleted: 1 });
    expect((await fetch(`${endpoint}/${name}/_astro/app.v1.js`)).status).toBe(404);
    expect((await fetch(`${endpoint}/${name}/_astro/app.v2.js`)).status).toBe(200);
  });

  it('refuses a directory without a built site', async () => {
    await expect(deploySite({ bucket, dir: path.join(dir, 'nothing'), htmlMaxAge: 300, keepDays: 2 })).rejects.toThrow(/index\.html is missing/);
  });
});
