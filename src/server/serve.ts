// The production HTTP server: a node:http server in front of the Astro app (the Node adapter built in
// `middleware` mode exports its request handler from dist/server/entry.mjs). It routes before it touches
// the disk: the adapter's standalone server stat()s the client directory for every request, so each API
// call paid for a static-file probe (~13 % of its time); here `/api/*` goes straight to the API route table
// (src/server/http/api-router.ts: the endpoint modules without Astro's render pipeline, which cost as much
// CPU as the route itself), `/media/*` to the app, and other paths are looked up in a manifest of
// dist/client made once at start-up (the build output never changes under a running server), falling
// through to the app (on-demand pages, 404) when absent.
// Every response gets the security headers first (src/server/http/security-headers.ts): static files never
// reach Astro's middleware; what the app writes itself (a page's own CSP) takes precedence.
//   node src/server/serve.ts [outDir]      (default dist; HOST and PORT from the environment)
// First: the module-format hint must be in place before the app imports the store.
import '../core/runtime/esm-format-hint.ts';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { loadConfig } from '../core/env.ts';
import type { ApiRouter } from './http/api-router.ts';
import { defaultHeaders, requestFromNode, writeNodeResponse, type DefaultHeaders } from './http/node-exchange.ts';
import { DOCUMENT_CSP, securityHeaderOptions, securityHeaderValues, type SecurityHeaderOptions } from './http/security-headers.ts';

type AppHandler = (req: http.IncomingMessage, res: http.ServerResponse, next?: () => void) => Promise<void>;

/** The API route table beside the app's entry (src/integrations/api-route-table.ts writes it). */
const API_ROUTES_FILE = 'api-routes.mjs';

interface StaticFile {
  file: string;
  size: number;
  mtime: Date;
  etag: string;
  type: string;
  immutable: boolean;
  /** Text worth compressing (HTML, CSS, JS, JSON, XML, SVG…). */
  compressible: boolean;
}

/** Smaller files gain less than the encoding's own overhead. */
const COMPRESS_MIN_BYTES = 1024;
/** Compressed files kept in memory (the build never changes under a running server); beyond it, compressed per request. */
const COMPRESSED_CACHE_BYTES = 64 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Every file under `clientDir` by the URL path that serves it (decoded, as decodeURI gives it): a file at
 * its own path, and a directory's index.html also at `/dir` and `/dir/` (trailingSlash 'ignore').
 */
function staticManifest(clientDir: string, assetsDir = '_astro'): Map<string, StaticFile> {
  const manifest = new Map<string, StaticFile>();
  const walk = (dir: string, urlPath: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      // Dot-files stay private (as the adapter's `send` does), except /.well-known/.
      if (entry.name.startsWith('.') && !(urlPath === '' && entry.name === '.well-known')) continue;
      const full = path.join(dir, entry.name);
      const url = `${urlPath}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(full, url);
        continue;
      }
      if (!entry.isFile()) continue;
      const stat = fs.statSync(full);
      const type = CONTENT_TYPES[path.extname(entry.name).toLowerCase()] ?? 'application/octet-stream';
      const file: StaticFile = {
        file: full,
        size: stat.size,
        mtime: stat.mtime,
        etag: `W/"${stat.size.toString(16)}-${stat.mtime.getTime().toString(16)}"`,
        type,
        immutable: url.startsWith(`/${assetsDir}/`),
        compressible: stat.size >= COMPRESS_MIN_BYTES && /^(text\/|application\/(json|xml|manifest\+json|wasm)|image\/svg)/.test(type),
      };
      manifest.set(url, file);
      if (entry.name === 'index.html') {
        manifest.set(urlPath || '/', file);
        if (urlPath) manifest.set(`${urlPath}/`, file);
      }
    }
  };
  if (fs.existsSync(clientDir)) walk(clientDir, '');
  return manifest;
}

type Encoding = 'br' | 'gzip';

/** The encoding to send: Brotli, else gzip, when the client accepts it (a `;q=0` refuses). */
function acceptedEncoding(header: string | undefined): Encoding | null {
  if (!header) return null;
  const accepted = new Set(
    header
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, ...params]) => !params.some((param) => /^\s*q=0(\.0*)?\s*$/.test(param)))
      .map(([name]) => name!.trim().toLowerCase()),
  );
  return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : null;
}

/**
 * Compressed static text, made on first request and kept while the budget lasts. Pages are sent as they
 * were built, with no proxy in front required: uncompressed, a 60–90 KB list page is most of what a phone
 * on a slow link waits for before the first paint. Brotli at quality 5 costs about what gzip -6 does.
 */
class CompressedFiles {
  private readonly cache = new Map<string, Promise<Buffer>>();
  private bytes = 0;

  get(file: StaticFile, encoding: Encoding): Promise<Buffer> {
    const key = `${encoding}:${file.file}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const made = fs.promises.readFile(file.file).then(
      (raw) =>
        new Promise<Buffer>((resolve, reject) => {
          const done = (error: Error | null, out: Buffer) => (error ? reject(error) : resolve(out));
          if (encoding === 'br') zlib.brotliCompress(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }, done);
          else zlib.gzip(raw, { level: 6 }, done);
        }),
    );
    if (this.bytes + file.size <= COMPRESSED_CACHE_BYTES) {
      // Counted at the raw size until known: a burst of first requests cannot overshoot the budget.
      this.bytes += file.size;
      this.cache.set(key, made);
      made.then(
        (out) => (this.bytes += out.length - file.size),
        () => {
          this.bytes -= file.size;
          this.cache.delete(key);
        },
      );
    }
    return made;
  }
}

