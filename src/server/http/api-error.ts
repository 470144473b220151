// Errors an API route answers with: `{ "error": { "code", "message" } }` and an HTTP status. Codes are
// stable English identifiers for programs; messages are Chinese for people. This is the one place where a
// domain error (src/core/errors.ts) becomes a status: the services below http/ never choose one.
import { z } from 'zod';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  ServiceUnavailableError,
  TooLargeError,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedFormatError,
} from '../../core/errors.ts';

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

/** Seconds a client should wait before retrying when a service (database, blob store) is unavailable. */
export const RETRY_AFTER_SECONDS = 30;

/**
 * 503 for a database or blob store that is unreachable, read-only or full. The message names no host,
 * path or driver error (those go to the log): a client can only wait and retry.
 */
export const serviceUnavailable = () =>
  new ApiError(503, 'service_unavailable', '服务暂时不可用，请稍后再试', { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });

/** A zod validation failure (a body, a query, a schema a service parsed): 400 naming the first bad field. */
function zodError(error: z.ZodError): ApiError {
  const first = error.issues[0];
  const field = first?.path.join('.');
  return new ApiError(400, 'invalid_input', first ? `${field ? `${field}: ` : ''}${first.message}` : '请求参数无效', {
    details: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/**
 * The answer to an error a route or a service threw, or null when it is not a refusal meant for the client
 * (a bug, an outage, an internal check without a code: the route answers 500 and logs it).
 */
export function apiErrorFrom(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof z.ZodError) return zodError(error);
  if (error instanceof RateLimitedError) {
    const seconds = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    return new ApiError(429, error.code, error.message, { headers: { 'Retry-After': String(seconds) } });
  }
  if (error instanceof ServiceUnavailableError) return serviceUnavailable();
  const status = statusOf(error);
  if (status === null) return null;
  return new ApiError(status, (error as { code: string }).code, (error as Error).message);
}

/** A refusal as a JSON response, for routes that are not apiRoute()s (the /media file route). */
export function refusalResponse(error: InvalidInputError | NotFoundError | ServiceUnavailableError): Response {
  const answer = apiErrorFrom(error);
  if (!answer) throw new Error(`not a refusal for the client (no code): ${error.message}`, { cause: error });
  return answer.toResponse();
}

function statusOf(error: unknown): number | null {
  if (error instanceof InvalidInputError) {
    if (error.code === undefined) return null;
    if (error instanceof TooLargeError) return 413;
    if (error instanceof UnsupportedFormatError) return 415;
    return 400;
  }
  if (error instanceof NotFoundError) return error.code === undefined ? null : 404;
  if (error instanceof UnauthenticatedError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof ConflictError) return 409;
  if (error instanceof UnavailableError) return 503;
  return null;
}
