// PoliteHttpClient against real local HTTP servers (node:http on 127.0.0.1, port 0). Time assertions are
// lower bounds only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable, type Readable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpStatusError, NetworkError, ResponseFormatError, TimeoutError, errorKindOf } from './errors.ts';
import { PoliteHttpClient, type PoliteHttpClientOptions } from './polite-http-client.ts';

interface Seen {
  at: number;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface TestServer {
  url: string;
  seen: Seen[];
  inFlight: number;
  maxInFlight: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number, seen: Seen) => void | Promise<void>;

const servers: Server[] = [];
const clients: PoliteHttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

async function startServer(handler: Handler): Promise<TestServer> {
  const state: TestServer = { url: '', seen: [], inFlight: 0, maxInFlight: 0 };
  const server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: Seen = { at, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      state.seen.push(seen);
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        state.inFlight -= 1;
      };
      res.on('finish', finish);
      res.on('close', finish);
      void handler(req, res, state.seen.length, seen);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

const silent = pino({ level: 'silent' });
const noSleep = (): Promise<void> => Promise.resolve();

function client(options: Partial<PoliteHttpClientOptions> = {}): PoliteHttpClient {
  const c = new PoliteHttpClient({ rps: 1000, logger: silent, runId: 'run-test', baseDelayMs: 5, maxDelayMs: 20, ...options });
  clients.push(c);
  return c;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('PoliteHttpClient: JSON', () => {
  it('parses losslessly: big ids come back as exact strings', async () => {
    const body = '{"id":1951175521614138640,"n":1.5,"small":42}';
    const server = await startServer((_req, res) => sendJson(res, 200, body));
    const http = client();
    const response = await http.json({ url: `${server.url}/x`, stage: 'detail', key: 'x' });
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ id: '1951175521614138640', n: 1.5, small: 42 });
    expect(response.headers['content-type']).toBe('application/json');
    expect(http.stats()).toEqual({ requests: 1, retries: 0, rateLimited: 0, bytes: Buffer.byteLength(body) });
  });

  it('POSTs a JSON body with content-type, user agent and default headers', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, '{"code":0}'));
    const http = client({ userAgent: 'TestAgent/1', defaultHeaders: { Origin: 'https://www.liblib.art' } });
    await http.json({ url: `${server.url}/search?timestamp=1`, json: { page: 1 }, stage: 'list', key: 'page-1', headers: { 'X-Extra': 'y' } });
    const [seen] = server.seen;
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/search?timestamp=1');
    expect(seen?.body).toBe('{"page":1}');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['user-agent']).toBe('TestAgent/1');
    expect(seen?.headers.origin).toBe('https://www.liblib.art');
    expect(seen?.headers['x-extra']).toBe('y');
  });

  it('follows redirects, each hop a request, none a retry', async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/new' });
        res.end();
      } else sendJson(res, 200, '{"ok":true}');
    });
    const http = client();
    const response = await http.json({ url: `${server.url}/old`, stage: 'detail', key: 'r' });
    expect(response.data).toEqual({ ok: true });
    expect(server.seen.map((s) => s.url)).toEqual(['/old', '/new']);
    expect(http.stats()).toMatchObject({ requests: 2, retries: 0 });
  });

  it('logs every attempt as one JSON line with run id, stage, key, attempt, status, ms and url', async () => {
    const server = await startServer((_req, res, n) => (n === 1 ? sendJson(res, 500, '{"error":"boom"}') : sendJson(res, 200, '{}')));
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        callback();
      },
    });
    const http = client({ logger: pino({ level: 'debug' }, sink) });
    await http.json({ url: `${server.url}/x?token=secret`, stage: 'detail', key: 'work-1' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, runId: 'run-test', stage: 'detail', key: 'work-1', attempt: 1, status: 500, kind: 'http' });
    expect(lines[1]).toMatchObject({ level: 20, runId: 'run-test', stage: 'detail', key: 'work-1', attempt: 2, status: 200 });
    expect(typeof lines[1]?.ms).toBe('number');
    expect(lines[1]?.url).toBe(`${server.url}/x?token=REDACTED`);
  });
});