function sendStatic(req: http.IncomingMessage, res: http.ServerResponse, file: StaticFile, compressed: CompressedFiles): void {
  res.setHeader('Content-Type', file.type);
  res.setHeader('Last-Modified', file.mtime.toUTCString());
  res.setHeader('ETag', file.etag);
  res.setHeader('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=0');
  if (file.compressible) res.setHeader('Vary', 'Accept-Encoding');
  const inm = req.headers['if-none-match'];
  const ims = req.headers['if-modified-since'];
  const fresh = inm !== undefined ? inm.split(/\s*,\s*/).includes(file.etag) : ims !== undefined && Date.parse(ims) >= Math.floor(file.mtime.getTime() / 1000) * 1000;
  if (fresh) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const encoding = file.compressible ? acceptedEncoding(req.headers['accept-encoding']) : null;
  if (encoding) {
    compressed.get(file, encoding).then(
      (body) => {
        // The weak ETag stays: the same content in another encoding (as nginx's gzip module keeps it).
        res.setHeader('Content-Encoding', encoding);
        res.setHeader('Content-Length', String(body.length));
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.destroy(),
    );
    return;
  }
  res.setHeader('Content-Length', String(file.size));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = fs.createReadStream(file.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * An API request through the route table (src/server/http/api-router.ts), converted between node:http and
 * fetch's Request/Response by src/server/http/node-exchange.ts (body and signal made on first use, JSON answers in one
 * write, streams as they come). The response carries the security headers (`defaults`) whatever the
 * route did. A path the table does not serve goes to the app, with those headers set first.
 */
async function serveApi(api: ApiRouter, app: AppHandler, req: http.IncomingMessage, res: http.ServerResponse, pathname: string, defaults: DefaultHeaders): Promise<void> {
  try {
    const found = await api.match(pathname);
    if (!found) {
      for (const [name, value] of defaults.pairs) res.setHeader(name, value);
      return await app(req, res);
    }
    const url = requestUrl(req);
    const request = requestFromNode(req, res, url.href);
    const response = await found.handle({ request, url, clientAddress: req.socket.remoteAddress });
    await writeNodeResponse(response, res, defaults);
  } catch (error) {
    // A client that left while its request body was read is no failure.
    if (req.socket.destroyed && !res.headersSent) return;
    // What the adapter answers for a route that throws (the routes map their own errors: this is a bug).
    process.stderr.write(`huaku: ${req.method} ${pathname} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    if (!res.headersSent) res.writeHead(500, [...defaults.pairs.flat(), 'Content-Type', 'text/plain; charset=utf-8']).end('Internal Server Error');
    else res.destroy();
  }
}

/** The request's absolute URL as the adapter builds it: the socket's protocol, the Host header, the path as sent. */
function requestUrl(req: http.IncomingMessage): URL {
  const protocol = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
  const host = req.headers.host ?? req.headers[':authority'];
  const origin = `${protocol}://${typeof host === 'string' ? host : 'localhost'}`;
  return URL.parse(`${origin}${req.url ?? ''}`) ?? URL.parse(origin) ?? new URL(`${protocol}://localhost`);
}

/** The request handler: `/api` to the route table, `/media` to the app, then the static manifest, then the app. */
function createRequestHandler(app: AppHandler, api: ApiRouter | null, manifest: Map<string, StaticFile>, security: SecurityHeaderOptions): http.RequestListener {
  const defaults = defaultHeaders([...securityHeaderValues(security), ['Content-Security-Policy', DOCUMENT_CSP]]);
  const compressed = new CompressedFiles();
  return (req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const pathname = query === -1 ? url : url.slice(0, query);
    let decoded: string | undefined;
    try {
      decoded = decodeURI(pathname);
    } catch {
      // Malformed percent-encoding: answered below.
    }
    // The route table's answers get the headers as they are written (serveApi).
    if (api && decoded !== undefined && pathname.startsWith('/api/')) return void serveApi(api, app, req, res, decoded, defaults);
    for (const [name, value] of defaults.pairs) res.setHeader(name, value);
    if (decoded === undefined) {
      // Malformed percent-encoding: a client error, never a 500 (the adapter answers the same).
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Bad request.');
      return;
    }
    if (pathname.startsWith('/api/')) return void app(req, res);
    if (!pathname.startsWith('/media/') && (req.method === 'GET' || req.method === 'HEAD')) {
      const file = manifest.get(decoded);
      if (file) return sendStatic(req, res, file, compressed);
    }
    void app(req, res);
  };
}

export async function startHttpServer(options: { outDir: string; host: string; port: number; security: SecurityHeaderOptions }): Promise<http.Server> {
  const entry = path.resolve(options.outDir, 'server', 'entry.mjs');
  const { handler } = (await import(pathToFileURL(entry).href)) as { handler: AppHandler };
  // A build without the table (made before it existed) serves its API through Astro.
  const table = path.resolve(options.outDir, 'server', API_ROUTES_FILE);
  const api = fs.existsSync(table) ? ((await import(pathToFileURL(table).href)) as { apiRouter: ApiRouter }).apiRouter : null;
  const manifest = staticManifest(path.resolve(options.outDir, 'client'));
  const server = http.createServer(createRequestHandler(handler, api, manifest, options.security));
  // Idle keep-alive connections stay open longer than a proxy's or client's own idle timeout (nginx and most
  // load balancers: 60 s): the side that closes first must be the client, or a request it sends on a
  // connection the server is closing at that moment is reset (seen under load with Node's 5 s default).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}

if (import.meta.main) {
  const config = loadConfig();
  const outDir = process.argv[2] ?? 'dist';
  const server = await startHttpServer({ outDir, host: config.server.host, port: config.server.port, security: securityHeaderOptions(config) });
  const address = server.address();
  const where = typeof address === 'object' && address ? `http://${address.address}:${address.port}` : String(address);
  process.stdout.write(`huaku: serving ${outDir} on ${where}\n`);
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
