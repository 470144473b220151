// Sessions as Lucia's guide describes them (https://lucia-auth.com/sessions/basic): a random token goes to
// the browser, only its SHA-256 is stored (a leaked sessions table cannot be replayed), 30-day expiry that
// slides forward whenever a session is used in its second half, invalidation of one session or all of a user's.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Session, Store, User } from '../../core/store/store.ts';

const DAY_MS = 86_400_000;
export const SESSION_TTL_MS = 30 * DAY_MS;
/** A session used with less than this left is extended to a full SESSION_TTL_MS again. */
export const SESSION_REFRESH_MS = 15 * DAY_MS;

/** 20 random bytes (160 bits) in lowercase base32: 32 characters. */
const TOKEN_SHAPE = /^[a-z2-7]{32}$/;

export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** The stored session id: hex SHA-256 of the token. */
export function sessionIdFromToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export interface ValidSession {
  session: Session;
  user: User;
  /** true when this validation moved the expiry forward (send the cookie again). */
  refreshed: boolean;
}

export class SessionManager {
  private readonly store: Store;
  private readonly now: () => Date;

  constructor(store: Store, now: () => Date = () => new Date()) {
    this.store = store;
    this.now = now;
  }

  async create(userId: number): Promise<{ token: string; session: Session }> {
    const token = generateSessionToken();
    const session = await this.store.sessions.create({
      id: sessionIdFromToken(token),
      userId,
      expiresAt: new Date(this.now().getTime() + SESSION_TTL_MS),
    });
    return { token, session };
  }

  /** The session and user behind a token, or null (unknown, malformed or expired: expired ones are deleted). */
  async validate(token: string): Promise<ValidSession | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const id = sessionIdFromToken(token);
    const found = await this.store.sessions.getWithUser(id);
    if (!found) return null;
    const now = this.now().getTime();
    if (now >= found.session.expiresAt.getTime()) {
      await this.store.sessions.delete(id);
      return null;
    }
    if (now >= found.session.expiresAt.getTime() - SESSION_REFRESH_MS) {
      const expiresAt = new Date(now + SESSION_TTL_MS);
      await this.store.sessions.setExpiry(id, expiresAt);
      return { session: { ...found.session, expiresAt }, user: found.user, refreshed: true };
    }
    return { ...found, refreshed: false };
  }

  async invalidate(token: string): Promise<void> {
    if (TOKEN_SHAPE.test(token)) await this.store.sessions.delete(sessionIdFromToken(token));
  }

  async invalidateAll(userId: number): Promise<void> {
    await this.store.sessions.deleteAllForUser(userId);
  }
}
