// Upstream comments of a work, one row per (work, external id).
import { asc, eq, inArray } from 'drizzle-orm';
import type { CommentRepository } from '../store.ts';
import { type RepositoryContext } from './context.ts';

export function createCommentRepository({ dialect, t, run }: RepositoryContext): CommentRepository {
  const comments: CommentRepository = {
    async upsert(workId, input) {
      const { externalId, ...rest } = input;
      await run((db) =>
        dialect.upsert(db, t.comments, { ...input, workId }, [t.comments.workId, t.comments.externalId], {
          ...rest,
          externalId,
        }),
      );
    },
    listByWork: (workId) =>
      run((db) => db.select().from(t.comments).where(eq(t.comments.workId, workId)).orderBy(asc(t.comments.id))),
    async listByWorks(workIds) {
      if (workIds.length === 0) return [];
      return run((db) =>
        db.select().from(t.comments).where(inArray(t.comments.workId, [...new Set(workIds)])).orderBy(asc(t.comments.workId), asc(t.comments.id)),
      );
    },
  };
  return comments;
}
