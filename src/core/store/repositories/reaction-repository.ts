// Likes and favorites: one implementation over either table (a unique (user, work) pair each).
import { and, count, desc, eq, inArray, lt, or } from 'drizzle-orm';
import type { Tables } from '../dialect.ts';
import type { ReactionRepository } from '../store.ts';
import { now, placeholder, prepared, type RepositoryContext } from './context.ts';

export function createReactionRepository(
  { dialect, run }: RepositoryContext,
  table: Tables['likes'] | Tables['favorites'],
): ReactionRepository {
  const pair = (userId: number, workId: number) => and(eq(table.userId, userId), eq(table.workId, workId));
  const insertPrepared = prepared((db) =>
    dialect.insertIgnoreQuery(db, table, { userId: placeholder('userId'), workId: placeholder('workId'), createdAt: placeholder('createdAt') }).prepare(),
  );
  const deletePrepared = prepared((db) =>
    db.delete(table).where(and(eq(table.userId, placeholder('userId')), eq(table.workId, placeholder('workId')))).prepare(),
  );
  return {
    add: (userId, workId) =>
      run(async (db, inTransaction) =>
        inTransaction
          ? (await dialect.insertIgnore(db, table, [{ userId, workId, createdAt: now() }])) > 0
          : dialect.affectedRows(await insertPrepared(db, { userId, workId, createdAt: now() })) > 0,
      ),
    remove: (userId, workId) =>
      run(async (db, inTransaction) =>
        dialect.affectedRows(inTransaction ? await db.delete(table).where(pair(userId, workId)) : await deletePrepared(db, { userId, workId })) > 0,
      ),
    has: (userId, workId) => run(async (db) => (await db.select({ n: count() }).from(table).where(pair(userId, workId)))[0]!.n > 0),
    count: (workId) => run(async (db) => Number((await db.select({ n: count() }).from(table).where(eq(table.workId, workId)))[0]!.n)),
    pageByUser: (userId, limit, after) =>
      run((db) =>
        db
          .select({ workId: table.workId, createdAt: table.createdAt })
          .from(table)
          .where(
            and(
              eq(table.userId, userId),
              after
                ? or(lt(table.createdAt, after.createdAt), and(eq(table.createdAt, after.createdAt), lt(table.workId, after.workId)))
                : undefined,
            ),
          )
          .orderBy(desc(table.createdAt), desc(table.workId))
          .limit(limit),
      ),
    async countByWorks(workIds) {
      if (workIds.length === 0) return new Map();
      const rows = await run((db) =>
        db
          .select({ workId: table.workId, n: count() })
          .from(table)
          .where(inArray(table.workId, [...new Set(workIds)]))
          .groupBy(table.workId),
      );
      return new Map(rows.map((r) => [r.workId, Number(r.n)]));
    },
    async filterWorkIds(userId, workIds) {
      if (workIds.length === 0) return new Set();
      const rows = await run((db) =>
        db
          .select({ workId: table.workId })
          .from(table)
          .where(and(eq(table.userId, userId), inArray(table.workId, [...new Set(workIds)]))),
      );
      return new Set(rows.map((r) => r.workId));
    },
    async topWorks(limit) {
      const rows = await run((db) =>
        db
          .select({ workId: table.workId, n: count() })
          .from(table)
          .groupBy(table.workId)
          .orderBy(desc(count()), desc(table.workId))
          .limit(limit),
      );
      return rows.map((r) => ({ workId: r.workId, count: Number(r.n) }));
    },
    listWorkIdsByUser: (userId, limit) =>
      run(async (db) =>
        (
          await db
            .select({ workId: table.workId })
            .from(table)
            .where(eq(table.userId, userId))
            .orderBy(desc(table.createdAt), desc(table.workId))
            .limit(limit)
        ).map((r) => r.workId),
      ),
  };
}
