// A static server that reads the deploy bucket through the S3 API, the way the CDN in front of it behaves:
// `/`, `/dir` and `/dir/` → the `index.html` of the directory, `404.html` (status 404)
// for a miss, and each object's stored Content-Type and Cache-Control passed through untouched, so what a
// visitor gets is exactly what `deploySite` uploaded. Used by `ingest deploy --preview` (look at a deploy
// before pointing the CDN at it) and by the browser test of the deployed site.
//
// The community server's paths (`/api/`, `/media/`, on-demand pages such as `/upload` or a member's `/user/…`)
// are not in the bucket: with `origin` set they are forwarded there, as a CDN's second origin would; without it
// they are 404s. A miss on a file (a name with an extension) is never forwarded: every asset a page names must
// come from the bucket, so a deploy that lost one shows up as a 404 here, not as the origin's copy.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { SiteBucket, StoredObject } from './site-bucket.ts';

export interface BucketSiteServerOptions {
  bucket: SiteBucket;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The community server (e.g. http://127.0.0.1:4321): `/api/`, `/media/`, non-GET requests and pages the bucket lacks go there. */
  origin?: string;
}

export interface BucketSiteServer {
  url: string;
  stop: () => Promise<void>;
}

/** Always forwarded to the origin, never looked up in the bucket. */
const ORIGIN_PREFIXES = ['/api/', '/media/'];
/** The deploy's own bookkeeping (`_deploy/manifest.json`) is not part of the site. */
const PRIVATE_PREFIX = '_deploy/';
/** Hop-by-hop headers and those fetch() has already acted on (it decompresses bodies). */
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'set-cookie']);

/** The bucket key a URL path names, or null for a path no object can have (`..`, bad escapes). */
export function keyOfPath(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const segments = decoded.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.' || s.includes('\0'))) return null;
  const key = segments.join('/');
  if (key === '' || key.endsWith('/')) return `${key}index.html`;
  return key;
}

export async function startBucketSiteServer(options: BucketSiteServerOptions): Promise<BucketSiteServer> {
  const { bucket } = options;
  const origin = options.origin?.replace(/\/+$/, '');

  async function lookup(key: string): Promise<StoredObject | null> {
    return key.startsWith(PRIVATE_PREFIX) ? null : bucket.getObject(key);
  }

  function send(req: http.IncomingMessage, res: http.ServerResponse, status: number, object: StoredObject): void {
    const headers: http.OutgoingHttpHeaders = {
      'content-type': object.contentType ?? 'application/octet-stream',
      'content-length': object.body.byteLength,
    };
    if (object.cacheControl) headers['cache-control'] = object.cacheControl;
    if (object.etag) headers.etag = object.etag;
    if (object.lastModified) headers['last-modified'] = object.lastModified.toUTCString();
    if (status === 200 && object.etag && req.headers['if-none-match'] === object.etag) {
      delete headers['content-length'];
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(status, headers).end(req.method === 'HEAD' ? undefined : object.body);
  }

  async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (name === 'host' || name === 'connection' || value === undefined) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const chunks: Buffer[] = [];
    if (hasBody) for await (const chunk of req) chunks.push(chunk as Buffer);
    const response = await fetch(`${origin}${req.url ?? '/'}`, {
      method: req.method!, headers, redirect: 'manual', ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
    });
    const out: http.OutgoingHttpHeaders = {};
    response.headers.forEach((value, name) => {
      if (!DROPPED_RESPONSE_HEADERS.has(name)) out[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) out['set-cookie'] = cookies;
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, out).end(req.method === 'HEAD' ? undefined : body);
  }

  async function notFound(req: http.IncomingMessage, res: http.ServerResponse, pathname: string | null): Promise<void> {
    if (origin && pathname !== null && !path.posix.extname(pathname)) return forward(req, res);
    const page = await lookup('404.html');
    if (page) return send(req, res, 404, page);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://preview.invalid');
    if (origin && (req.method !== 'GET' && req.method !== 'HEAD' || ORIGIN_PREFIXES.some((p) => url.pathname.startsWith(p)))) {
      return forward(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('a static site: GET or HEAD only\n');
      return;
    }
    const key = keyOfPath(url.pathname);
    if (key === null) return notFound(req, res, null);
    const object = await lookup(key);
    if (object) return send(req, res, 200, object);
    // `/dir` is the page `dir/index.html`, served in place: the site's links and canonical URLs have no
    // trailing slash, so a redirect to `/dir/` (an S3 website endpoint's answer) would cost every click a round trip.
    if (!key.endsWith('index.html')) {
      const page = await lookup(`${key}/index.html`);
      if (page) return send(req, res, 200, page);
    }
    return notFound(req, res, url.pathname);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The bucket or the origin failed: a 502, as a CDN answers when its origin does.
      console.error(`preview: ${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('bad gateway\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    // Requests under way finish (a late favicon must not meet a closed bucket); a client holding one open is cut off after a second.
    stop: () => new Promise<void>((resolve) => {
      const cutOff = setTimeout(() => server.closeAllConnections(), 1000);
      server.close(() => {
        clearTimeout(cutOff);
        resolve();
      });
      server.closeIdleConnections();
    }),
  };
}
