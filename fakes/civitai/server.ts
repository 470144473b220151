// The fake Civitai: one node:http server on 127.0.0.1 answering the REST API (api/v1/images, models,
// model-versions) and the image CDN's paths, with cursor paging, NSFW semantics, the page-number cap,
// optional auth, a request log, in-flight accounting, and the Liblib fake's fault engine. See README.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { FaultEngine, type FaultAction, type FaultConfig, type RequestKind } from '../liblib/faults.ts';
import { CONTENT_TYPES, imageBytes } from '../liblib/images.ts';
import { stringifyJson } from '../liblib/json.ts';
import { makeRng } from '../liblib/rng.ts';
import { listen, serve, sleep } from '../shared/server.ts';
import { CivitaiCatalogue, IMAGE_PATH_PREFIX, type CivitaiCatalogueOptions, type FakeCivitaiImage, type FakeModel, type FakeVersion } from './catalogue.ts';
import { fakeVideo } from '../shared/videos.ts';

/** Which API a request was for. Faults are configured per Liblib RequestKind: images → `list`, models and versions → `detail`, image files → `image`. */
export type CivitaiEndpoint = 'images' | 'model' | 'model-version' | 'image-file' | 'other';
const FAULT_KIND: Record<CivitaiEndpoint, RequestKind> = { images: 'list', model: 'detail', 'model-version': 'detail', 'image-file': 'image', other: 'other' };

export const NSFW_MASKS: Record<string, number> = { None: 1, Soft: 3, Mature: 7, X: 31, true: 60, false: 1 };
export const IMAGE_SORTS = ['Most Reactions', 'Most Comments', 'Most Collected', 'Newest', 'Oldest', 'Random'] as const;
const LABELS: Record<number, string> = { 1: 'None', 2: 'Soft', 4: 'Mature', 8: 'X', 16: 'X', 32: 'Blocked' };
export const PAGE_CAP = 1000;
export const TOO_MANY_PAGES = "You've requested too many pages, please use cursors instead";

/** Ways an image item drifts from the contract (for `drift`). */
export type CivitaiDrift = 'idString' | 'urlMissing' | 'metaString' | 'nsfwLevelNumber';

export interface CivitaiRecordedRequest {
  seq: number;
  /** performance.now() at arrival. */
  time: number;
  endTime: number | null;
  method: string;
  path: string;
  query: Record<string, string>;
  endpoint: CivitaiEndpoint;
  /** The fault kind this request counts as. */
  kind: RequestKind;
  status: number | null;
  fault: FaultAction | 'failing' | null;
  /** The Authorization header as received (tests check the Bearer token). */
  authorization: string | null;
  inFlightAtStart: number;
  aborted: boolean;
}

export interface FakeCivitaiOptions extends CivitaiCatalogueOptions {
  host?: string;
  port?: number;
  catalogue?: CivitaiCatalogue;
  faults?: FaultConfig;
  /** Every `every`-th page of a walk is first answered with `items: []` and a fresh cursor (default 4; false: never). */
  emptyPages?: { every: number } | false;
  /** 'mixed' (default) rotates numeric, `"<n>|<ms>"` and `feed:<ms>:<id>` cursors. */
  cursorStyle?: 'mixed' | 'number' | 'pipe' | 'feed';
  /** The early-2024 bug: `nextCursor` null on non-Newest sorts, the cursor only inside `nextPage`. */
  cursorOnlyInNextPage?: boolean;
  /** Retry-After (seconds) on the `/images` 503 "Server busy" fault (default 2, as upstream). */
  busyRetryAfterSeconds?: number;
  /** API keys: a listed key passes, `forbidden` ones get 403, others 401; `required` makes a missing key 401. */
  auth?: { keys?: readonly string[]; forbidden?: readonly string[]; required?: boolean };
  /** Image items drifting from the contract, by image id. */
  drift?: Record<number, CivitaiDrift>;
}

