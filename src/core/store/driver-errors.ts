// Which database driver failures mean "the database is unavailable right now" (try again later: the API
// answers 503 with Retry-After, the crawler stops with a clear message and resumes on the next run) rather
// than a bug in a query. Classified here, in the store layer, by the drivers' error codes: routes never
// look at driver messages.

/** The driver's error code, looking through drizzle's DrizzleQueryError wrapper (`cause`). */
export function driverCode(error: unknown): string {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return '';
}

/**
 * better-sqlite3 codes (SQLITE_* with extended suffixes, e.g. SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE):
 * a read-only file or directory, a file that cannot be opened, a full disk, an I/O error, a lock held past
 * busy_timeout. Constraint and syntax errors are not among them.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(READONLY|CANTOPEN|IOERR|FULL|BUSY|LOCKED|PERM|NOTADB|CORRUPT|PROTOCOL)(_|$)/;

/**
 * mysql2 codes: the server cannot be reached or went away (socket errors, PROTOCOL_*), refuses the
 * connection (too many, shutting down, access), or is read-only (`read_only`, ER_OPTION_PREVENTS_STATEMENT).
 */
const MYSQL_UNAVAILABLE =
  /^(ECONN|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|PROTOCOL_|ER_ACCESS_DENIED|ER_DBACCESS|ER_BAD_DB|ER_CON_COUNT_ERROR|ER_TOO_MANY_USER_CONNECTIONS|ER_SERVER_SHUTDOWN|ER_NORMAL_SHUTDOWN|ER_SHUTDOWN_COMPLETE|ER_OPTION_PREVENTS_STATEMENT|ER_READ_ONLY_MODE|ER_CANT_LOCK|ER_DISK_FULL|ER_RECORD_FILE_FULL|ER_NET_|ER_HOST_IS_BLOCKED|ER_QUERY_INTERRUPTED|ER_CONNECTION_KILLED)/;

/**
 * mysql2 reports a command on a pool connection that the server closed under it without a code; its
 * message is the only sign (the driver's own wording, matched here once instead of in routes).
 */
const MYSQL_CLOSED_MESSAGE = /connection is in closed state|Connection lost|read ECONNRESET|socket hang up/i;

export function isDatabaseUnavailable(dialect: 'sqlite' | 'mysql', error: unknown): boolean {
  const code = driverCode(error);
  if (dialect === 'sqlite') return SQLITE_UNAVAILABLE.test(code);
  if (MYSQL_UNAVAILABLE.test(code)) return true;
  for (let e = error as { message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (typeof e.message === 'string' && MYSQL_CLOSED_MESSAGE.test(e.message)) return true;
  }
  return false;
}
