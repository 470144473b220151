// Writing one normalized work, the same for every source: its author first (the work points at it), then
// the work and a row per image. Images not stored yet get a media unit (see media-stage.ts), returned for
// the caller to enqueue with its other follow-ups in the same commit.
import type { Recipe } from '../../src/core/recipe/recipe.ts';
import type { Author, AuthorInput, Store, Work, WorkInput } from '../../src/core/store/store.ts';
import type { FollowUpUnit } from './stage-runner.ts';

export interface WorkToStore {
  work: Omit<WorkInput, 'authorId'>;
  author: AuthorInput | null;
  /** Each image's position, source URL, the key of its media unit and, when the source gave one, its recipe. */
  images: ReadonlyArray<{ index: number; srcUrl: string; unitKey: string; recipe?: Recipe | null }>;
}

export async function storeWork(tx: Store, input: WorkToStore): Promise<{ work: Work; author: Author | null; mediaUnits: FollowUpUnit[] }> {
  const author = input.author ? await tx.authors.upsert(input.author) : null;
  const work = await tx.works.upsert({ ...input.work, authorId: author?.id ?? null });
  const mediaUnits: FollowUpUnit[] = [];
  for (const image of input.images) {
    const row = await tx.images.ensure(work.id, image.index, image.srcUrl);
    if (image.recipe !== undefined) await tx.images.setRecipe(work.id, image.index, image.recipe);
    if (row.status !== 'OK') mediaUnits.push({ stage: 'media', key: image.unitKey, payload: { workId: work.id, index: image.index } });
  }
  return { work, author, mediaUnits };
}
