// The Liblib connector's network side: the front-end endpoints of docs/upstream.md §3 with the headers and
// `?timestamp=` the web client sends. Parsing and mapping live in normalize.ts (pure, testable offline).
import type { HttpClient } from '../../http/http-client.ts';
import {
  normalizeAuthor, normalizeComments, normalizeDetail, normalizeListPage, normalizePngInfo, unwrapEnvelope,
  type ListPage, type ListSummary, type NormalizedWork,
} from './normalize.ts';

const LIBLIB_API_BASE = 'https://api2.liblib.art';
const LIBLIB_BRIDGE_BASE = 'https://bridge.liblib.art';

/** Sort values of the search body: 0 is "hot" (captured); the "latest" value is inferred (§3.7). */
export const LIBLIB_SORTS = { hot: 0, latest: 1 } as const;
export type LiblibSort = keyof typeof LIBLIB_SORTS;

/** The upstream answered, but refused (non-zero `code`): the work is gone or hidden. Permanent. */
class UpstreamRefusedError extends Error {
  readonly kind = 'http' as const;
  readonly retryable = false;
  readonly code: number;
  constructor(endpoint: string, key: string, code: number, message: string) {
    super(`liblib ${endpoint} ${key}: upstream refused with code ${code}: ${message}`);
    this.name = 'UpstreamRefusedError';
    this.code = code;
  }
}

const BROWSER_HEADERS = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0 Safari/537.36',
  origin: 'https://www.liblib.art',
  referer: 'https://www.liblib.art/inspiration',
  accept: 'application/json, text/plain, */*',
};

export interface LiblibClientOptions {
  apiBase?: string;
  /** The sd-api gateway (getPnginfo). */
  bridgeBase?: string;
  now?: () => number;
}

export class LiblibClient {
  readonly #http: HttpClient;
  readonly #apiBase: string;
  readonly #bridgeBase: string;
  readonly #now: () => number;

  constructor(http: HttpClient, options: LiblibClientOptions = {}) {
    this.#http = http;
    this.#apiBase = (options.apiBase ?? LIBLIB_API_BASE).replace(/\/+$/, '');
    this.#bridgeBase = (options.bridgeBase ?? LIBLIB_BRIDGE_BASE).replace(/\/+$/, '');
    this.#now = options.now ?? Date.now;
  }

  /** POST `path` (`endpoint` names it in errors, without ids) and unwrap the `{code, msg, data}` envelope. */
  async #post(path: string, endpoint: string, body: Record<string, unknown>, stage: string, key: string, base = `${this.#apiBase}/api/www`): Promise<unknown> {
    const timestamp = this.#now();
    const response = await this.#http.json({
      method: 'POST',
      url: `${base}/${path}?timestamp=${timestamp}`,
      headers: BROWSER_HEADERS,
      json: { ...body, timestamp },
      stage,
      key,
    });
    const envelope = unwrapEnvelope(response.data, endpoint);
    if (!envelope.ok) throw new UpstreamRefusedError(endpoint, key, envelope.code, envelope.message);
    return envelope.data;
  }

  /** One page of the gallery list; with `keyword`, of its search (检索: the same endpoint, §3.1). */
  async listPage(query: { tagId: number; sort: LiblibSort; page: number; pageSize: number; keyword?: string | null }): Promise<ListPage> {
    const data = await this.#post(
      'img/group/search',
      'img/group/search',
      {
        cid: '', requestId: '', page: query.page, pageSize: query.pageSize, sort: LIBLIB_SORTS[query.sort],
        followed: 0, resolution: 0, tagId: query.tagId, types: [], createTools: [], imageFuncs: [], liked: 0,
        imageSources: [], imageCapability: [],
        ...(query.keyword ? { keyword: query.keyword } : {}),
      },
      'list',
      `page:${query.page}`,
    );
    return normalizeListPage(data);
  }

  async detail(uuid: string, summary: ListSummary | null): Promise<NormalizedWork> {
    return normalizeDetail(await this.#post(`img/group/get/${encodeURIComponent(uuid)}`, 'img/group/get', {}, 'detail', uuid), summary);
  }

  async author(userUuid: string) {
    return normalizeAuthor(await this.#post(`img/author/${encodeURIComponent(userUuid)}`, 'img/author', {}, 'author', userUuid), userUuid);
  }

  /**
   * An image's A1111 `parameters` text from the sd-api gateway (§3.5: **unverified**; the body `{imageUrl}`
   * and the reply `data.info` are our guess, built against the fake); null when the image carries none.
   */
  async pngInfo(imageUrl: string, key: string): Promise<string | null> {
    return normalizePngInfo(await this.#post('common/getPnginfo', 'sd-api/common/getPnginfo', { imageUrl }, 'pnginfo', key, `${this.#bridgeBase}/gateway/sd-api`));
  }

  async comments(uuid: string, page: number, pageSize = 50) {
    return normalizeComments(await this.#post('community/commentList', 'community/commentList', { uuid, page, pageSize, sortType: 'hot' }, 'comments', `${uuid}:${page}`));
  }
}
