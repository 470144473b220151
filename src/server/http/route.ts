// One wrapper for every community API route: it states the route's access rule and rate limits up front,
// then does, in order: cross-site check, authentication, access check, path parameter validation, rate
// limits, the handler, and the error format `{ "error": { "code", "message" } }`. Framework-free: it takes
// the parts of Astro's APIContext it needs, so tests can call routes without a build.
import { z } from 'zod';
import type { RateLimitRule } from '../../core/env.ts';
import { RateLimitedError } from '../../core/errors.ts';
import { getServerServices, type ServerServices } from '../start-up.ts';
import type { User } from '../../core/store/store.ts';
import type { ValidSession } from '../auth/sessions.ts';
import { ApiError, apiErrorFrom, serviceUnavailable, unauthenticated } from './api-error.ts';
import { clientOf, isSameSiteWrite, socketAddress, type ClientInfo } from './client-address.ts';
import { authenticateRequest, type RequestAuth } from './request-auth.ts';

/** public: anyone (the viewer is known when signed in); user: a signed-in user, else 401. */
export type Access = 'public' | 'user';
export type LimitKind = 'login' | 'upload' | 'write' | 'generate';

/** The parts of Astro's APIContext a route uses. */
export interface RouteInput {
  request: Request;
  params: Record<string, string | undefined>;
  url: URL;
  clientAddress?: string;
  locals?: unknown;
}

interface HandlerContext<P, V extends User | null> {
  request: Request;
  url: URL;
  params: P;
  services: ServerServices;
  viewer: V;
  session: V extends User ? ValidSession : ValidSession | null;
  auth: RequestAuth;
  /** The client as trusted proxies report it (src/server/http/client-address.ts). */
  client: ClientInfo;
  /** Add a Set-Cookie header to the response. */
  setCookie(value: string): void;
  /**
   * Count one more attempt against a limit (e.g. per account and address on login); throws RateLimitedError
   * (429) when over. `rules` replaces the kind's configured rule (several: each must allow the attempt).
   */
  limit(kind: LimitKind, bucket: string, rules?: RateLimitRule[]): Promise<void>;
}

