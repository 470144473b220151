// Who is really asking, and from which origin: the one place that reads X-Forwarded-For/-Proto/-Host or
// RFC 7239 `Forwarded`. A forwarding header is believed only as far as the hops that wrote it are trusted
// (TRUSTED_PROXIES): walking the address chain from the socket peer leftwards, the first untrusted address
// is the client, and the protocol and host are the ones the outermost trusted proxy saw. Anything a client
// adds itself sits left of that point and is ignored. The CSRF origin check and every rate-limit key use
// the result, so one spoofed header can neither open a write nor move a client into another bucket.
import net from 'node:net';
import type { Config, TrustedProxies } from '../../core/env.ts';

export interface ClientInfo {
  /** The client's address: the first untrusted hop (the socket peer when no proxy is trusted). */
  ip: string;
  protocol: 'http' | 'https';
  /** host[:port] the client addressed. */
  host: string;
  /** protocol://host as the browser saw it: what its Origin header says on a same-site write. */
  origin: string;
  /** The address as a rate-limit key: IPv6 clients by their /64 (one subscriber holds the whole prefix). */
  rateKey: string;
}

/** What the server itself knows about a connection, plus the request's headers. */
interface ConnectionFacts {
  /** The socket peer's address (Astro's `clientAddress`). */
  peer: string | undefined;
  protocol: string;
  /** The Host header (or :authority). */
  host: string | null;
  headers: Headers;
}

type ProxyConfig = Pick<Config['server'], 'trustedProxies' | 'proxyHeaders'>;

interface Hop {
  address: string | null;
  proto?: string;
  host?: string;
}

export class ProxyTrust {
  private readonly trusted: TrustedProxies;
  private readonly headers: ProxyConfig['proxyHeaders'];
  private readonly blocks = new net.BlockList();

