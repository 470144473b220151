// Authors (creators upstream), one row per (source, external id).
import { and, eq, inArray } from 'drizzle-orm';
import type { AuthorInput, AuthorRepository } from '../store.ts';
import { sanitizeDisplayName } from '../../text/display-name.ts';
import { first, inSlices, now, type RepositoryContext } from './context.ts';

export function createAuthorRepository({ dialect, t, run }: RepositoryContext): AuthorRepository {
  const authors: AuthorRepository = {
    async upsert(input: AuthorInput) {
      return run(async (db) => {
        // Display names are cleaned wherever they come from (src/core/text/display-name.ts).
        const { source, externalId, ...rest } = { ...input, name: sanitizeDisplayName(input.name) || input.externalId };
        await dialect.upsert(db, t.authors, { source, externalId, ...rest }, [t.authors.source, t.authors.externalId], {
          ...rest,
          updatedAt: now(),
        });
        return (await authors.findByExternalId(source, externalId))!;
      });
    },
    get: (id) => run(async (db) => first(await db.select().from(t.authors).where(eq(t.authors.id, id)))),
    findByExternalId: (source, externalId) =>
      run(async (db) =>
        first(await db.select().from(t.authors).where(and(eq(t.authors.source, source), eq(t.authors.externalId, externalId)))),
      ),
    setAvatar: (id, avatar) =>
      run(async (db) => {
        await db.update(t.authors).set({ avatar, updatedAt: now() }).where(eq(t.authors.id, id));
      }),
    getMany: (ids) => inSlices(ids, (slice) => run((db) => db.select().from(t.authors).where(inArray(t.authors.id, slice)))),
  };
  return authors;
}