describe('PoliteHttpClient: retries and rate limits', () => {
  it('429 with Retry-After (seconds) waits, retries for free, and pauses the whole host', async () => {
    let rateLimitedAt = 0;
    const server = await startServer((req, res, n) => {
      if (n === 1) {
        rateLimitedAt = performance.now();
        sendJson(res, 429, '{"error":"slow down"}', { 'retry-after': '1' });
      } else sendJson(res, 200, `{"url":"${req.url}"}`);
    });
    const http = client();
    const start = performance.now();
    const first = http.json({ url: `${server.url}/a`, stage: 'list', key: 'a' });
    while (http.stats().rateLimited === 0) await wait(5);
    // Another stage asking after the 429: the pause applies to it too.
    const other = await http.json({ url: `${server.url}/b`, stage: 'media', key: 'b' });
    expect(other.data).toEqual({ url: '/b' });
    expect((await first).data).toEqual({ url: '/a' });
    expect(performance.now() - start).toBeGreaterThanOrEqual(990);
    for (const seen of server.seen.slice(1)) expect(seen.at - rateLimitedAt).toBeGreaterThanOrEqual(990);
    expect(http.stats()).toMatchObject({ requests: 3, retries: 0, rateLimited: 1 });
  });

  it('429 with Retry-After as an HTTP-date ~1 s ahead', async () => {
    let target = 0;
    const server = await startServer((_req, res, n) => {
      if (n === 1) {
        // HTTP-dates have 1-second resolution: round up so the wait is at least ~1 s.
        target = Math.ceil((Date.now() + 1000) / 1000) * 1000;
        sendJson(res, 429, '{}', { 'retry-after': new Date(target).toUTCString() });
      } else sendJson(res, 200, '{"ok":1}');
    });
    const http = client();
    const start = Date.now();
    const response = await http.json({ url: `${server.url}/d`, stage: 'list', key: 'd' });
    expect(response.data).toEqual({ ok: 1 });
    expect(Date.now() - start).toBeGreaterThanOrEqual(950);
    expect(Date.now()).toBeGreaterThanOrEqual(target - 20);
    expect(http.stats()).toMatchObject({ requests: 2, retries: 0, rateLimited: 1 });
  });

  it('503 with Retry-After is a free wait too; 503 without it consumes a retry', async () => {
    const server = await startServer((_req, res, n) => {
      if (n === 1) sendJson(res, 503, '{"error":"Server busy, please retry shortly."}', { 'retry-after': '0' });
      else if (n === 2) sendJson(res, 503, '{"error":"busy"}');
      else sendJson(res, 200, '{}');
    });
    const http = client();
    await http.json({ url: server.url, stage: 'list', key: 'x' });
    expect(server.seen).toHaveLength(3);
    expect(http.stats()).toMatchObject({ requests: 3, retries: 1, rateLimited: 1 });
  });

  it('429 without Retry-After backs off and consumes a retry', async () => {
    const server = await startServer((_req, res, n) => (n === 1 ? sendJson(res, 429, '{}') : sendJson(res, 200, '{}')));
    const http = client();
    await http.json({ url: server.url, stage: 'list', key: 'x' });
    expect(http.stats()).toMatchObject({ requests: 2, retries: 1, rateLimited: 1 });
  });

  it('a server that 429s forever cannot hang us (maxRateLimitWaits, then retries)', async () => {
    const server = await startServer((_req, res) => sendJson(res, 429, '{}', { 'retry-after': '0' }));
    const http = client({ maxRateLimitWaits: 3, maxRetries: 2 });
    const error = await http.json({ url: server.url, stage: 'list', key: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(429);
    expect(server.seen).toHaveLength(3 + 1 + 2);
    expect(http.stats()).toMatchObject({ requests: 6, retries: 2, rateLimited: 6 });
  });

  it('500 on every attempt: throws HttpStatusError after exactly maxRetries+1 requests', async () => {
    const server = await startServer((_req, res) => sendJson(res, 500, '{"error":"internal"}'));
    const http = client({ maxRetries: 3 });
    const error = await http.json({ url: `${server.url}/w`, stage: 'detail', key: 'w' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).retryable).toBe(true);
    expect((error as HttpStatusError).message).toBe(`HTTP 500: {"error":"internal"} (GET ${server.url}/w, attempt 4)`);
    expect(server.seen).toHaveLength(4);
    expect(http.stats()).toMatchObject({ requests: 4, retries: 3 });
  });

  it('404 is permanent: one request, retryable=false, kind http', async () => {
    const server = await startServer((_req, res) => sendJson(res, 404, '{"error":"No model with id 0"}'));
    const http = client();
    const error = await http.json({ url: `${server.url}/models/0`, stage: 'detail', key: '0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 404, retryable: false, kind: 'http', bodyExcerpt: '{"error":"No model with id 0"}' });
    expect(errorKindOf(error)).toBe('http');
    expect(server.seen).toHaveLength(1);
    expect(http.stats()).toMatchObject({ requests: 1, retries: 0 });
  });

  it('connection reset: NetworkError after retries', async () => {
    const server = await startServer((req) => {
      req.socket.destroy();
    });
    const http = client({ maxRetries: 2 });
    const error = await http.json({ url: server.url, stage: 'list', key: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(errorKindOf(error)).toBe('network');
    expect((error as NetworkError).message).toMatch(/attempt 3\)$/);
    expect(server.seen).toHaveLength(3);
  });

  it('connection refused: NetworkError', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, '{}'));
    const url = server.url;
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const http = client({ maxRetries: 1 });
    const error = await http.json({ url, stage: 'list', key: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('ECONNREFUSED');
    expect(http.stats()).toMatchObject({ requests: 2, retries: 1 });
  });

  it('a server that never answers: TimeoutError (headers)', async () => {
    const server = await startServer(() => undefined);
    // undici checks headers/body timeouts on its coarse "fast timers" (~0.5–1 s resolution), so each
    // attempt here takes about a second whatever the small value.
    const http = client({ headersTimeoutMs: 150, maxRetries: 1 });
    const error = await http.json({ url: server.url, stage: 'detail', key: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe('headers');
    expect(errorKindOf(error)).toBe('timeout');
    expect(server.seen).toHaveLength(2);
  });

  it('HTML 200 for a JSON request: ResponseFormatError, retried', async () => {
    const html = '<!DOCTYPE html><html><body>Gateway hiccup</body></html>';
    const flaky = await startServer((_req, res, n) => {
      if (n === 1) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(html);
      } else sendJson(res, 200, '{"ok":true}');
    });
    const http = client();
    expect((await http.json({ url: flaky.url, stage: 'list', key: 'x' })).data).toEqual({ ok: true });
    expect(http.stats()).toMatchObject({ requests: 2, retries: 1 });

    const broken = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    });
    const error = await http.json({ url: broken.url, stage: 'list', key: 'y' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect(error).toMatchObject({ status: 200, contentType: 'text/html', retryable: true, kind: 'http' });
    expect(broken.seen).toHaveLength(5);
  });

  it('backoff: exponential caps with full jitter, within [0, cap]', async () => {
    const server = await startServer((_req, res) => sendJson(res, 502, '{}'));
    const maxed: number[] = [];
    const top = client({ maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.9999, sleep: async (ms) => void maxed.push(ms) });
    await expect(top.json({ url: server.url, stage: 'list', key: 'x' })).rejects.toBeInstanceOf(HttpStatusError);
    expect(maxed).toEqual([99, 199, 399, 799, 999]);

    const delays: number[] = [];
    const jittered = client({ maxRetries: 6, baseDelayMs: 100, maxDelayMs: 1000, sleep: async (ms) => void delays.push(ms) });
    await expect(jittered.json({ url: server.url, stage: 'list', key: 'y' })).rejects.toBeInstanceOf(HttpStatusError);
    expect(delays).toHaveLength(6);
    delays.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(Math.min(1000, 100 * 2 ** i));
    });
  });

  it('an abort during backoff rejects with the abort reason', async () => {
    const server = await startServer((_req, res) => sendJson(res, 500, '{}'));
    const http = client({ baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 0.5 });
    const controller = new AbortController();
    const pending = http.json({ url: server.url, stage: 'list', key: 'x', signal: controller.signal });
    while (server.seen.length === 0) await wait(5);
    await wait(20);
    controller.abort(new Error('run cancelled'));
    await expect(pending).rejects.toThrow('run cancelled');
    expect(server.seen).toHaveLength(1);
  });
});

describe('PoliteHttpClient: politeness', () => {
  it('rps=10 burst=1: no 1-second window holds more than 10 requests at the server', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, '{}'));
    const http = client({ rps: 10, burst: 1, stageConcurrency: { list: 20 } });
    const start = performance.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => http.json({ url: `${server.url}/${i}`, stage: 'list', key: String(i) })));
    const elapsed = performance.now() - start;
    const times = server.seen.map((s) => s.at).sort((a, b) => a - b);
    expect(times).toHaveLength(20);
    // The client hands out tokens ≥ 100 ms apart, so the 11th request after any request is ≥ 1000 ms later
    // at the client. Arrival times at the server add event-loop/socket jitter (both run in this process, which
    // shares two cores with the rest of the suite: 25 ms was exceeded in CI), so the window checked is 1000 ms
    // minus a 100 ms jitter allowance, with no +1 tolerance: a bucket at 12 rps still puts 11 requests in it,
    // and the elapsed time below catches a slower drift.
    const JITTER_MS = 100;
    for (let i = 0; i + 10 < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 1000 - JITTER_MS).length;
      expect(inWindow, `window starting at request ${i}`).toBeLessThanOrEqual(10);
    }
    expect(elapsed).toBeGreaterThanOrEqual(1800);
    expect(http.stats().requests).toBe(20);
  });

  it('stage concurrency: at most 3 in flight at the server, and it reaches 3', async () => {
    const server = await startServer(async (_req, res) => {
      await wait(100);
      sendJson(res, 200, '{}');
    });
    const http = client({ stageConcurrency: { detail: 3 } });
    await Promise.all(Array.from({ length: 12 }, (_, i) => http.json({ url: server.url, stage: 'detail', key: String(i) })));
    expect(server.seen).toHaveLength(12);
    expect(server.maxInFlight).toBe(3);
  });

  it('stages have separate limits; unknown stages get the default', async () => {
    const server = await startServer(async (_req, res) => {
      await wait(80);
      sendJson(res, 200, '{}');
    });
    const http = client({ stageConcurrency: { list: 1 }, defaultStageConcurrency: 2 });
    await Promise.all([
      ...Array.from({ length: 3 }, (_, i) => http.json({ url: server.url, stage: 'list', key: `l${i}` })),
      ...Array.from({ length: 4 }, (_, i) => http.json({ url: server.url, stage: 'author', key: `a${i}` })),
    ]);
    expect(server.maxInFlight).toBe(3);
  });

  it('streams hold their stage slot until consumed or destroyed; bytes are counted', async () => {
    const payload = Buffer.alloc(10_000, 7);
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(payload.length) });
      res.end(payload);
    });
    const http = client({ stageConcurrency: { media: 2 } });
    const request = (key: string) => http.stream({ url: `${server.url}/${key}.png`, stage: 'media', key });
    const first = await request('1');
    const second = await request('2');
    let thirdDone = false;
    const third = request('3').then((r) => {
      thirdDone = true;
      return r;
    });
    await wait(150);
    expect(server.seen).toHaveLength(2);
    expect(thirdDone).toBe(false);

    expect((await readAll(first.body)).equals(payload)).toBe(true);
    const thirdResponse = await third;
    expect(server.seen).toHaveLength(3);
    expect(thirdResponse.status).toBe(200);
    expect(thirdResponse.headers['content-type']).toBe('image/png');

    let fourthDone = false;
    const fourth = request('4').then((r) => {
      fourthDone = true;
      return r;
    });
    await wait(100);
    expect(fourthDone).toBe(false);
    second.body.destroy();
    const fourthResponse = await fourth;
    await Promise.all([readAll(thirdResponse.body), readAll(fourthResponse.body)]);
    expect(server.seen).toHaveLength(4);
    expect(http.stats().bytes).toBeGreaterThanOrEqual(3 * payload.length);
  });

  it('stream(): errors before headers are retried like json(); 4xx is permanent', async () => {
    const server = await startServer((req, res, n) => {
      if (req.url === '/gone.png') return sendJson(res, 404, '{}');
      if (n === 1) return sendJson(res, 502, 'bad gateway');
      res.writeHead(200, { 'content-type': 'image/webp' });
      res.end('RIFF');
    });
    const http = client();
    const ok = await http.stream({ url: `${server.url}/a.webp`, stage: 'media', key: 'a' });
    expect((await readAll(ok.body)).toString()).toBe('RIFF');
    expect(http.stats()).toMatchObject({ requests: 2, retries: 1 });
    await expect(http.stream({ url: `${server.url}/gone.png`, stage: 'media', key: 'g' })).rejects.toMatchObject({
      status: 404,
      retryable: false,
    });
  });

  it('a body cut off mid-stream surfaces as a NetworkError on the stream', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
      setTimeout(() => req.socket.destroy(), 20);
    });
    const http = client({ stageConcurrency: { media: 1 } });
    const response = await http.stream({ url: server.url, stage: 'media', key: 'cut' });
    const error = await readAll(response.body).catch((e: unknown) => e);
    expect(errorKindOf(error)).toBe('network');
    // The slot was released: the next media request goes through.
    const next = await http.stream({ url: server.url, stage: 'media', key: 'next' });
    next.body.destroy();
  });
});
