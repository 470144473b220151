// The Civitai connector's network side (docs/upstream.md §1): GET /api/v1/images with cursor paging, models and
// model versions. Parsing lives in normalize.ts. Politeness (rate limit, retries, Retry-After on the
// `/images` 503s) is the HttpClient's job; this class only builds requests and walks cursors.
import { UserFacingError } from '../../../src/core/errors.ts';
import { HttpStatusError } from '../../http/errors.ts';
import type { HttpClient } from '../../http/http-client.ts';
import { normalizeImagesPage, normalizeModel, normalizeModelVersion, type CivitaiImage, type CivitaiImagePage, type CivitaiModel, type CivitaiModelVersion } from './normalize.ts';
import { nsfwQuery, type NsfwLevel } from './nsfw.ts';

const CIVITAI_API_BASE = 'https://civitai.com';
/** Most items per `/images` request (§1.1). */
export const MAX_PAGE_SIZE = 200;
/** `page × limit` above this is refused with 429 (§1.1): page numbers are never followed past it. */
export const PAGE_NUMBER_CAP = 1000;
/** Consecutive empty pages (with a cursor) after which a walk gives up. Empty pages are not the end (§1.1). */
export const DEFAULT_MAX_EMPTY_PAGES = 20;

/** Filters passed to `/images` as they are (modelId, modelVersionId, username, postId, sort, period, baseModels…). */
export type ImageFilters = Record<string, string | number | boolean>;

/** Parameters the client owns: a caller's filter may not set them. */
export const RESERVED_IMAGE_PARAMS = ['cursor', 'page', 'limit', 'withMeta', 'nsfw', 'browsingLevel'] as const;

/** 401/403: the key is missing, wrong, or lacks rights. Permanent: retrying cannot help. */
export class CivitaiAuthError extends UserFacingError {
  readonly kind = 'http' as const;
  readonly retryable = false;
  readonly status: number;
  constructor(status: number, what: string, hasKey: boolean, cause: unknown) {
    const message =
      status === 401
        ? hasKey
          ? `Civitai refused the API key (401 Unauthorized) for ${what}: CIVITAI_API_KEY is wrong or revoked`
          : `Civitai asks for an API key (401 Unauthorized) for ${what}: CIVITAI_API_KEY is not set`
        : hasKey
          ? `Civitai answered 403 Forbidden for ${what}: the API key in CIVITAI_API_KEY lacks the rights for this content`
          : `Civitai answered 403 Forbidden for ${what}: this content needs an API key with the right permissions (CIVITAI_API_KEY is not set)`;
    super(message, { hint: 'Create a key at https://civitai.com/user/account (API Keys) and set CIVITAI_API_KEY in .env; it is sent as a Bearer token.', cause });
    this.name = 'CivitaiAuthError';
    this.status = status;
  }
}

/** 404 on a model or version: the id is unknown or unpublished. Permanent. */
class CivitaiNotFoundError extends UserFacingError {
  readonly kind = 'http' as const;
  readonly retryable = false;
  constructor(what: string, cause: unknown) {
    super(`Civitai has no ${what} (404)`, { cause });
    this.name = 'CivitaiNotFoundError';
  }
}

export interface CivitaiClientOptions {
  /** Default https://civitai.com (config.ingest.civitai.apiBase). */
  apiBase?: string;
  /** Sent as `Authorization: Bearer <key>` on API requests (never to the image CDN). */
  apiKey?: string;
}

export interface ImagePagesOptions {
  filters: ImageFilters;
  levels: readonly NsfwLevel[];
  /** Items per request, 1–200. */
  pageSize: number;
  /** Resume a walk at this cursor (from an earlier `metadata.nextCursor`). */
  startCursor?: string | null;
  maxEmptyPages?: number;
  signal?: AbortSignal;
}

/** One page of a walk, with where it was asked from (for resuming). */
export interface WalkedPage extends CivitaiImagePage {
  /** The cursor this page was requested with (null for the first page). */
  cursor: string | null;
  /** Where the next page is, or null at the end. */
  next: { cursor: string } | { page: number } | null;
}

export class CivitaiClient {
  readonly #http: HttpClient;
  readonly #apiBase: string;
  readonly #apiKey: string | undefined;

  constructor(http: HttpClient, options: CivitaiClientOptions = {}) {
    this.#http = http;
    this.#apiBase = (options.apiBase ?? CIVITAI_API_BASE).replace(/\/+$/, '');
    this.#apiKey = options.apiKey || undefined;
  }

  get apiBase(): string {
    return this.#apiBase;
  }

