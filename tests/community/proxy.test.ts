// Security class: the server behind a TLS-terminating reverse proxy. The built server runs with
// TRUSTED_PROXIES=127.0.0.2 behind a node:http proxy on loopback that connects from 127.0.0.2; clients
// connect from addresses of their own (127.0.0.x). Forwarded protocol, host and address count only from
// the trusted hop: writes behind it succeed, the same headers from an untrusted hop or client are ignored,
// and rate limits count per real client. The header parsing itself (hop counts, Forwarded, IPv6) is
// checked directly at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustedProxies } from '../../src/core/env.ts';
import { ProxyTrust } from '../../src/server/http/client-address.ts';
import { makeWorkDir } from '../browser/harness.ts';
import { site } from '../browser/site.ts';
import { sendFrom, sqliteBackend, startCommunityServer, startReverseProxy, type Backend, type CommunityServer } from './harness.ts';

const SITE_URL = 'https://huaku.test';
/** A second public name of the site (SITE_URL does not list it): allowed only as the trusted proxy reports it. */
const ALIAS = 'www.huaku.test';

describe('behind a reverse proxy', () => {
  let work: { dir: string; cleanup: () => Promise<void> };
  let backend: Backend;
  let server: CommunityServer;
  let trusted: Awaited<ReturnType<typeof startReverseProxy>>;
  let rogue: Awaited<ReturnType<typeof startReverseProxy>>;

  beforeAll(async () => {
    work = await makeWorkDir('huaku-proxy-');
    backend = await sqliteBackend(work.dir);
    server = await startCommunityServer({
      outDir: site().emptyOutDir,
      dir: work.dir,
      backend,
      env: { SITE_URL, TRUSTED_PROXIES: '127.0.0.2/32', RATE_LIMIT_LOGIN: '3/1m' },
    });
    trusted = await startReverseProxy({ target: server.url, localAddress: '127.0.0.2', proto: 'https', host: ALIAS });
    // The same proxy software at an address nobody trusts: its headers are as good as a client's.
    rogue = await startReverseProxy({ target: server.url, localAddress: '127.0.0.6', proto: 'https', host: ALIAS });
    await server.user('proxied', { password: 'pass-word-1' });
  });
  afterAll(async () => {
    await trusted?.close();
    await rogue?.close();
    await server?.stop();
    await work?.cleanup();
  });

  const login = (from: string, base: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    sendFrom(from, `${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('writes through the trusted TLS proxy succeed: a form login from SITE_URL, a JSON write from the host the proxy names', async () => {
    const form = await sendFrom('127.0.0.10', `${trusted.url}/api/auth/login`, {
      method: 'POST',
      headers: { origin: SITE_URL, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ username: 'proxied', password: 'pass-word-1', next: '/upload' }).toString(),
    });
    expect([form.status, form.headers.location]).toEqual([303, '/upload']);
    expect(String(form.headers['set-cookie'])).toMatch(/^huaku_session=/);

    const viaTrusted = await login('127.0.0.11', trusted.url, { username: 'proxied', password: 'wrong-password' }, { origin: `https://${ALIAS}` });
    expect(viaTrusted.status).toBe(401); // past the origin check: only the password was wrong
    // The same request through the untrusted hop, and sent directly with the forwarded headers spoofed.
    const viaRogue = await login('127.0.0.11', rogue.url, { username: 'proxied', password: 'wrong-password' }, { origin: `https://${ALIAS}` });
    expect([viaRogue.status, JSON.parse(viaRogue.body).error.code]).toEqual([403, 'cross_site']);
    const spoofed = await login('127.0.0.11', server.url, { username: 'proxied', password: 'wrong-password' }, {
      origin: `https://${ALIAS}`,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': ALIAS,
      'x-forwarded-for': '127.0.0.2',
    });
    expect(spoofed.status).toBe(403);
  });

  it('rate-limits each real client behind the proxy; spoofed X-Forwarded-For from an untrusted client changes nothing', async () => {
    const attempts = async (send: (i: number) => Promise<{ status: number; headers: Record<string, unknown> }>) => {
      const statuses: number[] = [];
      let retryAfter: unknown;
      for (let i = 0; i < 4; i++) {
        const reply = await send(i);
        statuses.push(reply.status);
        if (reply.status === 429) retryAfter = reply.headers['retry-after'];
      }
      return { statuses, retryAfter };
    };
    // Client A through the proxy: three attempts a minute, then 429 with Retry-After.
    const a = await attempts((i) => login('127.0.0.3', trusted.url, { username: `nobody_a${i}`, password: 'x' }));
    expect(a.statuses).toEqual([401, 401, 401, 429]);
    expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    // A client talking to the server directly, claiming to be client B (and then others) in X-Forwarded-For:
    // every attempt counts against its own address.
    const spoofer = await attempts((i) => login('127.0.0.12', server.url, { username: `nobody_s${i}`, password: 'x' }, { 'x-forwarded-for': i === 0 ? '127.0.0.4' : `198.51.100.${i}` }));
    expect(spoofer.statuses).toEqual([401, 401, 401, 429]);
    // Client B through the same proxy has a bucket of its own, untouched by A and by the spoofer.
    expect((await login('127.0.0.4', trusted.url, { username: 'nobody_b', password: 'x' })).status).toBe(401);
  });
});