interface RouteDefinition<P, A extends Access> {
  access: A;
  params?: z.ZodType<P>;
  /** Limits counted before the handler runs: per user for upload/write/generate, per IP for login; every write also per IP. */
  rateLimit?: LimitKind;
  handler(context: HandlerContext<P, A extends 'user' ? User : User | null>): Promise<Response | object>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const idParams = z.object({
  id: z.string().regex(/^\d{1,15}$/, '无效的 id').transform(Number),
});

/** A user's public handle in the path (stored lowercase, so any case finds the account). */
export const usernameParams = z.object({
  username: z.string().regex(/^[A-Za-z0-9_]{3,32}$/, '无效的用户名').transform((v) => v.toLowerCase()),
});

/** Services for this request: tests inject theirs through `locals.services`; the server makes its own. */
async function servicesFor(input: RouteInput): Promise<ServerServices> {
  const injected = (input.locals as { services?: ServerServices } | undefined)?.services;
  return injected ?? getServerServices();
}

/** The client of this request (the middleware resolved it already on the built server). */
function requestClient(input: RouteInput, services: ServerServices): ClientInfo {
  const resolved = (input.locals as { client?: ClientInfo } | undefined)?.client;
  if (resolved) return resolved;
  return clientOf(services.config.server, { request: input.request, url: input.url, clientAddress: socketAddress(input as { clientAddress: string }) });
}

/**
 * Refuse writes from other sites (src/server/http/client-address.ts says which origins are ours). The
 * middleware checks every on-demand request the same way; this keeps a route safe where it does not run.
 */
function assertSameSite(request: Request, client: ClientInfo, siteUrl: string): void {
  if (!isSameSiteWrite(request, client, siteUrl)) throw crossSite();
}

export const crossSite = () => new ApiError(403, 'cross_site', '拒绝来自其他网站的请求');

async function enforceLimit(services: ServerServices, rules: ReadonlyArray<RateLimitRule | null>, bucket: string): Promise<void> {
  const active = rules.filter((rule): rule is RateLimitRule => rule !== null);
  if (active.length === 0) return;
  const results = await Promise.all(active.map((rule) => services.limiter.hit(bucket, rule)));
  const refused = results.filter((result) => !result.allowed);
  if (refused.length > 0) {
    const retryAfterMs = Math.max(...refused.map((result) => result.retryAfterMs));
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    throw new RateLimitedError(`操作太频繁，请 ${seconds} 秒后再试`, retryAfterMs);
  }
}

export function apiRoute<P = Record<string, never>, A extends Access = Access>(definition: RouteDefinition<P, A>) {
  return async (input: RouteInput): Promise<Response> => {
    const cookies: string[] = [];
    const finish = (response: Response) => {
      for (const cookie of cookies) response.headers.append('Set-Cookie', cookie);
      if (!response.headers.has('Cache-Control')) response.headers.set('Cache-Control', 'no-store');
      return response;
    };
    let services: ServerServices;
    try {
      services = await servicesFor(input);
    } catch {
      // The services could not be created (the database cannot be opened): getServerServices logs why.
      return serviceUnavailable().toResponse();
    }
    try {
      const client = requestClient(input, services);
      assertSameSite(input.request, client, services.config.server.siteUrl);
      const auth = await authenticateRequest(services, input.request);
      cookies.push(...auth.setCookies);
      const viewer = auth.session?.user ?? null;
      if (definition.access === 'user' && !viewer) throw unauthenticated();
      const params = definition.params ? parseParams(definition.params, input.params) : ({} as P);
      const rules = services.config.community.rateLimits;
      const limit = (kind: LimitKind, bucket: string, override?: RateLimitRule[]) => enforceLimit(services, override ?? [rules[kind]], `${kind}:${bucket}`);
      if (!SAFE_METHODS.has(input.request.method)) await enforceLimit(services, [rules.ip], `ip:${client.rateKey}`);
      if (definition.rateLimit === 'login') await limit('login', `ip:${client.rateKey}`);
      else if (definition.rateLimit && viewer) await limit(definition.rateLimit, `user:${viewer.id}`);
      const result = await definition.handler({
        request: input.request,
        url: input.url,
        params,
        services,
        viewer: viewer as never,
        session: auth.session as never,
        auth,
        client,
        setCookie: (value) => cookies.push(value),
        limit,
      });
      return finish(result instanceof Response ? result : Response.json(result));
    } catch (error) {
      const refusal = apiErrorFrom(error);
      if (refusal?.status === 503) services.log.warn({ err: error, method: input.request.method, path: input.url.pathname }, 'API route: a service is unavailable');
      if (refusal) return finish(refusal.toResponse());
      services.log.error({ err: error, method: input.request.method, path: input.url.pathname }, 'API route failed');
      return finish(new ApiError(500, 'internal', '服务器出错了，请稍后再试').toResponse());
    }
  };
}

function parseParams<P>(schema: z.ZodType<P>, params: Record<string, string | undefined>): P {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new ApiError(404, 'not_found', '不存在的地址');
  return parsed.data;
}

const MAX_JSON_BYTES = 64 * 1024;

/** A body limit as people read it: 64 KB, 2 MB (the message used to round 64 KiB up to "1 MB"). */
function byteLimitLabel(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * A JSON body validated by `schema`. Only `application/json` is accepted: a cross-site page cannot send
 * that content type without a CORS preflight, which this server never grants.
 */
export async function readJson<T>(request: Request, schema: z.ZodType<T>, options: { maxBytes?: number } = {}): Promise<T> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ApiError(415, 'unsupported_media_type', '请求体须为 JSON（Content-Type: application/json）');
  const text = await readLimitedText(request, options.maxBytes ?? MAX_JSON_BYTES);
  let data: unknown;
  try {
    data = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', '请求体不是合法的 JSON');
  }
  return schema.parse(data);
}

/** The request body, refusing (413) more than `maxBytes` without reading further. */
export async function readLimitedBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  const tooLarge = () => new ApiError(413, 'payload_too_large', `请求体超过 ${byteLimitLabel(maxBytes)} 上限`);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

async function readLimitedText(request: Request, maxBytes: number): Promise<string> {
  return new TextDecoder().decode(await readLimitedBody(request, maxBytes));
}
