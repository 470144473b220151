// The fake ModelScope: one node:http server on 127.0.0.1 that answers the catalogue endpoint
// (`PUT /api/v1/dolphin/models`, docs/upstream.md §2.1) and the image host's paths (covers and avatars), with a
// request log, an auth-required mode (401), a slow mode, drifted envelopes, malformed items and the fault
// injection of fakes/liblib/faults.ts. See README.md.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { FaultEngine, type FaultAction, type FaultConfig, type RequestKind } from '../liblib/faults.ts';
import { CONTENT_TYPES, imageBytes } from '../liblib/images.ts';
import { stringifyJson } from '../liblib/json.ts';
import { listen, serve, sleep } from '../shared/server.ts';
import { ModelScopeCatalogue, type FakeModelScopeModel, type ModelScopeCatalogueOptions } from './catalogue.ts';
import { fakeVideo } from '../shared/videos.ts';

export const MODELS_PATH = '/api/v1/dolphin/models';
/** The token the fake accepts unless `token` says otherwise. */
export const DEFAULT_FAKE_TOKEN = 'ms-fake-token-0123456789';
/** The SDK's documented failure body (docs/upstream.md §2.1), sent with HTTP 401. */
export const UNAUTHORIZED_BODY = { Code: 10010101004, Message: 'get model info failed, err: unauthorized permission', RequestId: '', Success: false };

/** Ways the whole envelope drifts from the contract. */
export type EnvelopeDrift =
  /** `Data.Model` is renamed `Data.ModelList`. */
  | 'model-renamed'
  /** `Data.Model.Models` is an object keyed by id instead of an array. */
  | 'models-object'
  /** `Code` is the string "200". */
  | 'code-string'
  /** `Data` is null while `Success` is true. */
  | 'data-null';

/** Ways one item is malformed (missing fields, wrong types), keyed by model id in `malformed`. */
export type ItemDefect =
  /** `Downloads` is a display string ("1.2万"). */
  | 'downloads-string'
  /** `Path` is absent. */
  | 'path-missing'
  /** `Name` is null. */
  | 'name-null'
  /** `Tags` is a string instead of an array. */
  | 'tags-string'
  /** `LastUpdatedTime` is an ISO string instead of Unix seconds. */
  | 'time-string';

export interface FakeModelScopeOptions extends ModelScopeCatalogueOptions {
  host?: string;
  port?: number;
  catalogue?: ModelScopeCatalogue;
  /** `required`: the catalogue endpoint answers 401 unless the request carries the token (401 mode). Default `anonymous`. */
  auth?: 'anonymous' | 'required';
  /** The token the fake accepts (as `Authorization: Bearer` or `Cookie: m_session_id=`). Default DEFAULT_FAKE_TOKEN. */
  token?: string;
  /** Slow mode: added latency in ms for catalogue requests (`api`) and image requests (`images`). */
  slow?: { api?: number; images?: number };
  /** `list` is the catalogue endpoint, `image` covers and avatars, `other` the rest. Drift settings there are ignored. */
  faults?: FaultConfig;
  envelopeDrift?: EnvelopeDrift | null;
  malformed?: Readonly<Record<string, ItemDefect>>;
}

export type ModelScopeRequestKind = 'models' | 'image' | 'other';

export interface ModelScopeRecordedRequest {
  seq: number;
  /** performance.now() at arrival. */
  time: number;
  method: string;
  path: string;
  kind: ModelScopeRequestKind;
  body: unknown;
  /** `none`; `valid` or `invalid` when an Authorization bearer or m_session_id cookie was sent. */
  auth: 'none' | 'valid' | 'invalid';
  /** The raw Authorization header (tests check where a token went). */
  authorization: string | null;
  status: number | null;
  fault: FaultAction | `drift:${string}` | null;
  latencyMs: number;
}

