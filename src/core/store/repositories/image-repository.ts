// The images of a work and their download state.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { ImageRepository } from '../store.ts';
import { first, now, type RepositoryContext } from './context.ts';

export function createImageRepository({ dialect, t, run }: RepositoryContext): ImageRepository {
  const images: ImageRepository = {
    async ensure(workId, imageIndex, srcUrl) {
      return run(async (db) => {
        await dialect.insertIgnore(db, t.workImages, [{ workId, imageIndex, srcUrl }]);
        return first(
          await db
            .select()
            .from(t.workImages)
            .where(and(eq(t.workImages.workId, workId), eq(t.workImages.imageIndex, imageIndex))),
        )!;
      });
    },
    async markOk(id, result, downloadedAt = now()) {
      await run((db) => db.update(t.workImages).set({ ...result, downloadedAt, status: 'OK' }).where(eq(t.workImages.id, id)));
    },
    async setRecipe(workId, imageIndex, recipe) {
      await run((db) =>
        db.update(t.workImages).set({ recipe }).where(and(eq(t.workImages.workId, workId), eq(t.workImages.imageIndex, imageIndex))),
      );
    },
    async markFailed(id) {
      await run((db) => db.update(t.workImages).set({ status: 'FAILED' }).where(eq(t.workImages.id, id)));
    },
    listByWork: (workId) =>
      run((db) => db.select().from(t.workImages).where(eq(t.workImages.workId, workId)).orderBy(asc(t.workImages.imageIndex))),
    async listByWorks(workIds) {
      if (workIds.length === 0) return [];
      return run((db) =>
        db
          .select()
          .from(t.workImages)
          .where(inArray(t.workImages.workId, [...new Set(workIds)]))
          .orderBy(asc(t.workImages.workId), asc(t.workImages.imageIndex)),
      );
    },
    listByStatus: (status, limit) =>
      run((db) =>
        db.select().from(t.workImages).where(eq(t.workImages.status, status)).orderBy(asc(t.workImages.id)).limit(limit),
      ),
    findOkByHash: (contentHash) =>
      run(async (db) =>
        first(
          await db
            .select()
            .from(t.workImages)
            .where(and(eq(t.workImages.contentHash, contentHash), eq(t.workImages.status, 'OK')))
            .limit(1),
        ),
      ),
  };
  return images;
}