  constructor(config: ProxyConfig) {
    this.trusted = config.trustedProxies;
    this.headers = config.proxyHeaders;
    if (this.trusted.kind === 'cidrs') {
      for (const cidr of this.trusted.cidrs) this.blocks.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
  }

  resolve(facts: ConnectionFacts): ClientInfo {
    const peer = normalizeAddress(facts.peer ?? '') ?? 'unknown';
    let protocol: 'http' | 'https' = /^https:?$/i.test(facts.protocol) ? 'https' : 'http';
    let host = validHost(facts.host) ?? 'localhost';
    let ip = peer;
    if (this.trusted.kind !== 'none' && this.isTrusted(peer, 0)) {
      const hops = this.hopsFrom(facts.headers);
      // Walk leftwards from the peer while the current hop is trusted.
      let index = hops.length - 1;
      let trustedHops = 1;
      ip = peer;
      while (index >= 0) {
        const address = hops[index]!.address;
        if (address === null) break; // a malformed entry: stop at the last hop we trust
        ip = address;
        if (!this.isTrusted(address, trustedHops)) break;
        trustedHops++;
        index--;
      }
      // The values the outermost trusted proxy wrote: one per trusted hop from the right, or a single
      // value a proxy overwrote (nginx's proxy_set_header) when there are fewer.
      const protos = this.headers === 'forwarded' ? hops.map((h) => h.proto) : listHeader(facts.headers, 'x-forwarded-proto');
      const hosts = this.headers === 'forwarded' ? hops.map((h) => h.host) : listHeader(facts.headers, 'x-forwarded-host');
      const pick = (values: Array<string | undefined>) => (values.length > 0 ? values[Math.max(0, values.length - trustedHops)] : undefined);
      const proto = pick(protos)?.toLowerCase();
      if (proto === 'http' || proto === 'https') protocol = proto;
      host = validHost(pick(hosts)) ?? host;
    }
    return { ip, protocol, host, origin: `${protocol}://${host}`, rateKey: rateKeyOf(ip) };
  }

  /** `distance` 0 is the socket peer, 1 the hop before it… */
  private isTrusted(address: string, distance: number): boolean {
    if (this.trusted.kind === 'hops') return distance < this.trusted.hops;
    if (this.trusted.kind !== 'cidrs') return false;
    const family = net.isIP(address);
    return family !== 0 && this.blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  private hopsFrom(headers: Headers): Hop[] {
    if (this.headers === 'forwarded') return parseForwarded(headers.get('forwarded'));
    return listHeader(headers, 'x-forwarded-for').map((value) => ({ address: normalizeAddress(value ?? '') }));
  }
}

const trustCache = new WeakMap<object, ProxyTrust>();

/** The ProxyTrust of a configuration (built once: the CIDR list compiles to a BlockList). */
function proxyTrustFor(server: ProxyConfig): ProxyTrust {
  let trust = trustCache.get(server);
  if (!trust) {
    trust = new ProxyTrust(server);
    trustCache.set(server, trust);
  }
  return trust;
}

/** The client of an Astro request: its socket peer, URL and headers, read through the configured trust. */
export function clientOf(server: ProxyConfig, input: { request: Request; url: URL; clientAddress: string | undefined }): ClientInfo {
  return proxyTrustFor(server).resolve({
    peer: input.clientAddress,
    protocol: input.url.protocol,
    host: input.request.headers.get('host') ?? input.url.host,
    headers: input.request.headers,
  });
}

/** Astro throws on `clientAddress` when the adapter cannot tell; that is an unknown peer, not an error. */
export function socketAddress(context: { clientAddress: string }): string | undefined {
  try {
    return context.clientAddress || undefined;
  } catch {
    return undefined;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request may change state: safe methods always; otherwise a browser's Origin must be the
 * public origin (SITE_URL) or the origin the client addressed through trusted hops, and Fetch Metadata
 * must not say cross-site. No Origin at all is a non-browser client (curl, scripts with a Bearer token):
 * cross-site requests from browsers always carry one.
 */
export function isSameSiteWrite(request: Request, client: ClientInfo, siteUrl: string): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  if (request.headers.get('sec-fetch-site') === 'cross-site') return false;
  const origin = request.headers.get('origin');
  if (origin === null) return true;
  return origin === client.origin || origin === originOf(siteUrl);
}

// SITE_URL's origin, parsed once per value (every write asks).
const siteOrigins = new Map<string, string>();
function originOf(siteUrl: string): string {
  let origin = siteOrigins.get(siteUrl);
  if (origin === undefined) {
    origin = new URL(siteUrl).origin;
    siteOrigins.set(siteUrl, origin);
  }
  return origin;
}

function listHeader(headers: Headers, name: string): string[] {
  const value = headers.get(name);
  if (value === null) return [];
  return value.split(',').map((part) => part.trim());
}

/** RFC 7239 elements, left to right: `for=192.0.2.60;proto=https;host=example.com, for="[2001:db8::1]:4711"`. */
function parseForwarded(value: string | null): Hop[] {
  if (!value) return [];
  const hops: Hop[] = [];
  for (const element of value.split(',')) {
    const hop: Hop = { address: null };
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const key = pair.slice(0, eq).trim().toLowerCase();
      const raw = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'for') hop.address = normalizeAddress(raw);
      else if (key === 'proto') hop.proto = raw;
      else if (key === 'host') hop.host = raw;
    }
    hops.push(hop);
  }
  return hops;
}

/** A bare IP address from a header or socket value (`[::1]:80`, `1.2.3.4:56`, `::ffff:1.2.3.4`), else null. */
function normalizeAddress(value: string): string | null {
  let text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.indexOf(':'));
  text = text.replace(/%[\w.-]+$/, ''); // an IPv6 zone id
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) text = mapped[1]!;
  return net.isIP(text) === 0 ? null : text.toLowerCase();
}

/** host[:port] of a Host or X-Forwarded-Host value, or null when it is anything else. */
function validHost(value: string | null | undefined): string | null {
  if (!value) return null;
  const host = value.trim().toLowerCase();
  return /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/.test(host) ? host : null;
}

function rateKeyOf(ip: string): string {
  if (net.isIP(ip) !== 6) return ip;
  return `${expandIpv6(ip).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => Number.parseInt(g || '0', 16).toString(16));
}