  async #get(path: string, params: Record<string, string | number | boolean | null | undefined>, stage: string, key: string, what: string, signal?: AbortSignal): Promise<unknown> {
    const url = new URL(`${this.#apiBase}/api/v1/${path}`);
    for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    try {
      const response = await this.#http.json({
        url: url.href,
        headers: this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {},
        stage,
        key,
        signal,
      });
      return response.data;
    } catch (error) {
      if (error instanceof HttpStatusError && (error.status === 401 || error.status === 403)) throw new CivitaiAuthError(error.status, what, this.#apiKey !== undefined, error);
      if (error instanceof HttpStatusError && error.status === 404 && path !== 'images') throw new CivitaiNotFoundError(what, error);
      throw error;
    }
  }

  /** One `/images` request. `position` is a cursor (passed back unchanged) or a page number. */
  async imagesPage(filters: ImageFilters, levels: readonly NsfwLevel[], pageSize: number, position: { cursor?: string | null; page?: number | null } = {}, signal?: AbortSignal): Promise<CivitaiImagePage> {
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new RangeError(`pageSize must be 1–${MAX_PAGE_SIZE}, got ${pageSize}`);
    const { browsingLevel, nsfw } = nsfwQuery(levels);
    const params = {
      ...filters,
      limit: pageSize,
      withMeta: true,
      nsfw,
      browsingLevel,
      ...(position.cursor ? { cursor: position.cursor } : position.page ? { page: position.page } : {}),
    };
    const key = position.cursor ? `cursor:${position.cursor}` : position.page ? `page:${position.page}` : 'first';
    return normalizeImagesPage(await this.#get('images', params, 'list', key, 'GET /api/v1/images', signal));
  }

  /**
   * Walk `/images` page by page (docs/upstream.md §1.1): the first request has no cursor; each next one sends
   * `metadata.nextCursor` back unchanged (never parsed); an empty page that still has a cursor is not the
   * end; the walk ends when there is neither a cursor nor a `nextPage`. A `nextPage` without a cursor (the
   * early-2024 bug on non-Newest sorts) is followed by its cursor, or by page number while
   * `page × limit ≤ 1000`. The consumer stops early (a limit) simply by leaving its for-await loop.
   */
  async *pages(options: ImagePagesOptions): AsyncGenerator<WalkedPage> {
    const maxEmpty = options.maxEmptyPages ?? DEFAULT_MAX_EMPTY_PAGES;
    let position: { cursor?: string | null; page?: number | null } = { cursor: options.startCursor ?? null };
    let emptyStreak = 0;
    for (;;) {
      const page = await this.imagesPage(options.filters, options.levels, options.pageSize, position, options.signal);
      emptyStreak = page.items.length === 0 ? emptyStreak + 1 : 0;
      let next = nextPosition(page, options.pageSize);
      // A server that hands back the cursor it was given would loop forever; so would endless empty pages.
      if (next && 'cursor' in next && next.cursor === position.cursor) next = null;
      if (emptyStreak >= maxEmpty) next = null;
      yield { ...page, cursor: position.cursor ?? null, next };
      if (!next) return;
      position = next;
    }
  }

  /** One image by id (the legacy `imageId` path), or null when it is unknown or outside `levels`. */
  async image(imageId: number, levels: readonly NsfwLevel[], signal?: AbortSignal): Promise<CivitaiImage | null> {
    const page = await this.imagesPage({ imageId }, levels, 1, {}, signal);
    return page.items.find((item) => item.id === imageId) ?? null;
  }

  async model(modelId: number, signal?: AbortSignal): Promise<CivitaiModel> {
    return normalizeModel(await this.#get(`models/${modelId}`, {}, 'detail', `model:${modelId}`, `model ${modelId}`, signal));
  }

  async modelVersion(versionId: number, signal?: AbortSignal): Promise<CivitaiModelVersion> {
    return normalizeModelVersion(await this.#get(`model-versions/${versionId}`, {}, 'detail', `version:${versionId}`, `model version ${versionId}`, signal));
  }
}

/** Where the page after this one is, by the contract's rules; null at the end. */
export function nextPosition(page: Pick<CivitaiImagePage, 'nextCursor' | 'nextPage'>, pageSize: number): { cursor: string } | { page: number } | null {
  if (page.nextCursor) return { cursor: page.nextCursor };
  if (!page.nextPage) return null;
  let url: URL;
  try {
    url = new URL(page.nextPage);
  } catch {
    return null;
  }
  const cursor = url.searchParams.get('cursor');
  if (cursor) return { cursor };
  const number = Number(url.searchParams.get('page'));
  if (Number.isInteger(number) && number > 0 && number * pageSize <= PAGE_NUMBER_CAP) return { page: number };
  return null;
}
