// Errors an API route answers with: `{ "error": { "code", "message" } }` and an HTTP status. Codes are
// stable English identifiers for programs; messages are Chinese for people.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, options: { headers?: Record<string, string>; details?: unknown } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }

  toResponse(): Response {
    const body = { error: { code: this.code, message: this.message, ...(this.details !== undefined ? { details: this.details } : {}) } };
    return Response.json(body, { status: this.status, headers: { 'Cache-Control': 'no-store', ...this.headers } });
  }
}

export const unauthenticated = () => new ApiError(401, 'unauthenticated', '请先登录');
export const forbidden = (message = '没有权限执行此操作') => new ApiError(403, 'forbidden', message);
export const notFound = (message = '作品不存在') => new ApiError(404, 'not_found', message);
export const invalidInput = (message: string, details?: unknown) => new ApiError(400, 'invalid_input', message, { details });
