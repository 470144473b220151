import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHttpServer } from './serve.ts';

// A stand-in build: the app's handler names what reached it; the API route table serves a JSON route, one
// setting cookies and a header of its own, one that throws, and a server-sent event stream that never ends
// (its first event must arrive all the same; it notes when its request's signal aborts).
const ENTRY = `export const handler = async (req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('app ' + req.url); };`;
const TABLE = `
const answer = (handle) => ({ route: 'x', params: {}, handle });
const routes = {
  '/api/json': async ({ request, url, clientAddress }) => Response.json({ method: request.method, path: url.pathname, search: url.search, body: await request.text(), clientAddress }),
  '/api/cookies': async () => {
    const response = Response.json({ ok: '好' }, { headers: { 'referrer-policy': 'no-referrer' } });
    response.headers.append('set-cookie', 'a=1; Path=/');
    response.headers.append('set-cookie', 'b=2; Path=/');
    return response;
  },
  '/api/body': async ({ request }) => {
    const before = request.bodyUsed;
    let length = 0;
    const reader = request.body.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) length += r.value.byteLength;
    return Response.json({ before, length, after: request.bodyUsed });
  },
  '/api/throws': async () => { throw new Error('a bug (expected in this test)'); },
  '/api/stream': async ({ request }) => {
    request.signal.addEventListener('abort', () => { globalThis.huakuServeTestAborted = true; });
    return new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('data: first\\n\\n')); } }), { headers: { 'content-type': 'text/event-stream' } });
  },
};
export const apiRouter = {
  routes: Object.keys(routes),
  async match(pathname) {
    return routes[pathname] ? answer(routes[pathname]) : null;
  },
};`;

const PAGE = `<!doctype html><ul>${'<li>画库 work card</li>'.repeat(200)}</ul>`;

/** A GET with exactly these request headers (fetch would add and undo its own Accept-Encoding). */
function get(url: string, headers: Record<string, string>): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('serve.ts', () => {
  let dir: string;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'huaku-serve-'));
    await fs.mkdir(path.join(dir, 'server'), { recursive: true });
    await fs.writeFile(path.join(dir, 'server', 'entry.mjs'), ENTRY);
    await fs.writeFile(path.join(dir, 'server', 'api-routes.mjs'), TABLE);
    await fs.mkdir(path.join(dir, 'client', '_astro'), { recursive: true });
    await fs.writeFile(path.join(dir, 'client', 'index.html'), PAGE);
    await fs.writeFile(path.join(dir, 'client', '_astro', 'tiny.css'), 'a{color:red}');
    server = await startHttpServer({ outDir: dir, host: '127.0.0.1', port: 0, security: { hsts: false } });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers /api from the route table and leaves what it does not serve to the app', async () => {
    const json = await fetch(`${base}/api/json?q=1`, { method: 'POST', body: 'hi' });
    expect(await json.json()).toEqual({ method: 'POST', path: '/api/json', search: '?q=1', body: 'hi', clientAddress: '127.0.0.1' });
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    const unknown = await fetch(`${base}/api/unknown`);
    expect([await unknown.text(), unknown.headers.get('x-frame-options')]).toEqual(['app /api/unknown', 'DENY']);
    expect(await (await fetch(`${base}/user/x`)).text()).toBe('app /user/x');
  });

  it('sends a streamed API answer as it is written, not when it ends', async () => {
    const controller = new AbortController();
    const firstEvent = async () => {
      const response = await fetch(`${base}/api/stream`, { signal: controller.signal });
      return new TextDecoder().decode((await response.body!.getReader().read()).value);
    };
    const first = await Promise.race([firstEvent(), new Promise<string>((resolve) => setTimeout(() => resolve('held back'), 5000))]);
    controller.abort();
    expect(first).toBe('data: first\n\n');
  });

  it('sends static text compressed when the client accepts it, and as built otherwise', async () => {
    const br = await get(`${base}/`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(Buffer.byteLength(PAGE) / 10);
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(PAGE);
    // Served again from memory, the same bytes.
    expect((await get(`${base}/`, { 'accept-encoding': 'br' })).body.equals(br.body)).toBe(true);

    const gzip = await get(`${base}/`, { 'accept-encoding': 'gzip, br;q=0' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gzip.body).toString()).toBe(PAGE);

    const plain = await get(`${base}/`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(PAGE);
    // Too small to gain anything.
    expect((await get(`${base}/_astro/tiny.css`, { 'accept-encoding': 'br' })).headers['content-encoding']).toBeUndefined();
  });

  it('reads request bodies of any size and framing, as text or as a stream', async () => {
    const echo = async (body: BodyInit, init: RequestInit = {}) => ((await (await fetch(`${base}/api/json?q=1`, { method: 'POST', body, ...init })).json()) as { body: string; search: string }).body;
    expect(await echo('')).toBe('');
    expect(await echo('早'.repeat(30_000))).toBe('早'.repeat(30_000)); // 90 000 bytes: over the buffered size
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('one '));
        c.enqueue(new TextEncoder().encode('two'));
        c.close();
      },
    });
    expect(await echo(chunked, { duplex: 'half' } as RequestInit)).toBe('one two');
    const streamed = await fetch(`${base}/api/body`, { method: 'PUT', body: new Uint8Array(100_000) });
    expect(await streamed.json()).toEqual({ before: false, length: 100_000, after: true });
  });

  it('writes a JSON answer with its length, its cookies and own headers, and the security headers it lacks', async () => {
    const response = await fetch(`${base}/api/cookies`);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ ok: '好' });
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('answers a route that throws with a 500 carrying the security headers, and survives a client leaving mid-body', async () => {
    const failed = await fetch(`${base}/api/throws`);
    expect([failed.status, failed.headers.get('x-content-type-options')]).toEqual([500, 'nosniff']);
    const { port } = server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /api/json HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nabc');
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    expect(((await (await fetch(`${base}/api/json`, { method: 'POST', body: 'next' })).json()) as { body: string }).body).toBe('next');
  });

  it('aborts the request signal of a stream whose client went away', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/api/stream`, { signal: controller.signal });
    await response.body!.getReader().read();
    controller.abort();
    await vi.waitFor(() => expect((globalThis as { huakuServeTestAborted?: boolean }).huakuServeTestAborted).toBe(true), { timeout: 10_000 });
  });
});