describe('reading forwarding headers', () => {
  const facts = (peer: string, headers: Record<string, string>) => ({ peer, protocol: 'http:', host: '10.0.0.5:4321', headers: new Headers(headers) });
  const trust = (value: string, proxyHeaders: 'x-forwarded' | 'forwarded' = 'x-forwarded') => new ProxyTrust({ trustedProxies: parseTrustedProxies(value)!, proxyHeaders });

  it('walks X-Forwarded-For from the peer leftwards through trusted hops only', () => {
    const chain = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'huaku.test' };
    expect(trust('10.0.0.0/8').resolve(facts('10.0.0.1', chain))).toMatchObject({ ip: '203.0.113.9', protocol: 'https', origin: 'https://huaku.test' });
    expect(trust('2').resolve(facts('10.0.0.1', chain)).ip).toBe('203.0.113.9'); // two proxies: the peer and 10.0.0.7
    expect(trust('off').resolve(facts('10.0.0.1', chain))).toMatchObject({ ip: '10.0.0.1', protocol: 'http', origin: 'http://10.0.0.5:4321' });
    expect(trust('10.0.0.0/8').resolve(facts('192.0.2.1', chain))).toMatchObject({ ip: '192.0.2.1', protocol: 'http' }); // an untrusted peer
    // A client's own X-Forwarded-Proto sits left of what the proxy appended.
    expect(trust('1').resolve(facts('10.0.0.1', { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https, http' })).protocol).toBe('http');
    // Garbage in the header is never taken for an address or a host.
    expect(trust('1').resolve(facts('10.0.0.1', { 'x-forwarded-for': 'not-an-ip', 'x-forwarded-host': 'evil.test/x' }))).toMatchObject({ ip: '10.0.0.1', host: '10.0.0.5:4321' });
  });

  it('reads RFC 7239 Forwarded instead when configured, ignoring X-Forwarded-* (and the other way round)', () => {
    const headers = { forwarded: 'for=6.6.6.6;proto=http, for="[2001:db8:1:2::9]:4711";proto=https;host=huaku.test', 'x-forwarded-for': '1.2.3.4' };
    const forwarded = trust('::1', 'forwarded').resolve(facts('::1', headers));
    expect(forwarded).toMatchObject({ ip: '2001:db8:1:2::9', protocol: 'https', host: 'huaku.test', rateKey: '2001:db8:1:2::/64' });
    expect(trust('::1').resolve(facts('::ffff:127.0.0.1', headers)).ip).toBe('127.0.0.1'); // ::1 only: 127.0.0.1 is not trusted
    expect(trust('127.0.0.1').resolve(facts('::ffff:127.0.0.1', headers)).ip).toBe('1.2.3.4');
  });

  it('refuses a malformed TRUSTED_PROXIES value', () => {
    for (const bad of ['11', '10.0.0.0/33', 'localhost', '1.2.3.4/8/8', '::1/129']) expect(parseTrustedProxies(bad), bad).toBeNull();
    expect(parseTrustedProxies(' 10.0.0.0/8 , ::1 ')).toEqual({ kind: 'cidrs', cidrs: [{ address: '10.0.0.0', prefix: 8, family: 'ipv4' }, { address: '::1', prefix: 128, family: 'ipv6' }] });
  });
});
