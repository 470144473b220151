import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.ts';

describe('withStatementCache', () => {
  let connection: Database.Database;
  afterEach(() => connection?.close());

  const open = (capacity?: number) => {
    connection = new Database(':memory:');
    connection.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    return withStatementCache(connection, capacity);
  };

  it('compiles a SQL text once and hands the same statement out again', () => {
    const cached = open();
    const insert = cached.prepare('INSERT INTO t (name) VALUES (?)');
    expect(cached.prepare('INSERT INTO t (name) VALUES (?)')).toBe(insert);
    insert.run('a');
    cached.prepare('INSERT INTO t (name) VALUES (?)').run('b');
    expect(cached.prepare('SELECT name FROM t ORDER BY id').all()).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('gives a reused statement back with object rows after it was switched to raw rows', () => {
    const cached = open();
    connection.prepare("INSERT INTO t (name) VALUES ('a')").run();
    expect(cached.prepare('SELECT id, name FROM t').raw().all()).toEqual([[1, 'a']]);
    expect(cached.prepare('SELECT id, name FROM t').all()).toEqual([{ id: 1, name: 'a' }]);
  });

  it('keeps at most `capacity` statements, dropping the least recently used', () => {
    const cached = open(2);
    const first = cached.prepare('SELECT 1');
    const second = cached.prepare('SELECT 2');
    expect(cached.prepare('SELECT 1')).toBe(first); // now the most recent
    cached.prepare('SELECT 3'); // evicts SELECT 2
    expect(cached.prepare('SELECT 1')).toBe(first);
    expect(cached.prepare('SELECT 2')).not.toBe(second);
  });

  it('answers from the current schema after a change, and is the connection for everything else', () => {
    const cached = open();
    connection.prepare("INSERT INTO t (name) VALUES ('a')").run();
    expect(cached.prepare('SELECT * FROM t').all()).toEqual([{ id: 1, name: 'a' }]);
    cached.exec("ALTER TABLE t ADD COLUMN kind TEXT DEFAULT 'x'");
    expect(cached.prepare('SELECT * FROM t').all()).toEqual([{ id: 1, name: 'a', kind: 'x' }]);
    expect(cached.inTransaction).toBe(false);
    expect(cached.pragma('foreign_keys', { simple: true })).toBe(connection.pragma('foreign_keys', { simple: true }));
  });
});
