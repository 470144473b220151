// Users as the API shows them: by their public handle (the username), never by the numeric id, which
// would let anyone enumerate every account.
import type { User } from '../../core/store/store.ts';

export interface PublicUser {
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
  return { username: user.username, name: user.name, avatar_url: user.profilePic };
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
