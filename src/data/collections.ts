// The works pages' view of the snapshot: every list sorted once per build and shared by all pages (a
// 100k-work build must not sort the works once per page). The only module of the works pages that reads
// astro:content; the pure logic it applies lives in src/site/.
//
// The works are read from the snapshot's chunk files here, not through a content collection: a collection
// validated every work twice and held it several times over (the loader's store, its serialised form, the
// module Vite bundles it into, and the copy the pages parse back), several GB at 100k works. The snapshot
// reader validates each chunk once; the smaller lists (authors, LoRAs, models, manifest) stay collections.
import { getCollection } from 'astro:content';
import { loadConfig } from '../core/env.ts';
import { worksOfSnapshot } from '../core/snapshot/preloaded-works.ts';
import type { SnapshotAuthorEntry, SnapshotLora, SnapshotManifest, SnapshotModel, SnapshotWork } from '../core/snapshot/schema.ts';
import { relatedWorksIndex } from '../site/related.ts';
import { isListed, sortHot, sortNewestFirst } from '../site/works.ts';

/** A value computed on first use and shared by every page of the build. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

/** Every work of the snapshot, in its chunks' order (empty without a snapshot). */
// (Preloaded by the site build's render processes: src/core/snapshot/preloaded-works.ts.)
export const snapshotWorks = once((): Promise<SnapshotWork[]> => worksOfSnapshot(loadConfig().snapshotDir));

const workById = once(async () => new Map((await snapshotWorks()).map((work) => [work.id, work])));

/** The works of `ids` that the snapshot holds, in the order of `ids`. */
export async function worksWithIds(ids: readonly string[]): Promise<SnapshotWork[]> {
  const byId = await workById();
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Every work, newest first. */
export const newestWorks = once(async (): Promise<SnapshotWork[]> => sortNewestFirst(await snapshotWorks()));

/** The works the lists show (feeds, home, user pages, related works): those with an image, newest first. */
export const listedWorks = once(async () => (await newestWorks()).filter(isListed));

/** Every listed work, hottest first (src/core/domain/hot-score.ts). */
export const hotWorks = once(async () => sortHot(await listedWorks()));
/** The feed's 可复现 filter: newest listed works whose recipes are complete. */
export const reproducibleWorks = once(async () => (await listedWorks()).filter((work) => work.completeness === 'full'));

/** Each author's listed works (by username), newest first. */
export const worksByAuthor = once(async () => {
  const byAuthor = new Map<string, SnapshotWork[]>();
  for (const work of await listedWorks()) {
    if (!work.author) continue;
    const list = byAuthor.get(work.author.username) ?? [];
    list.push(work);
    byAuthor.set(work.author.username, list);
  }
  return byAuthor;
});

export const relatedWorks = once(async () => relatedWorksIndex(await listedWorks()));

export const authors = once(async (): Promise<SnapshotAuthorEntry[]> => (await getCollection('authors')).map((entry) => entry.data));

/** The Top-LoRAs, most downloaded first. */
export const topLoras = once(async (): Promise<SnapshotLora[]> =>
  (await getCollection('loras'))
    .map((entry) => entry.data)
    .sort((a, b) => b.downloads - a.downloads || b.likes - a.likes || (a.id < b.id ? -1 : 1)),
);

/** The model catalogue (models.json), most used first. */
export const catalogueModels = once(async (): Promise<SnapshotModel[]> => (await getCollection('models')).map((entry) => entry.data));
/** The catalogue model a LoRA page's LoRA belongs to, by LoRA id. */
export const modelOfLora = once(async () => new Map((await catalogueModels()).flatMap((m) => m.members.flatMap((x) => (x.loraId ? [[x.loraId, m] as const] : [])))));

export const manifest = once(async (): Promise<SnapshotManifest | undefined> => (await getCollection('manifest'))[0]?.data);
