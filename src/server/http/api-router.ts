// The API routes without Astro's request pipeline. Astro's App spends about as much CPU per API request as
// the route itself (route matching, a render context, props, module lookup by dynamic import, response
// preparation: bench/community-like.ts profiles), for endpoints that only read the request and answer.
// The server (src/server/serve.ts) therefore sends `/api/*` here: the endpoint modules of src/pages/api,
// listed at build time (src/api-routes.ts, bundled beside the Astro app so routes and services share one
// module graph), are matched by their file paths with Astro's rules, and called with the same edge work
// the middleware does for them (handleOnDemand: trusted-proxy client, cross-site refusal, page errors,
// security headers). Everything else (pages, /media, a path no API file matches) stays with Astro.
import type { Config } from '../../core/env.ts';
import { handleOnDemand } from './edge.ts';
import type { RouteInput } from './route.ts';

/** An endpoint module of src/pages/api: `prerender` and one function per HTTP method (or ALL). */
export type EndpointModule = Record<string, unknown>;
type Endpoint = (context: RouteInput & { locals: object }) => Response | Promise<Response>;

interface Segment {
  /** The literal text of a static segment, or the parameter name of a `[name]` one. */
  value: string;
  dynamic: boolean;
}

interface CompiledRoute {
  /** The route as Astro writes it: /api/artworks/[id]/like. */
  route: string;
  segments: Segment[];
  load: () => Promise<EndpointModule>;
}

interface ApiMatch {
  route: string;
  params: Record<string, string>;
  /** Run the endpoint for this request, with the edge work around it. */
  handle(input: { request: Request; url: URL; clientAddress: string | undefined }): Promise<Response>;
}

export interface ApiRouter {
  /** Every route, most specific first. */
  readonly routes: readonly string[];
  /**
   * The on-demand endpoint serving this decoded path, or null (no API file matches, or the file is
   * prerendered): the caller leaves those to Astro.
   */
  match(pathname: string): Promise<ApiMatch | null>;
}

const SEGMENT_PARAM = /^\[([A-Za-z_$][\w$]*)\]$/;

/** `./pages/api/artworks/[id]/like.ts` → its route's segments; anything but literal and `[name]` segments throws. */
function routeSegments(file: string): Segment[] {
  const route = file.replace(/^\.?\/?(src\/)?pages/, '').replace(/\.(ts|js|mjs)$/, '').replace(/\/index$/, '');
  return route
    .split('/')
    .filter(Boolean)
    .map((part) => {
      const param = SEGMENT_PARAM.exec(part);
      if (param) return { value: param[1]!, dynamic: true };
      // Spreads ([...rest]) and mixed segments (a-[id]) have rules of precedence this table does not copy;
      // refuse them here rather than route a request where Astro would not.
      if (/[[\]]/.test(part)) throw new Error(`api-router: unsupported route segment "${part}" in ${file} (only literal and [name] segments)`);
      return { value: part, dynamic: false };
    });
}

/** Astro's precedence for these routes: at the first segment that differs in kind, a literal wins. */
function bySpecificity(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const kind = Number(a.segments[i]!.dynamic) - Number(b.segments[i]!.dynamic);
    if (kind !== 0) return kind;
  }
  return b.segments.length - a.segments.length;
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const segment = segments[i]!;
    const part = parts[i]!;
    if (segment.dynamic) {
      if (part === '') return null;
      params[segment.value] = part;
    } else if (segment.value !== part) return null;
  }
  return params;
}

/** Astro's endpoint dispatch: the method's export, else ALL, HEAD answered by GET without a body, else 404. */
async function callEndpoint(module: EndpointModule, context: RouteInput & { locals: object }): Promise<Response> {
  const method = context.request.method.toUpperCase();
  let handler = module[method] ?? module.ALL;
  if (handler === undefined && method === 'HEAD') handler = module.GET;
  if (handler === undefined) return new Response(null, { status: 404 });
  if (typeof handler !== 'function') return new Response(null, { status: 500 });
  const response = await (handler as Endpoint).call(module, context);
  return method === 'HEAD' ? new Response(null, response) : response;
}

/**
 * The router over endpoint modules keyed by file path (as import.meta.glob gives them), each loaded on its
 * first request. `config` is read per request (the server parses it once).
 */
export function createApiRouter(modules: Record<string, () => Promise<EndpointModule>>, config: () => Config): ApiRouter {
  const compiled: CompiledRoute[] = Object.entries(modules)
    .map(([file, load]) => {
      const segments = routeSegments(file);
      let loaded: Promise<EndpointModule> | undefined;
      const once = () => {
        // A failed import is not kept: the next request tries again.
        loaded ??= load().catch((error: unknown) => {
          loaded = undefined;
          throw error;
        });
        return loaded;
      };
      return { route: `/${segments.map((s) => (s.dynamic ? `[${s.value}]` : s.value)).join('/')}`, segments, load: once };
    })
    .sort(bySpecificity);
  return {
    routes: compiled.map((route) => route.route),
    async match(pathname) {
      // Trailing slashes are ignored, as Astro's trailingSlash 'ignore' does.
      const parts = pathname.replace(/\/+$/, '').split('/').slice(1);
      for (const route of compiled) {
        const params = matchSegments(route.segments, parts);
        if (!params) continue;
        const module = await route.load();
        if (module.prerender !== false) return null;
        return {
          route: route.route,
          params,
          handle({ request, url, clientAddress }) {
            const locals = {};
            const context = { request, url, params, locals, ...(clientAddress ? { clientAddress } : {}) };
            return handleOnDemand(config(), { request, url, clientAddress, locals }, () => callEndpoint(module, context));
          },
        };
      }
      return null;
    },
  };
}