export interface FakeCivitai {
  origin: string;
  /** Replaces https://civitai.com (CIVITAI_API_BASE). */
  apiBaseUrl: string;
  catalogue: CivitaiCatalogue;
  requests: CivitaiRecordedRequest[];
  maxInFlight(endpoint?: CivitaiEndpoint): number;
  clearRequests(): void;
  setFaults(faults: FaultConfig): void;
  setDrift(drift: Record<number, CivitaiDrift>): void;
  /** Absolute URL of an image's file. */
  imageUrl(image: FakeCivitaiImage): string;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: Buffer.from(stringifyJson(value)),
});
const text = (status: number, body: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): Reply => ({
  status, headers: { 'content-type': type, ...headers }, body: Buffer.from(body),
});
const cloudflare = (status: number, title: string) =>
  text(status, `<!DOCTYPE html><html><head><title>${title} | civitai.com | Cloudflare</title></head><body><h1>${title}</h1><p>Ray ID: 8f1c2a3b4d5e6f70</p></body></html>`, 'text/html; charset=UTF-8');
const badRequest = (issues: Array<{ path: string; message: string }>) =>
  json(400, { error: 'Invalid request', issues: issues.map((i) => ({ code: 'custom', path: [i.path], message: i.message })) });
/** Whether a video item's URL serves a clip cut short (one video in five), as a failing CDN might. */
export const isBrokenVideo = (id: number) => id % 5 === 4;
/** What a video item's URL serves: a real tiny MP4, or a broken one. */
const videoOf = (id: number) => fakeVideo(isBrokenVideo(id) ? 'truncated' : 'mp4');

function endpointOf(path: string): CivitaiEndpoint {
  if (path === '/api/v1/images') return 'images';
  if (/^\/api\/v1\/models\/[^/]+$/.test(path)) return 'model';
  if (/^\/api\/v1\/model-versions\/[^/]+$/.test(path)) return 'model-version';
  if (path.startsWith(`${IMAGE_PATH_PREFIX}/`)) return 'image-file';
  return 'other';
}

interface CursorEntry {
  offset: number;
  page: number;
  /** The page at this offset has already been answered empty once. */
  emptied: boolean;
}

