// The fake Liblib: one node:http server on 127.0.0.1 that answers both the API host's paths
// (api2.liblib.art/api/www/...) and the image hosts' paths (liblibai-online / images-wm), with a request
// log, in-flight accounting and fault injection. See README.md for the contract it speaks.

import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Catalogue, formatLiblibTime, isVideoPath, type CatalogueOptions, type FakeWork } from './catalogue.ts';
import { applyDrift, FaultEngine, REQUEST_KINDS, type FaultAction, type FaultConfig, type RequestKind } from './faults.ts';
import { CONTENT_TYPES, imageBytes, parseOssProcess } from './images.ts';
import { stringifyJson } from './json.ts';
import {
  authorData,
  commentItem,
  detailData,
  envelope,
  LIBLIB_CODES,
  LIBLIB_MESSAGES,
  listItem,
  type Json,
} from './payloads.ts';
import { makeRng } from './rng.ts';
import { listen, serve, sleep } from '../shared/server.ts';
import { fakeVideo } from '../shared/videos.ts';

/** `sort` in the search body: 0 = hot (the web client's default, as captured). */
export const SORT_HOT = 0;
/** `sort` in the search body for newest first. The real value set is unconfirmed; the fake treats every non-zero sort as newest. */
export const SORT_LATEST = 1;

export const API_PATHS = {
  search: '/api/www/img/group/search',
  detailPrefix: '/api/www/img/group/get/',
  authorPrefix: '/api/www/img/author/',
  comments: '/api/www/community/commentList',
  /** bridge.liblib.art's gateway (§3.5, unverified: the body and reply are this fake's guess). */
  pnginfo: '/gateway/sd-api/common/getPnginfo',
} as const;

/**
 * The list quirk (a real capture returned `data.data: null` with `hasMore: true` on a page): pages whose
 * number is a multiple of `every` answer null with hasMore:true to their first `times` requests (counted per
 * tagId/sort/page/pageSize); later requests return the items. `times: Infinity` makes those pages
 * permanently null.
 */
export interface NullPagePolicy {
  every: number;
  times: number;
}
export const DEFAULT_NULL_PAGES: NullPagePolicy = { every: 7, times: 1 };

/**
 * How a client should page the list (what the fake is built to reward):
 * - `hasMore === false` → stop (items on that page, if any, count).
 * - `data.data === null` and `hasMore === true` → retry the SAME page (with backoff); the fake's default
 *   answers on the 2nd request. After `maxNullRetries` retries, skip to the next page and record the gap.
 * - an empty array with `hasMore === true` → go on to the next page.
 * - never trust `total` (it is 0 for tag searches); dedupe by `uuid`.
 */
export function listPageAction(
  data: { data: unknown[] | null; hasMore: boolean },
  nullRetriesSoFar: number,
  maxNullRetries = 3,
): 'next' | 'retry' | 'skip' | 'stop' {
  if (data.data === null) {
    if (!data.hasMore) return 'stop';
    return nullRetriesSoFar < maxNullRetries ? 'retry' : 'skip';
  }
  return data.hasMore ? 'next' : 'stop';
}

export interface RecordedRequest {
  /** 1-based arrival order. */
  seq: number;
  /** performance.now() at arrival (ms). */
  time: number;
  /** Date.now() at arrival. */
  wallTime: number;
  /** performance.now() when the response finished or the connection closed; null while open. */
  endTime: number | null;
  method: string;
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body (or the raw text if it did not parse; null if empty). */
  body: unknown;
  kind: RequestKind;
  /** HTTP status sent; null for resets, hangs and requests still open. */
  status: number | null;
  /** The injected fault, 'failing' for permanently failing units, 'drift:<kinds>' for drifted payloads; null if none. */
  fault: FaultAction | 'failing' | `drift:${string}` | null;
  /** Contract quirks served (not faults): 'null-page'. */
  quirk: 'null-page' | null;
  /** Injected latency (ms). */
  latencyMs: number;
  /** Requests of the same kind in flight when this one arrived, this one included. */
  inFlightAtStart: number;
  /** Requests of any kind in flight when this one arrived, this one included. */
  inFlightTotalAtStart: number;
  /** The connection closed before the response was complete (client gave up, reset, close()). */
  aborted: boolean;
}