export interface FakeModelScope {
  /** Replaces `https://www.modelscope.cn` (and the cover host: image URLs in payloads already point here). */
  origin: string;
  apiBaseUrl: string;
  modelsUrl: string;
  catalogue: ModelScopeCatalogue;
  token: string;
  requests: ModelScopeRecordedRequest[];
  clearRequests(): void;
  setAuth(mode: 'anonymous' | 'required'): void;
  setSlow(slow: { api?: number; images?: number }): void;
  setFaults(config: FaultConfig): void;
  setEnvelopeDrift(drift: EnvelopeDrift | null): void;
  setMalformed(malformed: Readonly<Record<string, ItemDefect>>): void;
  /** Back to the modes it started with (auth, slow, faults, drift, malformed items), request log cleared. */
  reset(): void;
  /** The models a client asking for top LoRAs of `task` by downloads gets, in order (LoRAs only). */
  topLoras(task: string): FakeModelScopeModel[];
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const FAULT_KINDS: Record<ModelScopeRequestKind, RequestKind> = { models: 'list', image: 'image', other: 'other' };

function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(stringifyJson(value)) };
}

function text(status: number, body: string, type = 'text/html; charset=utf-8', headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': type, ...headers }, body: Buffer.from(body) };
}

function gatewayPage(status: number, reason: string): Reply {
  return text(status, `<html><head><title>${status} ${reason}</title></head><body><center><h1>${status} ${reason}</h1></center><hr><center>nginx</center></body></html>`);
}

