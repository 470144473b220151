// Works (one upstream post each) and their model references.
import { and, asc, count, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { WorkStatus } from '../../domain/enums.ts';
import type { Db } from '../dialect.ts';
import type { Work, WorkListQuery, WorkRepository } from '../store.ts';
import { first, inSlices, now, placeholder, prepared, type RepositoryContext } from './context.ts';

export function createWorkRepository({ dialect, t, run, transaction }: RepositoryContext): WorkRepository {
  const byId = (db: Db) => db.select().from(t.works);
  const workById = prepared((db) => byId(db).where(eq(t.works.id, placeholder('id'))).prepare());
  /** Likes and favorites of a work as two counting subqueries, so one round trip answers both. */
  const reactionCountsOf = (db: Db) =>
    db
      .select({
        likes: sql<number>`(select count(*) from ${t.likes} where ${t.likes.workId} = ${t.works.id})`,
        favorites: sql<number>`(select count(*) from ${t.favorites} where ${t.favorites.workId} = ${t.works.id})`,
      })
      .from(t.works);
  const countsById = prepared((db) => reactionCountsOf(db).where(eq(t.works.id, placeholder('id'))).prepare());

  const workOrder = (order: WorkListQuery['order']) =>
    order === 'oldest' ? [asc(t.works.publishedAt), asc(t.works.id)] : [desc(t.works.publishedAt), desc(t.works.id)];

  const works: WorkRepository = {
    async upsert(input) {
      return run(async (db) => {
        const { source, externalId, ...rest } = input;
        await dialect.upsert(db, t.works, { ...input }, [t.works.source, t.works.externalId], { ...rest, updatedAt: now() });
        return (await works.findByExternalId(source, externalId))!;
      });
    },
    get: (id) =>
      run(async (db, inTransaction) =>
        first(inTransaction ? await byId(db).where(eq(t.works.id, id)) : await workById(db, { id })),
      ),
    findByExternalId: (source, externalId) =>
      run(async (db) =>
        first(await db.select().from(t.works).where(and(eq(t.works.source, source), eq(t.works.externalId, externalId)))),
      ),
    async existingExternalIds(source, externalIds) {
      if (externalIds.length === 0) return new Set();
      const rows = await run((db) =>
        db
          .select({ externalId: t.works.externalId })
          .from(t.works)
          .where(and(eq(t.works.source, source), inArray(t.works.externalId, externalIds))),
      );
      return new Set(rows.map((r) => r.externalId));
    },
    /**
     * Dated works first, then undated ones (NULL published_at last in both orders), as two plain index
     * ranges: one query ordering on `published_at IS NULL` made the database sort every remaining row for
     * each page, so walking 100k works page by page grew quadratically.
     */
    async list(query) {
      const beyond = query.order === 'oldest' ? gt : lt;
      const filters = [
        query.source ? eq(t.works.source, query.source) : undefined,
        query.status ? eq(t.works.status, query.status) : undefined,
        query.authorId !== undefined ? eq(t.works.authorId, query.authorId) : undefined,
        query.ownerUserId !== undefined ? eq(t.works.ownerUserId, query.ownerUserId) : undefined,
      ];
      const after = query.after;
      const page: Work[] = [];
      if (!after || after.publishedAt !== null) {
        // "Strictly after (publishedAt, id)" as a range on published_at first, so the index drives it.
        const cursor = after?.publishedAt
          ? and(
              query.order === 'oldest' ? gte(t.works.publishedAt, after.publishedAt) : lte(t.works.publishedAt, after.publishedAt),
              or(beyond(t.works.publishedAt, after.publishedAt), beyond(t.works.id, after.id)),
            )
          : undefined;
        page.push(
          ...(await run((db) =>
            db
              .select()
              .from(t.works)
              .where(and(...filters, isNotNull(t.works.publishedAt), cursor))
              .orderBy(...workOrder(query.order))
              .limit(query.limit),
          )),
        );
      }
      if (page.length < query.limit) {
        page.push(
          ...(await run((db) =>
            db
              .select()
              .from(t.works)
              .where(and(...filters, isNull(t.works.publishedAt), after?.publishedAt === null ? beyond(t.works.id, after.id) : undefined))
              .orderBy(query.order === 'oldest' ? asc(t.works.id) : desc(t.works.id))
              .limit(query.limit - page.length),
          )),
        );
      }
      return page;
    },
    async count(filter = {}) {
      const rows = await run((db) =>
        db
          .select({ n: count() })
          .from(t.works)
          .where(
            and(
              filter.source ? eq(t.works.source, filter.source) : undefined,
              filter.status ? eq(t.works.status, filter.status) : undefined,
            ),
          ),
      );
      return Number(rows[0]?.n ?? 0);
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      return run((db) => db.select().from(t.works).where(inArray(t.works.id, [...new Set(ids)])));
    },
    async reactionCounts(id) {
      const row = first(
        await run(async (db, inTransaction) => (inTransaction ? reactionCountsOf(db).where(eq(t.works.id, id)) : countsById(db, { id }))),
      );
      return row ? { likes: Number(row.likes), favorites: Number(row.favorites) } : null;
    },
    publish(id, at = now()) {
      // Two guarded UPDATEs (no dialect-specific COALESCE of a date parameter): whichever matches the
      // draft flips it; a published work matches neither, so only one caller ever sees `changed`.
      return transaction(() =>
        run(async (db) => {
          const draft = and(eq(t.works.id, id), eq(t.works.status, 'draft'));
          const undated = await db
            .update(t.works)
            .set({ status: 'published', publishedAt: at, updatedAt: now() })
            .where(and(draft, isNull(t.works.publishedAt)));
          const dated = await db.update(t.works).set({ status: 'published', updatedAt: now() }).where(draft);
          const work = await works.get(id);
          return work ? { work, changed: dialect.affectedRows(undated) + dialect.affectedRows(dated) > 0 } : null;
        }),
      );
    },
    async setStatus(id: number, status: WorkStatus) {
      return run(async (db) => {
        await db.update(t.works).set({ status, updatedAt: now() }).where(eq(t.works.id, id));
        return works.get(id);
      });
    },
    async delete(id) {
      return run(async (db) => dialect.affectedRows(await db.delete(t.works).where(eq(t.works.id, id))) > 0);
    },
    async replaceModels(workId, models) {
      await transaction(async () =>
        run(async (db) => {
          await db.delete(t.workModels).where(eq(t.workModels.workId, workId));
          for (const model of models) await db.insert(t.workModels).values({ ...model, workId });
        }),
      );
    },
    listModels: (workId) =>
      run((db) => db.select().from(t.workModels).where(eq(t.workModels.workId, workId)).orderBy(asc(t.workModels.id))),
    async listModelsByWorks(workIds) {
      const rows = await inSlices(workIds, (slice) =>
        run((db) =>
          db
            .select({ model: t.workModels, loraId: t.loraLinks.loraId })
            .from(t.workModels)
            .leftJoin(t.loraLinks, eq(t.loraLinks.workModelId, t.workModels.id))
            .where(inArray(t.workModels.workId, slice))
            .orderBy(asc(t.workModels.workId), asc(t.workModels.id)),
        ),
      );
      // Slices are each ordered; sort once more so the whole answer is (slices may split differently).
      return rows
        .map((row) => ({ ...row.model, loraId: row.loraId ?? null }))
        .sort((a, b) => a.workId - b.workId || a.id - b.id);
    },
    listModelRefs: ({ modelType, afterId = 0, limit }) =>
      run((db) =>
        db
          .select({ ...getTableColumns(t.workModels), workSource: t.works.source })
          .from(t.workModels)
          .innerJoin(t.works, eq(t.works.id, t.workModels.workId))
          .where(and(eq(t.workModels.modelType, modelType), gt(t.workModels.id, afterId)))
          .orderBy(asc(t.workModels.id))
          .limit(limit),
      ),
  };
  return works;
}
