// better-sqlite3 compiles the SQL text again on every prepare(), and drizzle prepares every query it runs:
// a crawl spent more time compiling its few dozen distinct statements than running them (CPU profile of the
// Liblib crawl test: prepare 1.4 s, execution 1.2 s). The connection drizzle gets keeps the statements it
// prepared, by their SQL text, and hands them out again.
import type Database from 'better-sqlite3';

/** Distinct statements kept: an application's queries are a few hundred texts at most; the oldest goes first. */
const DEFAULT_CAPACITY = 500;

/**
 * `connection` with a prepare() that returns the statement already compiled for the same SQL text. A reused
 * statement is set back to object rows (drizzle switches a statement to raw rows for the queries it maps
 * itself, and may run the same text either way). Statements stay valid across schema changes: SQLite
 * recompiles one whose schema changed when it next runs. Everything else is the connection itself.
 */
export function withStatementCache(connection: Database.Database, capacity = DEFAULT_CAPACITY): Database.Database {
  const statements = new Map<string, Database.Statement>();
  const prepare = (source: string): Database.Statement => {
    const cached = statements.get(source);
    if (cached) {
      // Most recently used last: the Map's first key is the one to evict.
      statements.delete(source);
      statements.set(source, cached);
      if (cached.reader) cached.raw(false);
      return cached;
    }
    const statement = connection.prepare(source);
    statements.set(source, statement);
    if (statements.size > capacity) statements.delete(statements.keys().next().value!);
    return statement;
  };
  return new Proxy(connection, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
