// Login sessions and the user each belongs to.
import { eq, lte } from 'drizzle-orm';
import type { SessionRepository } from '../store.ts';
import type { Db } from '../dialect.ts';
import { first, placeholder, prepared, type RepositoryContext } from './context.ts';

export function createSessionRepository({ dialect, t, run }: RepositoryContext): SessionRepository {
  const withUser = (db: Db) =>
    db.select({ session: t.sessions, user: t.users }).from(t.sessions).innerJoin(t.users, eq(t.users.id, t.sessions.userId));
  const sessionById = prepared((db) => withUser(db).where(eq(t.sessions.id, placeholder('id'))).prepare());

  const sessions: SessionRepository = {
    async create(session) {
      return run(async (db) => {
        await db.insert(t.sessions).values(session);
        return first(await db.select().from(t.sessions).where(eq(t.sessions.id, session.id)))!;
      });
    },
    getWithUser: (id) =>
      run(async (db, inTransaction) =>
        first(inTransaction ? await withUser(db).where(eq(t.sessions.id, id)) : await sessionById(db, { id })),
      ),
    async setExpiry(id, expiresAt) {
      await run((db) => db.update(t.sessions).set({ expiresAt }).where(eq(t.sessions.id, id)));
    },
    async delete(id) {
      await run((db) => db.delete(t.sessions).where(eq(t.sessions.id, id)));
    },
    async deleteAllForUser(userId) {
      await run((db) => db.delete(t.sessions).where(eq(t.sessions.userId, userId)));
    },
    deleteExpired: (at) =>
      run(async (db) => dialect.affectedRows(await db.delete(t.sessions).where(lte(t.sessions.expiresAt, at)))),
  };
  return sessions;
}