export async function startFakeCivitai(options: FakeCivitaiOptions = {}): Promise<FakeCivitai> {
  const catalogue = options.catalogue ?? new CivitaiCatalogue(options);
  const faults = new FaultEngine(options.faults ?? {});
  const emptyPages = options.emptyPages === undefined ? { every: 4 } : options.emptyPages;
  const cursorStyle = options.cursorStyle ?? 'mixed';
  let drift: Record<number, CivitaiDrift> = { ...(options.drift ?? {}) };
  const requests: CivitaiRecordedRequest[] = [];
  const inFlight = new Map<CivitaiEndpoint | 'all', number>();
  const peaks = new Map<CivitaiEndpoint | 'all', number>();
  /** Issued cursors: `${filterSignature}\n${cursor}` → position. */
  const cursors = new Map<string, CursorEntry>();
  /** `feed:` cursors → the filter signature they were issued for (they refuse other filters). */
  const feedCursors = new Map<string, string>();
  const hanging = new Set<ServerResponse>();
  const closing = new AbortController();
  let serial = 0;
  let seq = 0;
  let origin = '';

  const imageUrl = (image: FakeCivitaiImage) => origin + image.path;

  function imageItem(image: FakeCivitaiImage, query: URLSearchParams, legacy: boolean): Record<string, unknown> {
    const withMeta = query.get('withMeta') === 'true';
    const flat = query.get('flatMeta') === 'true';
    const meta = withMeta ? (legacy && !flat && image.meta ? { id: image.id, meta: image.meta } : image.meta) : null;
    const label = LABELS[image.browsingLevel]!;
    const versionIds = [...new Set(image.resources.map((r) => r.versionId))];
    const item: Record<string, unknown> = {
      id: image.id,
      url: imageUrl(image),
      hash: `U${makeRng('blurhash', image.id).hex(5)}~q%MxuWB%M%M?bRjWB`,
      width: image.content.width,
      height: image.content.height,
      nsfwLevel: label,
      nsfw: label !== 'None',
      browsingLevel: image.browsingLevel,
      ...(image.type === 'video' || image.id % 2 === 0 ? { type: image.type } : {}),
      createdAt: new Date(image.createdAt).toISOString(),
      postId: image.postId,
      stats: image.stats,
      meta,
      username: image.creator.username,
      baseModel: image.baseModel,
      modelVersionIds: versionIds,
      ...(query.get('withTags') === 'true' ? { tags: [{ id: 5133, name: 'car' }] } : {}),
    };
    switch (drift[image.id]) {
      case 'idString':
        item.id = `img-${image.id}`;
        break;
      case 'urlMissing':
        delete item.url;
        break;
      case 'metaString':
        if (item.meta) item.meta = JSON.stringify(item.meta);
        break;
      case 'nsfwLevelNumber':
        item.nsfwLevel = image.browsingLevel;
        break;
    }
    return item;
  }

  function imagesReply(query: URLSearchParams): Reply {
    const issues: Array<{ path: string; message: string }> = [];
    const intParam = (name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined => {
      const raw = query.get(name);
      if (raw === null || raw === '') return undefined;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max) {
        issues.push({ path: name, message: `Expected an integer ${min}–${max}` });
        return undefined;
      }
      return n;
    };
    const limit = intParam('limit', 0, 200) || 50;
    const page = intParam('page');
    const modelId = intParam('modelId');
    const modelVersionId = intParam('modelVersionId');
    const imageId = intParam('imageId');
    const postId = intParam('postId');
    const browsingLevel = intParam('browsingLevel', 0, 63);
    const nsfw = query.get('nsfw');
    if (nsfw !== null && !(nsfw in NSFW_MASKS)) issues.push({ path: 'nsfw', message: 'Invalid enum value. Expected None | Soft | Mature | X | boolean' });
    const sort = query.get('sort') ?? 'Most Reactions';
    if (!(IMAGE_SORTS as readonly string[]).includes(sort)) issues.push({ path: 'sort', message: `Invalid enum value. Expected ${IMAGE_SORTS.join(' | ')}` });
    if (issues.length > 0) return badRequest(issues);
    const mask = browsingLevel ?? (nsfw !== null ? NSFW_MASKS[nsfw]! : 1);
    const legacy = imageId !== undefined || (modelId !== undefined && modelVersionId === undefined);
    const username = query.get('username')?.toLowerCase();
    const type = query.get('type');

    let list = catalogue.images.filter((image) => {
      if (imageId !== undefined && image.id !== imageId) return false;
      if (modelVersionId !== undefined && image.versionId !== modelVersionId) return false;
      if (modelId !== undefined && modelVersionId === undefined && image.modelId !== modelId) return false;
      if (postId !== undefined && image.postId !== postId) return false;
      if (username !== undefined && image.creator.username.toLowerCase() !== username) return false;
      if (type && image.type !== type) return false;
      return (image.browsingLevel & mask) !== 0 || image.leaks;
    });
    const engagement = (image: FakeCivitaiImage) => image.stats.likeCount + image.stats.heartCount + image.stats.laughCount + image.stats.cryCount;
    const effectiveSort = legacy && sort !== 'Oldest' ? 'Newest' : sort;
    list = [...list].sort((a, b) => {
      if (effectiveSort === 'Newest') return b.createdAt - a.createdAt || b.id - a.id;
      if (effectiveSort === 'Oldest') return a.createdAt - b.createdAt || a.id - b.id;
      if (effectiveSort === 'Most Comments') return b.stats.commentCount - a.stats.commentCount || b.id - a.id;
      return engagement(b) - engagement(a) || b.id - a.id;
    });

    // Which filters a cursor belongs to (paging and limit are not filters).
    const signature = [...query.entries()].filter(([k]) => !['cursor', 'page', 'limit'].includes(k)).sort().map(([k, v]) => `${k}=${v}`).join('&');
    let entry: CursorEntry = { offset: 0, page: 1, emptied: false };
    const cursor = query.get('cursor');
    if (cursor) {
      const found = cursors.get(`${signature}\n${cursor}`);
      if (!found) {
        if (feedCursors.has(cursor)) return json(400, { message: 'This cursor cannot be continued with these filters' });
        return json(400, { error: 'Invalid cursor' });
      }
      entry = found;
    } else if (page !== undefined) {
      if (page * limit > PAGE_CAP) return json(429, { error: TOO_MANY_PAGES });
      entry = { offset: (page - 1) * limit, page, emptied: true };
    }

    const issue = (next: CursorEntry, style: 'number' | 'pipe' | 'feed'): string | number => {
      const nextImage = list[next.offset];
      serial += 1;
      let value: string | number;
      if (style === 'number' && nextImage) value = nextImage.id;
      else if (style === 'feed' && nextImage) value = `feed:${nextImage.createdAt}:${nextImage.id}`;
      else value = `${next.page}|${catalogue.now + serial}`;
      cursors.set(`${signature}\n${value}`, next);
      if (typeof value === 'string' && value.startsWith('feed:')) feedCursors.set(value, signature);
      return value;
    };
    const styleFor = (n: number) => (cursorStyle === 'mixed' ? (['number', 'pipe', 'feed'] as const)[n % 3]! : cursorStyle);

    let items: FakeCivitaiImage[];
    let next: CursorEntry | null;
    let nextCursor: string | number | null = null;
    if (emptyPages && !entry.emptied && entry.page % emptyPages.every === 0 && entry.offset < list.length) {
      // An empty page that is not the end: the same position again under a fresh (pipe) cursor.
      items = [];
      next = { ...entry, emptied: true };
      nextCursor = issue(next, 'pipe');
    } else {
      items = list.slice(entry.offset, entry.offset + limit);
      next = entry.offset + limit < list.length ? { offset: entry.offset + limit, page: entry.page + 1, emptied: false } : null;
      if (next) nextCursor = issue(next, styleFor(next.page));
    }

    const metadata: Record<string, unknown> = {};
    if (nextCursor !== null) {
      const nextQuery = new URLSearchParams(query);
      nextQuery.delete('page');
      nextQuery.delete('cursor');
      if (page !== undefined && !cursor) nextQuery.set('page', String(page + 1));
      else nextQuery.set('cursor', String(nextCursor));
      metadata.nextCursor = options.cursorOnlyInNextPage && effectiveSort !== 'Newest' && effectiveSort !== 'Oldest' ? null : nextCursor;
      if (options.cursorOnlyInNextPage) nextQuery.set('cursor', String(nextCursor));
      metadata.nextPage = `${origin}/api/v1/images?${nextQuery}`;
    }
    if (page !== undefined && !cursor) {
      metadata.currentPage = page;
      metadata.pageSize = limit;
    }
    return json(200, { items: items.map((image) => imageItem(image, query, legacy)), metadata }, { 'cache-control': 'public, s-maxage=300, stale-while-revalidate=150' });
  }

  function versionPayload(version: FakeVersion, withModel: boolean): Record<string, unknown> {
    const model = catalogue.modelOfVersion(version);
    const previews = version.imageIds.map((id) => catalogue.image(id)!).filter((image) => image.browsingLevel <= 2 && image.type === 'image').slice(0, 3);
    return {
      id: version.id,
      ...(withModel ? { modelId: model.id } : {}),
      name: version.name,
      baseModel: version.baseModel,
      baseModelType: 'Standard',
      publishedAt: new Date(version.createdAt).toISOString(),
      trainedWords: version.trainedWords,
      // The 2023 shape (odd model ids, as for tags) has no thumbs-up count.
      stats: model.id % 2 === 1 ? { downloadCount: version.downloads, ratingCount: 3, rating: 4.5 } : { downloadCount: version.downloads, thumbsUpCount: version.likes },
      ...(withModel ? { model: { name: model.name, type: model.type, nsfw: model.nsfw, poi: false } } : {}),
      files: [{
        id: version.id * 10, name: version.fileName, type: 'Model', sizeKB: version.sizeKB, primary: true,
        // A file Civitai has not hashed yet comes with empty hashes.
        hashes: version.sha256 ? { SHA256: version.sha256, AutoV2: version.sha256.slice(0, 10) } : {},
        metadata: { format: 'SafeTensor', size: 'pruned', fp: 'fp16' },
        downloadUrl: `${origin}/api/download/models/${version.id}`,
      }],
      images: previews.map((image) => ({ url: imageUrl(image), nsfwLevel: image.browsingLevel, width: image.content.width, height: image.content.height, hash: 'UABC', type: 'image' })),
      downloadUrl: `${origin}/api/download/models/${version.id}`,
    };
  }

  function modelPayload(model: FakeModel): Record<string, unknown> {
    return {
      id: model.id,
      name: model.name,
      description: `<p>${model.name}: a fake model for offline tests.</p>`,
      type: model.type,
      nsfw: model.nsfw,
      nsfwLevel: model.nsfw ? 31 : 3,
      allowNoCredit: true,
      allowCommercialUse: '{Image,RentCivit}',
      allowDerivatives: true,
      // 2026 docs: thumbsUpCount; the 2023 wiki shape (odd ids, as for tags): favoriteCount.
      stats: model.id % 2 === 1
        ? { downloadCount: model.downloads, favoriteCount: model.likes, commentCount: 4, ratingCount: 3, rating: 4.5 }
        : { downloadCount: model.downloads, thumbsUpCount: model.likes, thumbsDownCount: 0, commentCount: 4, tippedAmountCount: 0 },
      creator: { username: model.creator.username, image: origin + model.creator.imagePath },
      // Today's API sends tag names; the documented 2023 example `{name}` objects: odd ids serve the old shape.
      tags: model.id % 2 === 1 ? model.tags.map((name) => ({ name })) : model.tags,
      modelVersions: model.versions.map((version) => versionPayload(version, false)),
    };
  }

  async function route(req: IncomingMessage, url: URL, endpoint: CivitaiEndpoint): Promise<Reply> {
    if (endpoint === 'image-file') return fileReply(url);
    if (endpoint === 'other') return json(404, { error: 'Not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'Method not allowed' }, { allow: 'GET' });
    const denied = authReply(req);
    if (denied) return denied;
    if (endpoint === 'images') return imagesReply(url.searchParams);
    const id = Number(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
    if (endpoint === 'model') {
      const model = Number.isInteger(id) ? catalogue.model(id) : undefined;
      return model ? json(200, modelPayload(model)) : json(404, { error: `No model with id ${url.pathname.split('/').pop()}` });
    }
    const version = Number.isInteger(id) ? catalogue.version(id) : undefined;
    return version ? json(200, versionPayload(version, true)) : json(404, { error: `Model version not found` });
  }

  function authReply(req: IncomingMessage): Reply | null {
    const auth = options.auth;
    if (!auth) return null;
    const header = req.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (key !== undefined && auth.forbidden?.includes(key)) return json(403, { error: 'Forbidden' });
    if (key !== undefined && !(auth.keys ?? []).includes(key)) return json(401, { error: 'Unauthorized' });
    if (key === undefined && auth.required) return json(401, { error: 'Unauthorized' });
    return null;
  }

  async function fileReply(url: URL): Promise<Reply> {
    const image = catalogue.imageByPath(url.pathname);
    if (url.pathname.includes('/avatar-')) {
      const bytes = await imageBytes({ key: url.pathname, format: 'jpeg', width: 96, height: 96, style: 'avatar', parameters: null });
      return { status: 200, headers: { 'content-type': 'image/jpeg' }, body: bytes };
    }
    if (!image) return text(404, 'Not Found');
    if (image.type === 'video') {
      const video = videoOf(image.id);
      return { status: 200, headers: { 'content-type': video.contentType }, body: video.body };
    }
    const bytes = await imageBytes(image.content);
    return { status: 200, headers: { 'content-type': CONTENT_TYPES[image.content.format], 'cache-control': 'public, max-age=31536000, immutable' }, body: bytes };
  }

  function faultReply(action: FaultAction, endpoint: CivitaiEndpoint, retryAfter: string | null): Reply | null {
    const api = endpoint !== 'image-file' && endpoint !== 'other';
    switch (action) {
      case '500':
        return api ? json(500, { error: 'Internal Server Error' }) : text(500, 'Internal Server Error');
      case '502':
      case 'html502':
        return cloudflare(502, 'Bad gateway');
      case '503':
        return endpoint === 'images'
          ? json(503, { error: 'Server busy, please retry shortly.' }, { 'retry-after': String(options.busyRetryAfterSeconds ?? 2), 'cache-control': 'no-store' })
          : cloudflare(503, 'Service unavailable');
      case '504':
        return cloudflare(504, 'Gateway time-out');
      case '429':
      case '429-date':
      case '429-none': {
        const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};
        return api ? json(429, { error: 'Too Many Requests' }, headers) : text(429, 'Too Many Requests', undefined, headers);
      }
      case 'html200':
        return cloudflare(200, 'Just a moment...');
      default:
        return null;
    }
  }

  const failing = (endpoint: CivitaiEndpoint, url: URL): boolean => {
    if (endpoint === 'image-file') return faults.isFailingPath(url.pathname);
    if (endpoint === 'model' || endpoint === 'model-version') return faults.isFailingUuid(url.pathname.split('/').pop()!);
    return false;
  };

  const bump = (key: CivitaiEndpoint | 'all', by: number) => {
    const now = (inFlight.get(key) ?? 0) + by;
    inFlight.set(key, now);
    if (now > (peaks.get(key) ?? 0)) peaks.set(key, now);
    return now;
  };

  function send(req: IncomingMessage, res: ServerResponse, rec: CivitaiRecordedRequest, reply: Reply, truncate: boolean): void {
    if (res.destroyed || res.headersSent) return;
    rec.status = reply.status;
    const headers = { ...reply.headers, 'content-length': String(reply.body.length) };
    if (truncate && reply.status === 200) {
      // Announce everything, send half, drop the connection.
      res.writeHead(reply.status, headers);
      res.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)), () => req.socket.destroy());
      return;
    }
    res.writeHead(reply.status, headers);
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const endpoint = endpointOf(url.pathname);
    const kind = FAULT_KIND[endpoint];
    const rec: CivitaiRecordedRequest = {
      seq: ++seq, time: performance.now(), endTime: null, method: req.method ?? 'GET', path: url.pathname,
      query: Object.fromEntries(url.searchParams), endpoint, kind, status: null, fault: null,
      authorization: req.headers.authorization ?? null, inFlightAtStart: bump(endpoint, 1), aborted: false,
    };
    bump('all', 1);
    requests.push(rec);
    res.on('close', () => {
      bump(endpoint, -1);
      bump('all', -1);
      rec.endTime = performance.now();
      rec.aborted = !res.writableFinished;
      hanging.delete(res);
    });
    req.resume();
    const decision = faults.decide(kind);
    if (decision.action !== 'ok') rec.fault = decision.action;
    if (decision.latencyMs > 0 && !(await sleep(decision.latencyMs, closing.signal))) return void res.destroy();
    if (res.destroyed) return;
    if (decision.action === 'reset') return void req.socket.resetAndDestroy();
    if (decision.action === 'hang') return void hanging.add(res);
    const faulty = faultReply(decision.action, endpoint, decision.retryAfter);
    if (faulty) return send(req, res, rec, faulty, false);
    if (failing(endpoint, url)) {
      rec.fault = 'failing';
      return send(req, res, rec, json(faults.failingStatus, { error: 'Internal Server Error' }), false);
    }
    send(req, res, rec, await route(req, url, endpoint), decision.action === 'truncate');
  }

  const server = serve(handle);
  origin = await listen(server, options.host, options.port);
  let closed: Promise<void> | null = null;

  return {
    origin,
    apiBaseUrl: origin,
    catalogue,
    requests,
    maxInFlight: (endpoint) => peaks.get(endpoint ?? 'all') ?? 0,
    clearRequests: () => {
      requests.length = 0;
      for (const key of [...peaks.keys()]) peaks.set(key, inFlight.get(key) ?? 0);
    },
    setFaults: (config) => faults.set(config),
    setDrift: (next) => {
      drift = { ...next };
    },
    imageUrl,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        closing.abort();
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

export type { FaultConfig, RequestKind };