function ossError(status: number, code: string, path: string): Reply {
  return text(
    status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${code === 'NoSuchKey' ? 'The specified key does not exist.' : 'You have no right to access this object.'}</Message>\n  <Key>${path.slice(1)}</Key>\n  <HostId>resouces.modelscope.cn</HostId>\n</Error>\n`,
    'application/xml',
  );
}

const WAF_PAGE = '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>验证</title></head><body><p>请完成安全验证后继续访问</p></body></html>';

function classify(path: string): ModelScopeRequestKind {
  if (path === MODELS_PATH || path === `${MODELS_PATH}/`) return 'models';
  if (/^\/(?:cover-images|avatar)\//.test(path)) return 'image';
  return 'other';
}

/** Apply one defect to a serialized item, in place. */
function applyDefect(item: Record<string, unknown>, defect: ItemDefect): void {
  switch (defect) {
    case 'downloads-string':
      item.Downloads = `${((item.Downloads as number) / 10_000).toFixed(1)}万`;
      break;
    case 'path-missing':
      delete item.Path;
      break;
    case 'name-null':
      item.Name = null;
      break;
    case 'tags-string':
      item.Tags = 'LoRA';
      break;
    case 'time-string':
      item.LastUpdatedTime = new Date((item.LastUpdatedTime as number) * 1000).toISOString();
      break;
  }
}

interface SearchBody {
  pageSize: number;
  pageNumber: number;
  sortBy: string;
  name: string;
  tasks: string[];
  tags: string[];
}

/** Validate the PUT body the way the upstream's binder would: a wrong type is a 400. */
function parseSearchBody(raw: unknown): SearchBody | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const b = raw as Record<string, unknown>;
  const int = (v: unknown, fallback: number) => (v === undefined ? fallback : Number.isInteger(v) ? (v as number) : NaN);
  const pageSize = int(b.PageSize, 10);
  const pageNumber = int(b.PageNumber, 1);
  if (Number.isNaN(pageSize) || Number.isNaN(pageNumber)) return null;
  if (b.Criterion !== undefined && !Array.isArray(b.Criterion)) return null;
  const values = (category: string) =>
    ((b.Criterion as unknown[] | undefined) ?? []).flatMap((c) => {
      const criterion = c as { category?: unknown; values?: unknown };
      return criterion.category === category && Array.isArray(criterion.values) ? criterion.values.map(String) : [];
    });
  return {
    pageSize: Math.min(Math.max(pageSize, 1), 100),
    pageNumber: Math.max(pageNumber, 1),
    sortBy: typeof b.SortBy === 'string' ? b.SortBy : 'Default',
    name: typeof b.Name === 'string' ? b.Name : '',
    tasks: values('tasks'),
    tags: values('tags'),
  };
}

function aggregate(models: FakeModelScopeModel[], pick: (item: Record<string, unknown>) => string[]): Array<{ Count: number; Value: string }> {
  const counts = new Map<string, number>();
  for (const model of models) for (const value of pick(model.item())) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([Value, Count]) => ({ Count, Value }));
}

export async function startFakeModelScope(options: FakeModelScopeOptions = {}): Promise<FakeModelScope> {
  const catalogue = options.catalogue ?? new ModelScopeCatalogue(options);
  const faults = new FaultEngine(options.faults ?? {});
  const token = options.token ?? DEFAULT_FAKE_TOKEN;
  let authMode = options.auth ?? 'anonymous';
  let slow = { ...options.slow };
  let envelopeDrift = options.envelopeDrift ?? null;
  let malformed: Readonly<Record<string, ItemDefect>> = options.malformed ?? {};
  const requests: ModelScopeRecordedRequest[] = [];
  const closing = new AbortController();
  let seq = 0;
  let origin = '';

  function authOf(req: IncomingMessage): ModelScopeRecordedRequest['auth'] {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = /(?:^|;\s*)m_session_id=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (bearer === undefined && cookie === undefined) return 'none';
    return bearer === token || cookie === token ? 'valid' : 'invalid';
  }

  function modelsReply(req: IncomingMessage, raw: unknown, rec: ModelScopeRecordedRequest): Reply {
    if (req.method === 'GET' || req.method === 'HEAD') return json(404, { Code: 404, Message: 'Not Found', RequestId: randomUUID(), Success: false });
    if (req.method !== 'PUT') return json(405, { Code: 405, Message: 'Method Not Allowed', RequestId: randomUUID(), Success: false }, { allow: 'PUT' });
    if (authMode === 'required' && rec.auth !== 'valid') return json(401, UNAUTHORIZED_BODY);
    const body = parseSearchBody(raw);
    if (!body) return json(400, { Code: 400, Message: 'invalid request body', RequestId: randomUUID(), Success: false });
    const found = catalogue.search({ tasks: body.tasks, tags: body.tags, name: body.name, sortBy: body.sortBy });
    const offset = (body.pageNumber - 1) * body.pageSize;
    const page = found.slice(offset, offset + body.pageSize).map((model) => {
      const item = model.item(origin);
      const defect = malformed[model.id];
      if (defect) applyDefect(item, defect);
      return item;
    });
    const data: Record<string, unknown> = {
      FiledAgg: {
        language: [],
        libraries: aggregate(found, (i) => i.Libraries as string[]),
        license: aggregate(found, (i) => [String(i.License).toLowerCase()]),
        model_type: [],
        nexa_catalog: [],
        tags: aggregate(found, (i) => (i.Tags as string[]).map((t) => t.toLowerCase())),
      },
      Model: { Models: page, TotalCount: found.length },
      Source: '',
      Target: '',
    };
    const envelope: Record<string, unknown> = { Code: 200, Data: data, Message: 'success', RequestId: randomUUID(), Success: true };
    if (envelopeDrift) {
      rec.fault = `drift:${envelopeDrift}`;
      if (envelopeDrift === 'model-renamed') {
        data.ModelList = data.Model;
        delete data.Model;
      } else if (envelopeDrift === 'models-object') {
        data.Model = { Models: Object.fromEntries(page.map((item) => [String(item.Id), item])), TotalCount: found.length };
      } else if (envelopeDrift === 'code-string') {
        envelope.Code = '200';
      } else {
        envelope.Data = null;
      }
    }
    return json(200, envelope);
  }

  async function imageReply(req: IncomingMessage, path: string, rec: ModelScopeRecordedRequest): Promise<Reply> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return ossError(405, 'MethodNotAllowed', path);
    const served = catalogue.image(path);
    if (!served || served.dead) return ossError(404, 'NoSuchKey', path);
    if (served.protected && rec.auth !== 'valid') return ossError(403, 'AccessDenied', path);
    if (served.video) {
      const video = fakeVideo('mp4');
      return { status: 200, headers: { 'content-type': video.contentType, 'cache-control': 'public, max-age=31536000' }, body: video.body };
    }
    const bytes = await imageBytes(served.content);
    return { status: 200, headers: { 'content-type': CONTENT_TYPES[served.content.format], 'cache-control': 'public, max-age=31536000' }, body: bytes };
  }

  function otherReply(path: string): Reply {
    const match = /^\/models\/([^/]+)\/([^/]+)$/.exec(path);
    const model = match ? catalogue.byId(`${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}`) : undefined;
    if (!model) return text(404, '<!DOCTYPE html><title>404</title><p>页面不存在</p>');
    return text(200, `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${model.chineseName || model.name} · 魔搭社区</title></head><body><h1>${model.id}</h1></body></html>`);
  }

  function faultReply(action: FaultAction, kind: ModelScopeRequestKind, retryAfter: string | null): Reply | null {
    const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};
    switch (action) {
      case '500':
        return kind === 'models' ? json(500, { Code: 500, Message: 'Internal Server Error', RequestId: randomUUID(), Success: false }) : text(500, 'Internal Server Error', 'text/plain');
      case '502':
      case 'html502':
        return gatewayPage(502, 'Bad Gateway');
      case '503':
        return gatewayPage(503, 'Service Temporarily Unavailable');
      case '504':
        return gatewayPage(504, 'Gateway Time-out');
      case '429':
      case '429-date':
      case '429-none':
        return kind === 'models'
          ? json(429, { Code: 429, Message: '请求过于频繁，请稍后再试', RequestId: randomUUID(), Success: false }, headers)
          : text(429, 'Too Many Requests', 'text/plain', headers);
      case 'html200':
        return text(200, WAF_PAGE);
      default:
        return null;
    }
  }

  function send(req: IncomingMessage, res: ServerResponse, rec: ModelScopeRecordedRequest, reply: Reply, truncate: boolean): void {
    if (res.destroyed || res.headersSent) return;
    rec.status = reply.status;
    let body = reply.body;
    if (truncate && rec.kind === 'image' && reply.status === 200) {
      res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
      return;
    }
    if (truncate) body = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const kind = classify(url.pathname);
    const rec: ModelScopeRecordedRequest = {
      seq: ++seq, time: performance.now(), method: req.method ?? 'GET', path: url.pathname, kind, body: null,
      auth: authOf(req), authorization: req.headers.authorization ?? null, status: null, fault: null, latencyMs: 0,
    };
    requests.push(rec);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return;
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown = null;
    if (raw) {
      try {
        parsed = JSON.parse(raw);
      } catch {
        parsed = undefined; // not JSON: a 400 below
      }
    }
    rec.body = parsed === undefined ? raw.slice(0, 2000) : parsed;

    const decision = faults.decide(FAULT_KINDS[kind]);
    const latency = decision.latencyMs + (kind === 'models' ? (slow.api ?? 0) : kind === 'image' ? (slow.images ?? 0) : 0);
    rec.latencyMs = latency;
    if (decision.action !== 'ok') rec.fault = decision.action;
    if (latency > 0 && !(await sleep(latency, closing.signal))) {
      res.destroy();
      return;
    }
    if (res.destroyed) return;
    if (decision.action === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (decision.action === 'hang') {
      closing.signal.addEventListener('abort', () => res.destroy(), { once: true });
      return;
    }
    const faulty = faultReply(decision.action, kind, decision.retryAfter);
    if (faulty) {
      send(req, res, rec, faulty, false);
      return;
    }
    let reply: Reply;
    if (kind === 'models') {
      reply = parsed === undefined && req.method === 'PUT' ? json(400, { Code: 400, Message: 'invalid JSON', Success: false }) : modelsReply(req, parsed, rec);
    } else if (kind === 'image') {
      reply = await imageReply(req, url.pathname, rec);
    } else {
      reply = otherReply(url.pathname);
    }
    send(req, res, rec, reply, decision.action === 'truncate');
  }

  const server = serve(handle);
  origin = await listen(server, options.host, options.port);

  let closed: Promise<void> | null = null;
  return {
    origin,
    apiBaseUrl: origin,
    modelsUrl: origin + MODELS_PATH,
    catalogue,
    token,
    requests,
    clearRequests: () => void (requests.length = 0),
    setAuth: (mode) => void (authMode = mode),
    setSlow: (value) => void (slow = { ...value }),
    setFaults: (config) => faults.set(config),
    setEnvelopeDrift: (drift) => void (envelopeDrift = drift),
    setMalformed: (value) => void (malformed = value),
    reset: () => {
      authMode = options.auth ?? 'anonymous';
      slow = { ...options.slow };
      faults.set(options.faults ?? {});
      envelopeDrift = options.envelopeDrift ?? null;
      malformed = options.malformed ?? {};
      requests.length = 0;
    },
    topLoras: (task) => catalogue.search({ tasks: [task], tags: ['lora'], sortBy: 'DownloadsCount' }),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

export type { FaultConfig, FaultSpec } from '../liblib/faults.ts';
