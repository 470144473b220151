// Test helpers for ingest/media (not used by production code): a real node:http server that serves bytes,
// a minimal HttpClient over global fetch (the real polite client lives in ingest/http/), and sharp-made
// images.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HttpStatusError } from '../http/errors.ts';
import type { HttpClient, HttpRequest, HttpStats, JsonResponse, StreamResponse } from '../http/http-client.ts';

export interface Route {
  status?: number;
  contentType?: string;
  body: Buffer | string;
  /** Send without Content-Length (chunked), so only the streamed byte count can enforce a size cap. */
  chunked?: boolean;
}

export interface TestServer {
  /** Absolute URL of a path on this server. */
  url(path: string): string;
  /** Replace or add a route while running. */
  set(path: string, route: Route): void;
  /** How many requests each path received. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = table.get(path) ?? { status: 404, contentType: 'text/html', body: '<html><body>Not Found</body></html>' };
    const body = typeof route.body === 'string' ? Buffer.from(route.body) : route.body;
    const headers: Record<string, string> = { 'content-type': route.contentType ?? 'application/octet-stream' };
    if (!route.chunked) headers['content-length'] = String(body.byteLength);
    res.writeHead(route.status ?? 200, headers);
    if (route.chunked) {
      // Several writes so the client sees a streamed body.
      const size = Math.max(1, Math.ceil(body.byteLength / 8));
      for (let offset = 0; offset < body.byteLength; offset += size) res.write(body.subarray(offset, offset + size));
      res.end();
    } else {
      res.end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, route) => void table.set(path, route),
    hits,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The smallest honest HttpClient: global fetch, no rate limit or retry; non-2xx → HttpStatusError. */
export function fetchHttpClient(): HttpClient & { requests: HttpRequest[] } {
  const stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0, bytes: 0 };
  const requests: HttpRequest[] = [];
  async function send(request: HttpRequest): Promise<Response> {
    requests.push(request);
    stats.requests++;
    const response = await fetch(request.url, { method: request.method ?? 'GET', headers: request.headers, signal: request.signal });
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new HttpStatusError(response.status, { method: request.method ?? 'GET', url: request.url, attempt: 1 }, { bodyExcerpt: text.slice(0, 200) });
    }
    return response;
  }
  return {
    requests,
    async json(request): Promise<JsonResponse> {
      const response = await send(request);
      return { status: response.status, headers: Object.fromEntries(response.headers), data: await response.json() };
    },
    async stream(request): Promise<StreamResponse> {
      const response = await send(request);
      const body = response.body ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) : Readable.from([]);
      return { status: response.status, headers: Object.fromEntries(response.headers), body };
    },
    stats: () => ({ ...stats }),
    close: async () => {},
  };
}

