// fetch() for the islands: JSON in and out, the API's `{error: {code, message}}` turned into an ApiCallError
// whose message is already Chinese and fit for a toast.

export class ApiCallError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function callApi<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  let response: Response;
  try {
    response = await fetch(path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body, credentials: 'same-origin' });
  } catch {
    throw new ApiCallError(0, 'network', '网络连接失败，请检查网络后重试');
  }
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!response.ok) {
    // The server's own message first: a 401 from the login route says 用户名或密码错误, not 请先登录.
    const fallback = response.status === 401 ? '请先登录' : `请求失败（${response.status}）`;
    throw new ApiCallError(response.status, body?.error?.code ?? (response.status === 401 ? 'unauthenticated' : 'error'), body?.error?.message ?? fallback);
  }
  return body as T;
}

/** Send the browser to the login page, coming back here afterwards. */
export function goToLogin(): void {
  window.location.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
}
