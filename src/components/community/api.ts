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
    if (response.status === 401) throw new ApiCallError(401, 'unauthenticated', '请先登录');
    throw new ApiCallError(response.status, body?.error?.code ?? 'error', body?.error?.message ?? `请求失败（${response.status}）`);
  }
  return body as T;
}

/** Send the browser to the login page, coming back here afterwards. */
export function goToLogin(): void {
  window.location.href = `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
}
