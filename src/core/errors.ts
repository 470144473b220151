// Errors are named by what happens next (crawlee's convention): retry later, give up on this unit,
// or stop and tell the person running the command what to fix.

/** Something a person must fix (configuration, a missing migration, an unreachable service): exit non-zero with the message. */
export class UserFacingError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'UserFacingError';
    this.hint = options.hint;
  }
  format(): string {
    return this.hint ? `${this.message}\n  → ${this.hint}` : this.message;
  }
}

/** A service (database, blob store, Redis) could not be reached. */
export class ServiceUnavailableError extends UserFacingError {
  readonly service: string;
  constructor(service: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(`${service}: ${message}`, options);
    this.name = 'ServiceUnavailableError';
    this.service = service;
  }
}

/**
 * The database cannot be used right now (unreachable, read-only, full, locked): nothing can be recorded,
 * so a crawl stops (without counting an attempt against the unit it was on) and the API answers 503.
 */
export class DatabaseUnavailableError extends ServiceUnavailableError {
  constructor(service: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(service, message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

// Refusals a client can act on. `code` is a stable English identifier for programs and, when set, the
// message is said to people (in Chinese): the server's route helpers (src/server/http/) answer such an
// error with its status. An error without a code is an internal check (an English message for the log)
// and answers as a server fault.
export interface RefusalOptions {
  code?: string;
  cause?: unknown;
}

/** The caller passed something invalid (a blob key that escapes its root, a bad id): never retried; fix the input. */
export class InvalidInputError extends Error {
  readonly code: string | undefined;
  constructor(message: string, options: RefusalOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'InvalidInputError';
    this.code = options.code;
  }
}

/** The input is too large to accept: send a smaller one. */
export class TooLargeError extends InvalidInputError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(message, { code: 'too_large', ...options });
    this.name = 'TooLargeError';
  }
}

/** The input is of a kind (file format, content type) that is not accepted: send another kind. */
export class UnsupportedFormatError extends InvalidInputError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(message, { code: 'unsupported_type', ...options });
    this.name = 'UnsupportedFormatError';
  }
}

/** The thing asked for does not exist (or is not revealed to this caller). */
export class NotFoundError extends Error {
  readonly code: string | undefined;
  constructor(message: string, options: RefusalOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'NotFoundError';
    this.code = options.code;
  }
}

/** Who is asking is unknown or their credentials were refused: sign in (again) first. */
export class UnauthenticatedError extends Error {
  readonly code: string;
  constructor(message: string, options: RefusalOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'UnauthenticatedError';
    this.code = options.code ?? 'unauthenticated';
  }
}

/** The caller is known but may not do this: retrying will not help. */
export class ForbiddenError extends Error {
  readonly code: string;
  constructor(message: string, options: RefusalOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'ForbiddenError';
    this.code = options.code ?? 'forbidden';
  }
}

/** The thing's current state does not allow this (a name already taken, a draft not yet published). */
export class ConflictError extends Error {
  readonly code: string;
  constructor(message: string, options: RefusalOptions & { code: string }) {
    super(message, { cause: options.cause });
    this.name = 'ConflictError';
    this.code = options.code;
  }
}

/** Too many attempts: wait `retryAfterMs`, then try again. */
export class RateLimitedError extends Error {
  readonly code: string;
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: RefusalOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'RateLimitedError';
    this.code = options.code ?? 'rate_limited';
    this.retryAfterMs = retryAfterMs;
  }
}

/** Something this needs is switched off or cannot be reached right now: try again later (or elsewhere). */
export class UnavailableError extends Error {
  readonly code: string;
  constructor(message: string, options: RefusalOptions & { code: string }) {
    super(message, { cause: options.cause });
    this.name = 'UnavailableError';
    this.code = options.code;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

export interface ContractIssue {
  /** JSON path into the payload, e.g. `data.images[0].generateInfo.seed` */
  path: string;
  message: string;
}

/**
 * An upstream payload no longer matches its documented contract (drift). Never retried blindly: the
 * crawl ledger records it with kind `contract`, and nothing half-normalized is written.
 */
export class ContractError extends Error {
  readonly source: string;
  readonly endpoint: string;
  readonly issues: ContractIssue[];
  constructor(source: string, endpoint: string, issues: ContractIssue[]) {
    super(
      `${source} ${endpoint}: payload does not match the contract: ` +
        issues.slice(0, 5).map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ') +
        (issues.length > 5 ? ` (+${issues.length - 5} more)` : ''),
    );
    this.name = 'ContractError';
    this.source = source;
    this.endpoint = endpoint;
    this.issues = issues;
  }
}

/** Format zod-style issue paths (['data', 'images', 0, 'seed']) as `data.images[0].seed`. */
export function formatJsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, '');
}
