// The LoRA catalogue and its links to the model references of works.
import { and, asc, count, desc, eq, inArray } from 'drizzle-orm';
import type { Lora, LoraRepository } from '../store.ts';
import { first, now, type RepositoryContext } from './context.ts';

export function createLoraRepository({ dialect, t, run, transaction }: RepositoryContext): LoraRepository {
  const loras: LoraRepository = {
    async upsert(input) {
      return run(async (db) => {
        const { source, externalId, ...rest } = input;
        await dialect.upsert(db, t.loras, { ...input }, [t.loras.source, t.loras.externalId], { ...rest, updatedAt: now() });
        return (await loras.findByExternalId(source, externalId)) as Lora;
      });
    },
    findByExternalId: (source, externalId) =>
      run(async (db) =>
        first(await db.select().from(t.loras).where(and(eq(t.loras.source, source), eq(t.loras.externalId, externalId)))),
      ),
    list: ({ task, limit }) =>
      run((db) =>
        db
          .select()
          .from(t.loras)
          .where(task ? eq(t.loras.task, task) : undefined)
          .orderBy(desc(t.loras.downloads), asc(t.loras.id))
          .limit(limit),
      ),
    count: () => run(async (db) => Number((await db.select({ n: count() }).from(t.loras))[0]!.n)),
    replaceLinks: (loraIds, links) =>
      transaction(() =>
        run(async (db) => {
          for (let i = 0; i < loraIds.length; i += 500) await db.delete(t.loraLinks).where(inArray(t.loraLinks.loraId, loraIds.slice(i, i + 500)));
          const refs = links.map((l) => l.workModelId);
          for (let i = 0; i < refs.length; i += 500) await db.delete(t.loraLinks).where(inArray(t.loraLinks.workModelId, refs.slice(i, i + 500)));
          for (let i = 0; i < links.length; i += 500) await db.insert(t.loraLinks).values(links.slice(i, i + 500));
        }),
      ),
    listLinks: (loraId) =>
      run(async (db) =>
        (
          await db
            .select({ link: t.loraLinks, workId: t.workModels.workId })
            .from(t.loraLinks)
            .innerJoin(t.workModels, eq(t.workModels.id, t.loraLinks.workModelId))
            .where(eq(t.loraLinks.loraId, loraId))
            .orderBy(asc(t.loraLinks.id))
        ).map((row) => ({ ...row.link, workId: row.workId })),
      ),
  };
  return loras;
}
