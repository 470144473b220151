// Accounts: local (username + password) and Google (matched by the ID token's subject). Usernames are
// stored lowercase so "Alice" and "alice" are one account on SQLite and MySQL alike. The username is the
// public handle (URLs, the API); the numeric id never leaves the server.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { sanitizeDisplayName } from '../../core/text/display-name.ts';
import { ConflictError } from '../../core/errors.ts';
import type { Store, User } from '../../core/store/store.ts';
import type { GoogleProfile } from './google.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, hashPassword, verifyAgainstDummy, verifyPassword } from './password.ts';

export const usernameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_]{3,32}$/, '用户名为 3–32 位字母、数字或下划线')
  .transform((v) => v.toLowerCase());
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `密码至少 ${PASSWORD_MIN_LENGTH} 位`)
  .max(PASSWORD_MAX_LENGTH, `密码最多 ${PASSWORD_MAX_LENGTH} 位`);
export const displayNameSchema = z.string().transform(sanitizeDisplayName).pipe(z.string().min(1, '昵称不能为空').max(40, '昵称最多 40 个字'));

export interface LocalRegistration {
  username: string;
  password: string;
  name?: string | undefined;
}

export async function registerLocalUser(store: Store, input: LocalRegistration): Promise<User> {
  const username = usernameSchema.parse(input.username);
  if (await store.users.findByUsername(username)) throw usernameTaken();
  const passwordHash = await hashPassword(input.password);
  try {
    return await store.users.create({ username, name: sanitizeDisplayName(input.name ?? '') || username, passwordHash });
  } catch (error) {
    // Two registrations raced for the name: the unique index decided.
    if (await store.users.findByUsername(username)) throw usernameTaken();
    throw error;
  }
}

function usernameTaken(): ConflictError {
  return new ConflictError('用户名已被占用', { code: 'username_taken' });
}

/** The user when the password matches, else null, in about the same time either way. */
export async function authenticateLocal(store: Store, username: string, password: string): Promise<User | null> {
  const parsed = usernameSchema.safeParse(username);
  const user = parsed.success ? await store.users.findByUsername(parsed.data) : null;
  if (!user?.passwordHash) return verifyAgainstDummy(password).then(() => null);
  return (await verifyPassword(user.passwordHash, password)) ? user : null;
}

/** Find the user of this Google subject (refreshing name and picture) or create one. */
export async function upsertGoogleUser(store: Store, profile: GoogleProfile): Promise<User> {
  const name = [...sanitizeDisplayName(profile.name ?? '')].slice(0, 40).join('') || null;
  const existing = await store.users.findByGoogleSub(profile.sub);
  if (existing) {
    const changes = { name: name ?? existing.name, profilePic: profile.picture ?? existing.profilePic };
    if (changes.name === existing.name && changes.profilePic === existing.profilePic) return existing;
    return (await store.users.update(existing.id, changes)) ?? existing;
  }
  for (let attempt = 0; attempt < 6; attempt++) {
    const username = googleUsername(name);
    if (await store.users.findByUsername(username)) continue;
    // Only a verified address is kept, and only when no other account has it (the column is unique).
    const email = profile.email && profile.emailVerified ? profile.email : null;
    try {
      return await store.users.create({
        username,
        name: name ?? username,
        googleSub: profile.sub,
        profilePic: profile.picture,
        email,
      });
    } catch (error) {
      const raced = await store.users.findByGoogleSub(profile.sub);
      if (raced) return raced;
      if (email) {
        try {
          return await store.users.create({ username, name: name ?? username, googleSub: profile.sub, profilePic: profile.picture });
        } catch {
          // the username was taken meanwhile: try another
        }
      }
      if (attempt === 5) throw error;
    }
  }
  throw new Error('could not allocate a username for the Google account');
}

const HANDLE_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/**
 * A new Google account's username (its public handle): the Latin letters and digits of the display name
 * when there are at least three, else `user`, plus a random suffix. Never the email address: a handle is
 * public, and the address's local part would publish it (and let anyone guess accounts by address).
 */
export function googleUsername(displayName: string | null): string {
  const stem = (displayName ?? '').normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 20);
  const suffix = Array.from({ length: 6 }, () => HANDLE_ALPHABET[randomInt(HANDLE_ALPHABET.length)]).join('');
  return `${stem.length >= 3 ? stem : 'user'}_${suffix}`;
}
