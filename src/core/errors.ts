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

/** The caller passed something invalid (a blob key that escapes its root, a bad id): never retried. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** The thing asked for does not exist. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
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
