import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../testing/community.ts';
import type { MigratableStore } from '../../core/store/create-store.ts';
import { parseCookies, serializeCookie } from './cookies.ts';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password.ts';
import { SESSION_REFRESH_MS, SESSION_TTL_MS, SessionManager, generateSessionToken, sessionIdFromToken } from './sessions.ts';

const DAY = 86_400_000;

describe('sessions (Lucia guide on @oslojs)', () => {
  let store: MigratableStore;
  let cleanup: () => Promise<void>;
  let now = new Date('2026-01-01T00:00:00Z');
  const sessions = () => new SessionManager(store, () => now);

  beforeAll(async () => ({ store, cleanup } = await tempSqliteStore()));
  afterAll(() => cleanup());

  it('makes 160-bit base32 tokens and stores only their SHA-256', async () => {
    const tokens = new Set(Array.from({ length: 100 }, generateSessionToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[a-z2-7]{32}$/);
    const user = await store.users.create({ username: 'tok', name: 't' });
    const { token, session } = await sessions().create(user.id);
    expect(session.id).toBe(sessionIdFromToken(token));
    expect(session.id).toMatch(/^[0-9a-f]{64}$/);
    expect(session.id).not.toContain(token);
    expect(await store.sessions.getWithUser(token)).toBeNull(); // the token itself is no key
    expect(session.expiresAt.getTime()).toBe(now.getTime() + SESSION_TTL_MS);
  });

  it('slides the 30-day expiry forward only in the second half of its life', async () => {
    const user = await store.users.create({ username: 'slide', name: 's' });
    const { token } = await sessions().create(user.id);
    const created = now.getTime();
    now = new Date(created + 10 * DAY);
    const early = await sessions().validate(token);
    expect(early).toMatchObject({ refreshed: false, user: { id: user.id } });
    expect(early!.session.expiresAt.getTime()).toBe(created + SESSION_TTL_MS);
    now = new Date(created + SESSION_TTL_MS - SESSION_REFRESH_MS + 1);
    const late = await sessions().validate(token);
    expect(late?.refreshed).toBe(true);
    expect(late!.session.expiresAt.getTime()).toBe(now.getTime() + SESSION_TTL_MS);
    expect((await store.sessions.getWithUser(sessionIdFromToken(token)))!.session.expiresAt.getTime()).toBe(now.getTime() + SESSION_TTL_MS);
    // Used again 29 days later: still valid (it slid), and slides again.
    now = new Date(now.getTime() + 29 * DAY);
    expect((await sessions().validate(token))?.refreshed).toBe(true);
  });

  it('refuses and deletes an expired session; refuses malformed and unknown tokens', async () => {
    const user = await store.users.create({ username: 'expire', name: 'e' });
    const { token } = await sessions().create(user.id);
    now = new Date(now.getTime() + SESSION_TTL_MS);
    expect(await sessions().validate(token)).toBeNull();
    expect(await store.sessions.getWithUser(sessionIdFromToken(token))).toBeNull();
    expect(await sessions().validate('')).toBeNull();
    expect(await sessions().validate('../../etc/passwd')).toBeNull();
    expect(await sessions().validate(generateSessionToken())).toBeNull();
  });

  it('invalidates one session or all of a user', async () => {
    const user = await store.users.create({ username: 'many', name: 'm' });
    const other = await store.users.create({ username: 'keep', name: 'k' });
    const [a, b, c] = await Promise.all([sessions().create(user.id), sessions().create(user.id), sessions().create(other.id)]);
    await sessions().invalidate(a.token);
    expect(await sessions().validate(a.token)).toBeNull();
    expect(await sessions().validate(b.token)).not.toBeNull();
    await sessions().invalidateAll(user.id);
    expect(await sessions().validate(b.token)).toBeNull();
    expect(await sessions().validate(c.token)).not.toBeNull();
  });
});

describe('passwords (scrypt)', () => {
  it('hashes with a random salt and verifies in constant time', async () => {
    const [one, two] = await Promise.all([hashPassword('correct horse 电池'), hashPassword('correct horse 电池')]);
    expect(one).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(one).not.toBe(two);
    expect(await verifyPassword(one, 'correct horse 电池')).toBe(true);
    expect(await verifyPassword(one, 'correct horse 电池 ')).toBe(false);
    expect(await verifyPassword(one, '')).toBe(false);
    expect(await verifyPassword('md5$abc', 'x')).toBe(false);
    expect(await verifyPassword('scrypt$40$8$1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5', 'x')).toBe(false); // absurd cost refused
    expect(await verifyAgainstDummy('whatever')).toBe(false);
  });
});

describe('cookies', () => {
  it('serializes httpOnly, SameSite=Lax cookies, Secure when asked, and parses them back', () => {
    const set = serializeCookie('huaku_session', 'abc', { secure: true, maxAge: 60 });
    expect(set).toMatch(/^huaku_session=abc; Path=\/; HttpOnly; SameSite=Lax; Max-Age=60; Expires=.+; Secure$/);
    expect(serializeCookie('a', 'b', { secure: false, maxAge: 0 })).toContain('Max-Age=0');
    expect(serializeCookie('a', 'b', { secure: false, maxAge: 10 })).not.toContain('Secure');
    const parsed = parseCookies('a=1; huaku_session=tok%20en; a=2; bad; =x');
    expect(parsed.get('a')).toBe('1');
    expect(parsed.get('huaku_session')).toBe('tok en');
    expect(parseCookies(null).size).toBe(0);
  });
});