export interface FakeLiblibOptions extends CatalogueOptions {
  host?: string;
  /** 0 (default) = a random free port. */
  port?: number;
  /** Use this catalogue instead of building one from the CatalogueOptions. */
  catalogue?: Catalogue;
  faults?: FaultConfig;
  /** Default DEFAULT_NULL_PAGES; false disables the quirk. */
  nullPages?: NullPagePolicy | false;
}

export interface FakeLiblib {
  /** `http://127.0.0.1:<port>`: stands for every Liblib host (api2, liblibai-online, images-wm). */
  origin: string;
  /** Replaces `https://api2.liblib.art`; append `/api/www/...`. Same as origin. */
  apiBaseUrl: string;
  /** Replaces `https://liblibai-online.liblib.cloud`. Same as origin. */
  imageBaseUrl: string;
  /** Replaces `https://bridge.liblib.art` (the sd-api gateway: getPnginfo). Same as origin. */
  bridgeBaseUrl: string;
  urls: {
    search: string;
    detail(uuid: string): string;
    author(userUuid: string): string;
    comments: string;
    pnginfo: string;
  };
  catalogue: Catalogue;
  /** The request log (live array; clearRequests() empties it). */
  requests: RecordedRequest[];
  /** Peak concurrent requests (of this kind, or all) since start or clearRequests(). */
  maxInFlight(kind?: RequestKind): number;
  /** Requests open right now. */
  inFlight(kind?: RequestKind): number;
  clearRequests(): void;
  /** Replaces the fault configuration (and restarts its PRNG and schedules). */
  setFaults(faults: FaultConfig): void;
  setNullPages(policy: NullPagePolicy | false): void;
  /** Adds n works newer than all others ("the next day"). */
  addWorks(n: number): FakeWork[];
  /** Absolute URLs of the permanently dead images (originals and watermarked copies). */
  deadImageUrls(): string[];
  /** Absolute originalImageUrl of every live work image (distinct). */
  liveImageUrls(): string[];
  /** Stops listening and ends every open connection, hanging ones included. */
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const MAX_BODY = 1 << 20;

function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: Buffer.from(stringifyJson(value), 'utf8') };
}

function textReply(status: number, text: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': type, ...headers }, body: Buffer.from(text, 'utf8') };
}

/** Spring Boot's default error body, which the API host returns for 4xx/500. */
function springError(status: number, error: string, path: string): Reply {
  return jsonReply(status, { timestamp: formatLiblibTime(Date.now()), status, error, path });
}

function tengine(status: number, reason: string): Reply {
  return textReply(
    status,
    `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n`,
    'text/html',
  );
}

const WAF_PAGE = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>访问验证</title></head>
<body><div id="nc"><p>请完成下方验证后继续访问</p><div class="slider">&gt;&gt; 请按住滑块，拖动到最右边</div></div>
<script>window._waf_traceid="0b1e5c2f17558273118596342e";</script></body></html>`;

function ossError(status: number, code: string, message: string, path: string): Reply {
  return textReply(
    status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n  <RequestId>68A7E1C0F2B4D53537A1C4E2</RequestId>\n  <HostId>liblibai-online.liblib.cloud</HostId>\n  <Key>${path.replace(/^\//, '')}</Key>\n</Error>\n`,
    'application/xml',
  );
}

