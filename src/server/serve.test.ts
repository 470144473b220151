import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from './serve.ts';

// A stand-in build: the app's handler names what reached it; the API route table serves a JSON route and a
// server-sent event stream that never ends (its first event must arrive all the same).
const ENTRY = `export const handler = async (req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('app ' + req.url); };`;
const TABLE = `
const answer = (handle) => ({ route: 'x', params: {}, handle });
export const apiRouter = {
  routes: ['/api/json', '/api/stream'],
  async match(pathname) {
    if (pathname === '/api/json') return answer(async ({ request, url, clientAddress }) => Response.json({ method: request.method, path: url.pathname, body: await request.text(), clientAddress }));
    if (pathname === '/api/stream') return answer(async () => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('data: first\\n\\n')); } }), { headers: { 'content-type': 'text/event-stream' } }));
    return null;
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
    expect(await json.json()).toEqual({ method: 'POST', path: '/api/json', body: 'hi', clientAddress: '127.0.0.1' });
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await (await fetch(`${base}/api/unknown`)).text()).toBe('app /api/unknown');
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
});
