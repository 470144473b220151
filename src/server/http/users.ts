// Users as the API shows them.
import type { User } from '../../core/store/store.ts';

export interface PublicUser {
  id: number;
  username: string;
  name: string;
  avatar_url: string | null;
}

export interface OwnUser extends PublicUser {
  email: string | null;
  has_password: boolean;
  has_google: boolean;
  created_at: string;
}

export function publicUser(user: User): PublicUser {
  return { id: user.id, username: user.username, name: user.name, avatar_url: user.profilePic };
}

export function ownUser(user: User): OwnUser {
  return {
    ...publicUser(user),
    email: user.email,
    has_password: user.passwordHash !== null,
    has_google: user.googleSub !== null,
    created_at: user.createdAt.toISOString(),
  };
}

/** A same-site path to go to after login (`next`), never another origin. */
export function safeNextPath(next: string | null | undefined, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\r\n]/.test(next)) return fallback;
  return next;
}