function classify(path: string): RequestKind {
  if (path === API_PATHS.search) return 'list';
  if (path.startsWith(API_PATHS.detailPrefix)) return 'detail';
  if (path.startsWith(API_PATHS.authorPrefix)) return 'author';
  if (path === API_PATHS.comments) return 'comments';
  if (path === API_PATHS.pnginfo) return 'pnginfo';
  if (/^\/(?:img|wm\/img|community-img|qlogo|web\/avatar|tmp-img)\//.test(path)) return 'image';
  return 'other';
}

const JSON_CT = /^application\/(?:[\w.+-]*\+)?json\s*(?:;|$)/i;

type BodyResult = { ok: true; value: unknown } | { ok: false; reply: Reply };

function parseBody(req: IncomingMessage, buf: Buffer, path: string, required: boolean): BodyResult {
  if (buf.length === 0) {
    return required ? { ok: false, reply: springError(400, 'Bad Request', path) } : { ok: true, value: null };
  }
  const ct = req.headers['content-type'] ?? '';
  if (!JSON_CT.test(ct)) return { ok: false, reply: springError(415, 'Unsupported Media Type', path) };
  try {
    return { ok: true, value: JSON.parse(buf.toString('utf8')) as unknown };
  } catch {
    return { ok: false, reply: springError(400, 'Bad Request', path) };
  }
}

/** An optional integer field as Jackson would bind it (numbers or numeric strings); undefined if malformed. */
function intField(v: unknown, fallback: number): number | undefined {
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function startFakeLiblib(options: FakeLiblibOptions = {}): Promise<FakeLiblib> {
  const catalogue = options.catalogue ?? new Catalogue(options);
  const faults = new FaultEngine(options.faults ?? {});
  let nullPages: NullPagePolicy | false = options.nullPages === undefined ? DEFAULT_NULL_PAGES : options.nullPages;
  const nullPageHits = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const inFlight = new Map<RequestKind, number>(REQUEST_KINDS.map((k) => [k, 0]));
  const peaks = new Map<RequestKind, number>(REQUEST_KINDS.map((k) => [k, 0]));
  let inFlightTotal = 0;
  let peakTotal = 0;
  let seq = 0;
  const hanging = new Set<ServerResponse>();
  const closing = new AbortController();
  const drained: (() => void)[] = [];
  let origin = '';

  // ---- API handlers ----

  function listReply(req: IncomingMessage, buf: Buffer, path: string, rec: RecordedRequest): Reply {
    const parsed = parseBody(req, buf, path, true);
    if (!parsed.ok) return parsed.reply;
    const b = parsed.value;
    if (!isObject(b)) return springError(400, 'Bad Request', path);
    let page = intField(b.page, 1);
    let pageSize = intField(b.pageSize, 30);
    const sort = intField(b.sort, SORT_HOT);
    let tagId: number | null | undefined = null;
    if (b.tagId !== undefined && b.tagId !== null) tagId = intField(b.tagId, 0);
    if (page === undefined || pageSize === undefined || sort === undefined || tagId === undefined) {
      return springError(400, 'Bad Request', path);
    }
    if (b.keyword !== undefined && b.keyword !== null && typeof b.keyword !== 'string') return springError(400, 'Bad Request', path);
    page = Math.max(1, page);
    pageSize = pageSize < 1 ? 30 : Math.min(pageSize, 100);
    const keyword = typeof b.keyword === 'string' ? b.keyword.trim().toLowerCase() : '';

    let works = sort === SORT_HOT ? catalogue.hotFirst(tagId) : catalogue.newestFirst(tagId);
    if (keyword) {
      works = works.filter(
        (w) => w.title.toLowerCase().includes(keyword) || w.gen.prompt.toLowerCase().includes(keyword) || w.author.nickname.toLowerCase().includes(keyword),
      );
    }
    const offset = (page - 1) * pageSize;
    const slice = works.slice(offset, offset + pageSize);
    const hasMore = offset + pageSize < works.length;
    let items: Json[] | null = slice.map((w, i) => listItem(origin, w, offset + i + 1));
    let hasMoreOut = hasMore;
    if (nullPages && slice.length > 0 && page % nullPages.every === 0) {
      const key = `${tagId}|${sort}|${page}|${pageSize}|${keyword}`;
      const hits = nullPageHits.get(key) ?? 0;
      nullPageHits.set(key, hits + 1);
      if (hits < nullPages.times) {
        items = null;
        hasMoreOut = true;
        rec.quirk = 'null-page';
      }
    }
    const rng = makeRng('trace', seq);
    return jsonReply(
      200,
      envelope({
        page,
        total: tagId === null ? pageSize : 0,
        pageSize,
        data: items,
        userIp: '',
        traceId: `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`,
        hasMore: hasMoreOut,
        rankExpId: '',
        abtest:
          page % 2 === 1
            ? [
                { name: 'image_recommend', group: 'PERSONALIZED_RECOMMEND_V13' },
                { name: 'model_recommend', group: 'PERSONALIZED_RECOMMEND_V19' },
              ]
            : 'list2',
      }),
    );
  }

  function detailReply(req: IncomingMessage, buf: Buffer, path: string, rec: RecordedRequest): Reply {
    const parsed = parseBody(req, buf, path, false);
    if (!parsed.ok) return parsed.reply;
    const uuid = decodeURIComponent(path.slice(API_PATHS.detailPrefix.length)).replace(/\/$/, '');
    const work = catalogue.workByUuid(uuid);
    if (!work) return jsonReply(200, envelope(null, LIBLIB_CODES.workNotFound, LIBLIB_MESSAGES.workNotFound));
    const data = detailData(origin, work);
    const drift = faults.driftFor(uuid);
    if (drift.length > 0) {
      applyDrift(data as Record<string, unknown>, drift);
      rec.fault = `drift:${drift.join(',')}`;
    }
    return jsonReply(200, envelope(data));
  }

  function authorReply(req: IncomingMessage, buf: Buffer, path: string): Reply {
    const parsed = parseBody(req, buf, path, false);
    if (!parsed.ok) return parsed.reply;
    const uuid = decodeURIComponent(path.slice(API_PATHS.authorPrefix.length)).replace(/\/$/, '');
    const user = catalogue.userByUuid(uuid);
    if (!user) return jsonReply(200, envelope(null, LIBLIB_CODES.userNotFound, LIBLIB_MESSAGES.userNotFound));
    return jsonReply(200, envelope(authorData(origin, catalogue, user)));
  }

  function commentWork(b: Record<string, unknown>): { id: unknown; work: FakeWork | undefined } {
    const id = b.workId ?? b.uuid ?? b.imageGroupId;
    if (typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id))) return { id, work: catalogue.workById(Number(id)) };
    if (typeof id === 'string') return { id, work: catalogue.workByUuid(id) };
    return { id, work: undefined };
  }

  function commentsReply(req: IncomingMessage, buf: Buffer, path: string): Reply {
    const parsed = parseBody(req, buf, path, true);
    if (!parsed.ok) return parsed.reply;
    const b = parsed.value;
    if (!isObject(b)) return springError(400, 'Bad Request', path);
    const { id, work } = commentWork(b);
    const page = intField(b.page, 1);
    const pageSizeRaw = intField(b.pageSize, 20);
    if (id === undefined || id === null || page === undefined || pageSizeRaw === undefined) return springError(400, 'Bad Request', path);
    const pageSize = pageSizeRaw < 1 ? 20 : Math.min(pageSizeRaw, 50);
    const p = Math.max(1, page);
    let comments = work ? work.comments : [];
    if (b.sortType === 'hot') comments = [...comments].sort((a, c) => c.likeCount - a.likeCount || c.createTime - a.createTime);
    const offset = (p - 1) * pageSize;
    const list = work ? comments.slice(offset, offset + pageSize).map((c) => commentItem(origin, work, c)) : [];
    return jsonReply(
      200,
      envelope({ list, page: p, pageSize, total: comments.length, hasMore: offset + pageSize < comments.length }),
    );
  }

  /**
   * PNG info (§3.5, no real contract): body `{imageUrl}` → `data: {info}`, the image's A1111 `parameters`
   * text (what its PNG chunk holds; shaped after A1111's own /sdapi/v1/png-info reply), `info: ""` for an
   * image that carries none (uploads, JPEG/WebP); an unknown URL is refused in the envelope.
   */
  function pngInfoReply(req: IncomingMessage, buf: Buffer, path: string): Reply {
    const parsed = parseBody(req, buf, path, true);
    if (!parsed.ok) return parsed.reply;
    const b = parsed.value;
    if (!isObject(b) || typeof b.imageUrl !== 'string') return springError(400, 'Bad Request', path);
    let served;
    try {
      served = catalogue.servedImage(new URL(b.imageUrl, origin).pathname);
    } catch {
      served = undefined;
    }
    if (!served || served.dead) return jsonReply(200, envelope(null, LIBLIB_CODES.imageNotFound, LIBLIB_MESSAGES.imageNotFound));
    return jsonReply(200, envelope({ info: served.content.parameters ?? '' }));
  }

  async function imageReply(req: IncomingMessage, url: URL): Promise<Reply> {
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return ossError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', path);
    if (isVideoPath(path)) {
      const video = fakeVideo('mp4');
      return { status: 200, headers: { 'content-type': video.contentType, 'cache-control': 'public, max-age=31536000', 'accept-ranges': 'bytes' }, body: video.body };
    }
    const served = catalogue.servedImage(path);
    if (!served || served.dead) return ossError(404, 'NoSuchKey', 'The specified key does not exist.', path);
    const transform = parseOssProcess(url.searchParams.get('x-oss-process'));
    const bytes = await imageBytes(served.content, served.watermark, transform);
    const format = transform?.format ?? served.content.format;
    const etag = `"${createHash('md5').update(bytes).digest('hex').toUpperCase()}"`;
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[format],
      etag,
      'last-modified': new Date(served.lastModified).toUTCString(),
      'cache-control': 'public, max-age=31536000',
      'accept-ranges': 'bytes',
      'access-control-allow-origin': '*',
      'x-oss-object-type': 'Normal',
    };
    if (req.headers['if-none-match'] === etag) return { status: 304, headers, body: Buffer.alloc(0) };
    return { status: 200, headers, body: bytes };
  }

  function userPage(path: string): Reply {
    const m = /^\/userpage\/([0-9a-f]{32})\/publish$/.exec(path);
    const user = m ? catalogue.userByUuid(m[1] as string) : undefined;
    if (!user) return textReply(404, '<!DOCTYPE html><title>404</title><p>页面不存在</p>', 'text/html; charset=utf-8');
    return textReply(
      200,
      `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${user.nickname}的个人主页 - LiblibAI</title></head><body><h1>${user.nickname}</h1><p>${user.intro}</p></body></html>`,
      'text/html; charset=utf-8',
    );
  }

  async function route(req: IncomingMessage, url: URL, buf: Buffer, rec: RecordedRequest): Promise<Reply> {
    const path = url.pathname;
    const kind = rec.kind;
    if (kind === 'image') return imageReply(req, url);
    if (kind === 'other') {
      if (path.startsWith('/userpage/') && (req.method === 'GET' || req.method === 'HEAD')) return userPage(path);
      if (path.startsWith('/api/')) return springError(404, 'Not Found', path);
      return textReply(404, 'Not Found');
    }
    if (req.method === 'OPTIONS') return { status: 204, headers: {}, body: Buffer.alloc(0) };
    if (req.method !== 'POST') {
      const r = springError(405, 'Method Not Allowed', path);
      r.headers.allow = 'POST';
      return r;
    }
    if (kind === 'list') return listReply(req, buf, path, rec);
    if (kind === 'detail') return detailReply(req, buf, path, rec);
    if (kind === 'author') return authorReply(req, buf, path);
    if (kind === 'pnginfo') return pngInfoReply(req, buf, path);
    return commentsReply(req, buf, path);
  }

  function faultReply(action: FaultAction, kind: RequestKind, path: string, retryAfter: string | null): Reply | null {
    const api = kind !== 'image' && kind !== 'other';
    switch (action) {
      case '500':
        return api ? springError(500, 'Internal Server Error', path) : textReply(500, 'Internal Server Error');
      case '502':
        return tengine(502, 'Bad Gateway');
      case '503':
        return tengine(503, 'Service Temporarily Unavailable');
      case '504':
        return tengine(504, 'Gateway Time-out');
      case '429':
      case '429-date':
      case '429-none': {
        const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};
        return api
          ? jsonReply(429, envelope(null, 429, '请求过于频繁，请稍后再试'), headers)
          : textReply(429, 'Too Many Requests', 'text/plain; charset=utf-8', headers);
      }
      case 'html200':
        return textReply(200, WAF_PAGE, 'text/html; charset=utf-8');
      case 'html502':
        return tengine(502, 'Bad Gateway');
      default:
        return null;
    }
  }

  /** Which unit a request is about, for `failing`. */
  function failingUnit(kind: RequestKind, path: string, body: unknown): boolean {
    if (kind === 'detail') return faults.isFailingUuid(decodeURIComponent(path.slice(API_PATHS.detailPrefix.length)).replace(/\/$/, ''));
    if (kind === 'author') return faults.isFailingUuid(decodeURIComponent(path.slice(API_PATHS.authorPrefix.length)).replace(/\/$/, ''));
    if (kind === 'comments' && isObject(body)) {
      const { id, work } = commentWork(body);
      return (typeof id === 'string' && faults.isFailingUuid(id)) || (!!work && faults.isFailingUuid(work.uuid));
    }
    if (kind === 'image') return faults.isFailingPath(path);
    return false;
  }

  function send(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, reply: Reply, truncate = false): void {
    if (res.destroyed || res.headersSent) return;
    const headers: Record<string, string> = { ...reply.headers };
    if (rec.kind !== 'image' && rec.kind !== 'other') {
      const o = req.headers.origin;
      headers['access-control-allow-origin'] = o ?? '*';
      if (o) headers['access-control-allow-credentials'] = 'true';
      headers.vary = 'Origin';
      if (req.method === 'OPTIONS') {
        headers['access-control-allow-methods'] = 'GET,POST,OPTIONS';
        headers['access-control-allow-headers'] = req.headers['access-control-request-headers'] ?? 'content-type';
      }
    }
    rec.status = reply.status;
    let body = reply.body;
    if (truncate && rec.kind === 'image' && reply.status === 200 && req.method !== 'HEAD') {
      // Announce everything, send half, drop the connection.
      headers['content-length'] = String(body.length);
      res.writeHead(reply.status, headers);
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
      return;
    }
    if (truncate) body = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    headers['content-length'] = String(body.length);
    res.writeHead(reply.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const kind = classify(url.pathname);
    inFlight.set(kind, (inFlight.get(kind) ?? 0) + 1);
    inFlightTotal += 1;
    peaks.set(kind, Math.max(peaks.get(kind) ?? 0, inFlight.get(kind) ?? 0));
    peakTotal = Math.max(peakTotal, inFlightTotal);
    const rec: RecordedRequest = {
      seq: ++seq,
      time: performance.now(),
      wallTime: Date.now(),
      endTime: null,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: null,
      kind,
      status: null,
      fault: null,
      quirk: null,
      latencyMs: 0,
      inFlightAtStart: inFlight.get(kind) ?? 1,
      inFlightTotalAtStart: inFlightTotal,
      aborted: false,
    };
    requests.push(rec);
    let closed = false;
    res.on('close', () => {
      if (closed) return;
      closed = true;
      inFlight.set(kind, (inFlight.get(kind) ?? 1) - 1);
      inFlightTotal -= 1;
      rec.endTime = performance.now();
      rec.aborted = !res.writableFinished;
      hanging.delete(res);
      if (inFlightTotal === 0) for (const done of drained.splice(0)) done();
    });

    // Read the whole request body.
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > MAX_BODY) {
          send(req, res, rec, springError(413, 'Payload Too Large', url.pathname));
          return;
        }
        chunks.push(b);
      }
    } catch {
      return; // the client went away mid-body
    }
    const buf = Buffer.concat(chunks);
    if (buf.length > 0) {
      const text = buf.toString('utf8');
      try {
        rec.body = JSON.parse(text) as unknown;
      } catch {
        rec.body = text.slice(0, 2000);
      }
    }

    // Faults first, as a gateway in front of the site would.
    const decision = faults.decide(kind);
    rec.latencyMs = decision.latencyMs;
    if (decision.action !== 'ok') rec.fault = decision.action;
    if (decision.latencyMs > 0 && !(await sleep(decision.latencyMs, closing.signal))) {
      res.destroy();
      return;
    }
    if (res.destroyed) return;

    const action = decision.action;
    if (action === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (action === 'hang') {
      hanging.add(res);
      return;
    }
    const faulty = faultReply(action, kind, url.pathname, decision.retryAfter);
    if (faulty) {
      send(req, res, rec, faulty);
      return;
    }
    if (action === 'ok' && req.method !== 'OPTIONS' && failingUnit(kind, url.pathname, rec.body)) {
      rec.fault = 'failing';
      const status = faults.failingStatus;
      const reply =
        kind === 'image'
          ? textReply(status, 'Internal Server Error')
          : status === 200
            ? jsonReply(200, envelope(null, LIBLIB_CODES.busy, LIBLIB_MESSAGES.busy))
            : status === 500
              ? springError(500, 'Internal Server Error', url.pathname)
              : jsonReply(status, envelope(null, status, LIBLIB_MESSAGES.busy));
      send(req, res, rec, reply);
      return;
    }
    const reply = await route(req, url, buf, rec);
    send(req, res, rec, reply, action === 'truncate');
  }

  const server = serve(handle);

  origin = await listen(server, options.host, options.port);

  let closePromise: Promise<void> | null = null;

  const fake: FakeLiblib = {
    origin,
    apiBaseUrl: origin,
    imageBaseUrl: origin,
    bridgeBaseUrl: origin,
    urls: {
      search: origin + API_PATHS.search,
      detail: (uuid) => origin + API_PATHS.detailPrefix + encodeURIComponent(uuid),
      author: (uuid) => origin + API_PATHS.authorPrefix + encodeURIComponent(uuid),
      comments: origin + API_PATHS.comments,
      pnginfo: origin + API_PATHS.pnginfo,
    },
    catalogue,
    requests,
    maxInFlight: (kind) => (kind ? (peaks.get(kind) ?? 0) : peakTotal),
    inFlight: (kind) => (kind ? (inFlight.get(kind) ?? 0) : inFlightTotal),
    clearRequests: () => {
      requests.length = 0;
      for (const k of REQUEST_KINDS) peaks.set(k, inFlight.get(k) ?? 0);
      peakTotal = inFlightTotal;
    },
    setFaults: (config) => faults.set(config),
    setNullPages: (policy) => {
      nullPages = policy;
      nullPageHits.clear();
    },
    addWorks: (n) => catalogue.addWorks(n),
    deadImageUrls: () => catalogue.deadImagePaths().map((p) => origin + p),
    liveImageUrls: () => catalogue.liveImagePaths().map((p) => origin + p),
    close: () => {
      closePromise ??= new Promise<void>((resolve) => {
        closing.abort();
        for (const res of hanging) res.destroy();
        hanging.clear();
        // Resolve once every destroyed response has emitted 'close' (so the log's endTime/aborted are final).
        server.close(() => {
          if (inFlightTotal === 0) resolve();
          else drained.push(resolve);
        });
        server.closeAllConnections();
      });
      return closePromise;
    },
  };
  return fake;
}

export type { DriftKind, FaultAction, FaultConfig, FaultSpec, RequestKind } from './faults.ts';
