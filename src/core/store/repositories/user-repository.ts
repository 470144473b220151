// Community users.
import { eq, inArray } from 'drizzle-orm';
import type { User, UserRepository } from '../store.ts';
import { sanitizeDisplayName } from '../../text/display-name.ts';
import { first, inSlices, now, type RepositoryContext } from './context.ts';

export function createUserRepository({ dialect, t, run }: RepositoryContext): UserRepository {
  const users: UserRepository = {
    async create(input) {
      return run(async (db) => {
        // Display names are cleaned wherever they come from (src/core/text/display-name.ts).
        const id = await dialect.insertReturningId(db, t.users, { ...input, name: sanitizeDisplayName(input.name) || input.username });
        return (await users.get(id)) as User;
      });
    },
    get: (id) => run(async (db) => first(await db.select().from(t.users).where(eq(t.users.id, id)))),
    findByUsername: (username) =>
      run(async (db) => first(await db.select().from(t.users).where(eq(t.users.username, username)))),
    getMany: (ids) => inSlices(ids, (slice) => run((db) => db.select().from(t.users).where(inArray(t.users.id, slice)))),
    listByUsernames: (usernames) =>
      inSlices(usernames, (slice) => run((db) => db.select().from(t.users).where(inArray(t.users.username, slice)))),
    findByGoogleSub: (googleSub) =>
      run(async (db) => first(await db.select().from(t.users).where(eq(t.users.googleSub, googleSub)))),
    async update(id, changes) {
      return run(async (db) => {
        const name = changes.name === undefined ? {} : { name: sanitizeDisplayName(changes.name) || (await users.get(id))?.username || '' };
        await db.update(t.users).set({ ...changes, ...name, updatedAt: now() }).where(eq(t.users.id, id));
        return users.get(id);
      });
    },
  };
  return users;
}
