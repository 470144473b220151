// The ModelScope model-search client: `PUT /api/v1/dolphin/models` with the LoRA filter, one page at a time,
// through the polite HTTP client. Requests are anonymous (as every public client makes them); only when
// ModelScope answers 401 (or its "unauthorized" envelope) and a token is configured is the page asked again
// with the token (`Authorization: Bearer` plus the `m_session_id` cookie, as the official MCP server sends
// it), and the token then stays on for the rest of the run. The token is never logged: the HTTP client logs
// URLs, never headers.
import { UserFacingError } from '../../../src/core/errors.ts';
import type { HttpClient } from '../../http/http-client.ts';
import { HttpStatusError } from '../../http/errors.ts';
import { normalizeModelsPage, type ModelsPage } from './normalize.ts';

const MODELS_PATH = '/api/v1/dolphin/models';
const TOKEN_PAGE = 'https://modelscope.cn/my/myaccesstoken';

/** Sorts the endpoint knows (docs/upstream.md §2.1); Top-LoRAs ranks by downloads. */
const SORT_BY_DOWNLOADS = 'DownloadsCount';

export interface ModelScopeClientOptions {
  /** e.g. https://www.modelscope.cn (MODELSCOPE_API_BASE). */
  apiBase: string;
  /** MODELSCOPE_API_TOKEN: used only after an anonymous request was refused. */
  token?: string;
}

export type OkPage = Extract<ModelsPage, { ok: true }>;

/** The credentials ModelScope's own clients send for a token. */
export function authHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, cookie: `m_session_id=${token}` };
}

/** 401 → "请配置 API Key", with how; says whether a token was tried. */
class ModelScopeAuthError extends UserFacingError {
  readonly tokenTried: boolean;
  constructor(tokenTried: boolean, detail: string) {
    super(
      tokenTried
        ? `请配置 API Key：ModelScope 拒绝了 MODELSCOPE_API_TOKEN（${detail}），它可能已失效或没有权限`
        : `请配置 API Key：ModelScope 需要登录才能读取模型列表（${detail}）`,
      {
        hint:
          `create an access token at ${TOKEN_PAGE} and set MODELSCOPE_API_TOKEN=<token> in .env (or export it), then run again; ` +
          'the token is sent only after an anonymous request is refused, and never logged',
      },
    );
    this.name = 'ModelScopeAuthError';
    this.tokenTried = tokenTried;
  }
}

/** ModelScope answered with an error envelope other than "unauthorized". */
class ModelScopeRefusedError extends UserFacingError {
  constructor(code: number, message: string) {
    super(`ModelScope 拒绝了请求：${message}（Code ${code}）`, { hint: 'check the task name (e.g. text-to-image-synthesis) and try again later' });
    this.name = 'ModelScopeRefusedError';
  }
}

function searchBody(task: string, pageNumber: number, pageSize: number): Record<string, unknown> {
  return {
    PageSize: pageSize,
    PageNumber: pageNumber,
    SortBy: SORT_BY_DOWNLOADS,
    Target: '',
    Name: '',
    Criterion: [
      { category: 'tags', predicate: 'contains', values: ['lora'] },
      { category: 'tasks', predicate: 'contains', values: [task] },
    ],
    SingleCriterion: [],
  };
}

export class ModelScopeClient {
  readonly #http: HttpClient;
  readonly #url: string;
  readonly #token: string | undefined;
  #authenticated = false;

  constructor(http: HttpClient, options: ModelScopeClientOptions) {
    this.#http = http;
    this.#url = new URL(MODELS_PATH, options.apiBase.replace(/\/*$/, '/')).href;
    this.#token = options.token?.trim() || undefined;
  }

  /** Whether the token has been used (after a refusal). */
  get authenticated(): boolean {
    return this.#authenticated;
  }

  /** One page of top LoRAs for `task`, normalized. Throws HttpError, ContractError, ModelScopeAuthError, ModelScopeRefusedError. */
  async loraPage(task: string, pageNumber: number, pageSize: number, signal?: AbortSignal): Promise<OkPage> {
    const first = await this.#request(task, pageNumber, pageSize, this.#authenticated, signal);
    if (first.ok) return first;
    if (!first.unauthorized) throw new ModelScopeRefusedError(first.code, first.message);
    if (this.#authenticated || !this.#token) throw new ModelScopeAuthError(this.#authenticated, first.message);
    this.#authenticated = true;
    const again = await this.#request(task, pageNumber, pageSize, true, signal);
    if (again.ok) return again;
    if (again.unauthorized) throw new ModelScopeAuthError(true, again.message);
    throw new ModelScopeRefusedError(again.code, again.message);
  }

  async #request(task: string, pageNumber: number, pageSize: number, withToken: boolean, signal?: AbortSignal): Promise<ModelsPage> {
    try {
      const response = await this.#http.json({
        method: 'PUT',
        url: this.#url,
        json: searchBody(task, pageNumber, pageSize),
        headers: { referer: 'https://www.modelscope.cn/models', ...(withToken && this.#token ? authHeaders(this.#token) : {}) },
        stage: 'list',
        key: `${task}#${pageNumber}`,
        signal,
      });
      return normalizeModelsPage(response.data, task);
    } catch (error) {
      // A 401/403 status is the same refusal as the envelope's "unauthorized" code.
      if (error instanceof HttpStatusError && (error.status === 401 || error.status === 403)) {
        return { ok: false, code: error.status, message: `HTTP ${error.status}`, unauthorized: true };
      }
      throw error;
    }
  }
}
