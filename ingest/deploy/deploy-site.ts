// `ingest deploy`: dist/client → the bucket a CDN serves. The order is what keeps every visitor whole:
//   1. hashed assets (immutable for a year: a name never changes content),
//   2. the other static files (images, fonts, unhashed scripts, the search runtime),
//   3. the entry points that name hashed files: the search index entry and the sitemaps,
//   4. HTML last,
// so a page is never served before the assets it references. Only files whose SHA-256 changed are uploaded
// (the hash manifest `_deploy/manifest.json`, written last). Files a release no longer has are kept
// DEPLOY_KEEP_DAYS (an HTML page a browser or the CDN still caches keeps finding its assets), then deleted.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { UserFacingError } from '../../src/core/errors.ts';
import type { SiteBucket } from './site-bucket.ts';

const DEPLOY_MANIFEST_KEY = '_deploy/manifest.json';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Unhashed static files (favicon, placeholders, the search runtime): a CDN may keep them an hour. */
const STATIC_MAX_AGE = 3600;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Upload order: lower first. */
export type Layer = 0 | 1 | 2 | 3;

/**
 * Names that change whenever their content does: Astro's `_astro/`, and the search index's version folder
 * (`search-index/<content hash>/`, src/integrations/search-index.ts), which `search-index/entry.json` names.
 */
function isHashed(file: string): boolean {
  return file.startsWith('_astro/') || /^search-index\/[0-9a-f]{12}\//.test(file);
}

export function layerOf(file: string): Layer {
  if (isHashed(file)) return 0;
  if (file.endsWith('.html')) return 3;
  if (file === 'search-index/entry.json' || /^sitemap[^/]*\.xml$/.test(file)) return 2;
  return 1;
}

export function cacheControlOf(file: string, htmlMaxAge: number): string {
  const layer = layerOf(file);
  if (layer === 0) return IMMUTABLE;
  if (layer === 1) return `public, max-age=${STATIC_MAX_AGE}`;
  return `public, max-age=${htmlMaxAge}, must-revalidate`;
}

interface DeployManifest {
  version: 1;
  deployedAt: string;
  /** path → SHA-256 of the live release's files. */
  files: Record<string, string>;
  /** path → when the release stopped using it (deleted DEPLOY_KEEP_DAYS later). */
  retired: Record<string, string>;
}

export interface DeployResult {
  files: number;
  uploaded: number;
  unchanged: number;
  bytes: number;
  /** Files this release stopped using (kept for now). */
  retired: number;
  /** Files of older releases deleted after DEPLOY_KEEP_DAYS. */
  deleted: number;
  ms: number;
}

async function walk(dir: string, root = dir): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full, root)));
    else if (entry.isFile()) files.push(path.relative(root, full).split(path.sep).join('/'));
  }
  return files;
}

async function readManifest(bucket: SiteBucket): Promise<DeployManifest> {
  const raw = await bucket.get(DEPLOY_MANIFEST_KEY);
  if (!raw) return { version: 1, deployedAt: '', files: {}, retired: {} };
  const parsed = JSON.parse(raw.toString('utf8')) as Partial<DeployManifest>;
  return { version: 1, deployedAt: parsed.deployedAt ?? '', files: parsed.files ?? {}, retired: parsed.retired ?? {} };
}

export async function deploySite(options: {
  bucket: SiteBucket;
  dir: string;
  htmlMaxAge: number;
  keepDays: number;
  now?: Date;
  concurrency?: number;
  out?: (line: string) => void;
}): Promise<DeployResult> {
  const { bucket, dir } = options;
  const now = options.now ?? new Date();
  const started = performance.now();
  const index = await fs.stat(path.join(dir, 'index.html')).catch(() => null);
  if (!index) {
    throw new UserFacingError(`no built site in ${dir} (index.html is missing)`, { hint: 'build it first: npm run build (or pass --dir DIR)' });
  }
  const files = (await walk(dir)).sort();
  const previous = await readManifest(bucket);
  const hashes: Record<string, string> = {};
  for (const file of files) hashes[file] = createHash('sha256').update(await fs.readFile(path.join(dir, file))).digest('hex');
  const changed = files.filter((file) => previous.files[file] !== hashes[file]);

  const limit = pLimit(options.concurrency ?? 8);
  let bytes = 0;
  for (const layer of [0, 1, 2, 3] as const) {
    // Within a layer order does not matter; between layers every upload has finished first.
    const batch = changed.filter((file) => layerOf(file) === layer);
    await Promise.all(batch.map((file) => limit(async () => {
      const body = await fs.readFile(path.join(dir, file));
      bytes += body.byteLength;
      await bucket.put(file, { body, contentType: contentTypeOf(file), cacheControl: cacheControlOf(file, options.htmlMaxAge) });
    })));
  }

  // Files of earlier releases: kept keepDays after they were last used, then deleted.
  const retired: Record<string, string> = {};
  let newlyRetired = 0;
  for (const [file, since] of Object.entries(previous.retired)) if (!(file in hashes)) retired[file] = since;
  for (const file of Object.keys(previous.files)) {
    if (!(file in hashes) && !(file in retired)) {
      retired[file] = now.toISOString();
      newlyRetired++;
    }
  }
  const expiry = now.getTime() - options.keepDays * 86_400_000;
  const expired = Object.entries(retired).filter(([, since]) => Date.parse(since) <= expiry).map(([file]) => file);
  if (expired.length > 0) await bucket.delete(expired);
  for (const file of expired) delete retired[file];

  const manifest: DeployManifest = { version: 1, deployedAt: now.toISOString(), files: hashes, retired };
  await bucket.put(DEPLOY_MANIFEST_KEY, { body: `${JSON.stringify(manifest)}\n`, contentType: 'application/json', cacheControl: 'no-store' });
  return {
    files: files.length, uploaded: changed.length, unchanged: files.length - changed.length, bytes,
    retired: newlyRetired, deleted: expired.length, ms: Math.round(performance.now() - started),
  };
}

export function formatDeployResult(result: DeployResult, bucket: string): string {
  return `deploy → ${bucket}: ${result.uploaded} of ${result.files} file(s) uploaded (${(result.bytes / 1024).toFixed(1)} KiB), ` +
    `${result.unchanged} unchanged, ${result.retired} retired, ${result.deleted} old file(s) deleted (${result.ms} ms)`;
}
