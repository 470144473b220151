// The Liblib crawl as ledger stages: list → detail → author / comments / media; detail and author → avatar.
// Every handler does its network work first and returns the writes to commit with its `done` status.
import { z } from 'zod';
import type { LedgerEntry, Store } from '../../../src/core/store/store.ts';
import type { MediaPipeline } from '../../media/media-pipeline.ts';
import { firstListUnit, listStage } from '../../pipeline/list-walk.ts';
import { avatarStage, avatarUnit } from '../../pipeline/avatar-stage.ts';
import { mediaStage } from '../../pipeline/media-stage.ts';
import { storeWork } from '../../pipeline/store-work.ts';
import type { StageDefinition } from '../../pipeline/stage-runner.ts';
import type { LiblibClient, LiblibSort } from './liblib-client.ts';
import { imagesLackingParameters, withPngInfo, type ListSummary } from './normalize.ts';

export interface LiblibCategory {
  name: string;
  tagId: number;
  slug: string;
}

export interface LiblibCrawlOptions {
  category: LiblibCategory;
  sort: LiblibSort;
  /** 检索: walk the gallery search for this keyword (within the category) instead of the whole list. */
  keyword: string | null;
  mode: 'full' | 'incremental';
  /** First and last list page (1-based); `to: null` walks until the upstream says there is no more. */
  pages: { from: number; to: number | null };
  pageSize: number;
  maxWorks: number | null;
  /** Incremental mode stops after this many consecutive already-known works. */
  incrementalWindow: number;
  comments: boolean;
  authors: boolean;
  /** Ask getPnginfo (§3.5, unverified) for images whose detail lacks parameters. */
  pnginfo: boolean;
  concurrency: { list: number; detail: number; author: number; comments: number; media: number };
}

/** Consecutive empty or null pages after which a "hasMore" feed is considered exhausted anyway. */
const MAX_EMPTY_PAGES = 5;
const MAX_COMMENT_PAGES = 20;
const NULL_PAGE_RETRIES = 3;

const listPosition = z.object({ page: z.number().int().positive() });
type ListPosition = z.infer<typeof listPosition>;

/**
 * List units of one kind of walk (mode, category, sort, keyword) share this key prefix: a keyword search is
 * its own walk, resumed and finished apart from the category's list. (The keyword is URI-encoded so the
 * key stays one token whatever it holds.)
 */
export function liblibWalkPrefix(options: LiblibCrawlOptions): string {
  return `${options.mode}:${options.category.tagId}:${options.sort}:${options.keyword ? `k=${encodeURIComponent(options.keyword)}:` : ''}`;
}

/** The first list unit of a new walk, at the first page asked for. */
export function firstLiblibListUnit(options: LiblibCrawlOptions, walk: number) {
  return firstListUnit<ListPosition>(liblibWalkPrefix(options), { page: options.pages.from }, walk);
}

export function liblibStages(client: LiblibClient, media: MediaPipeline, store: Store, options: LiblibCrawlOptions): StageDefinition[] {
  const list = listStage<ListSummary, ListPosition>({
    prefix: liblibWalkPrefix(options),
    concurrency: options.concurrency.list,
    position: listPosition,
    async fetch({ page: number }) {
      const query = { tagId: options.category.tagId, sort: options.sort, page: number, pageSize: options.pageSize, keyword: options.keyword };
      // `data: null` with `hasMore: true` is a hiccup of the ranked feed, not the end: ask again a few
      // times, then move past the page (its works usually surface on the neighbouring pages).
      let page = await client.listPage(query);
      for (let retry = 0; page.nullPage && page.hasMore && retry < NULL_PAGE_RETRIES; retry++) page = await client.listPage(query);
      return { items: page.items, next: page.hasMore ? { page: number + 1 } : null };
    },
    async known(tx, items) {
      const known = await tx.works.existingExternalIds('liblib', items.map((item) => item.uuid));
      return (item) => known.has(item.uuid);
    },
    knownWindow: options.mode === 'incremental' ? options.incrementalWindow : null,
    limit: options.maxWorks,
    maxPages: options.pages.to === null ? null : options.pages.to - options.pages.from + 1,
    maxEmptyPages: MAX_EMPTY_PAGES,
    async take(tx, items, context) {
      // Detail units are keyed by work uuid: a work seen on several pages or days is fetched once.
      const added = await context.enqueue(tx, items.map((item) => ({ stage: 'detail', key: item.uuid, payload: item })));
      context.count('worksFetched', added);
    },
  });

  const detail: StageDefinition = {
    name: 'detail',
    concurrency: options.concurrency.detail,
    dependsOn: ['list'],
    async handle(unit, context) {
      let normalized = await client.detail(unit.key, (unit.payload as ListSummary | null) ?? null);
      context.count('detailsFetched');
      if (options.pnginfo) {
        // Sequential: a work rarely has more than a few images, and the run's rate limit governs anyway.
        const texts = new Map<number, string>();
        for (const image of imagesLackingParameters(normalized)) {
          const text = await client.pngInfo(image.srcUrl, `${unit.key}:${image.index}`);
          if (text) texts.set(image.index, text);
        }
        if (texts.size > 0) normalized = withPngInfo(normalized, texts);
      }
      return async (tx) => {
        const { work, author, mediaUnits } = await storeWork(tx, {
          work: normalized.work,
          author: normalized.author,
          images: normalized.images.map((image) => ({ index: image.index, srcUrl: image.srcUrl, unitKey: `${normalized.work.externalId}:${image.index}`, recipe: image.recipe })),
        });
        await tx.works.replaceModels(work.id, normalized.models);
        const followUps = [...mediaUnits];
        const avatar = author && avatarUnit(author);
        if (avatar) followUps.push(avatar);
        // An author known only by the detail's numeric id (`user:<id>`) has no profile endpoint to ask.
        if (options.authors && normalized.author && !normalized.author.externalId.startsWith('user:')) followUps.push({ stage: 'author', key: normalized.author.externalId, payload: null });
        if (options.comments) followUps.push({ stage: 'comments', key: work.externalId, payload: { workId: work.id } });
        await context.enqueue(tx, followUps);
      };
    },
  };

  const author: StageDefinition = {
    name: 'author',
    concurrency: options.concurrency.author,
    dependsOn: ['detail'],
    async handle(unit, context) {
      const profile = await client.author(unit.key);
      context.count('authorsFetched');
      return async (tx) => {
        const author = await tx.authors.upsert(profile);
        // The profile's avatar may differ from the list's (a newer one): it gets its own unit.
        const avatar = avatarUnit(author);
        if (avatar) await context.enqueue(tx, [avatar]);
      };
    },
  };

  const comments: StageDefinition = {
    name: 'comments',
    concurrency: options.concurrency.comments,
    dependsOn: ['detail'],
    async handle(unit: LedgerEntry) {
      const { workId } = z.object({ workId: z.number().int() }).parse(unit.payload);
      const all: Awaited<ReturnType<LiblibClient['comments']>>['comments'] = [];
      for (let page = 1; page <= MAX_COMMENT_PAGES; page++) {
        const result = await client.comments(unit.key, page);
        all.push(...result.comments);
        if (!result.hasMore || result.comments.length === 0) break;
      }
      return async (tx) => {
        for (const comment of all) await tx.comments.upsert(workId, comment);
      };
    },
  };

  const mediaUnits = mediaStage(media, store, { source: 'liblib', category: options.category.slug, concurrency: options.concurrency.media, dependsOn: ['detail'] });

  // Avatars come from the detail (the list item's) and from the profile: after both when profiles are read.
  const avatars = avatarStage(media, store, { source: 'liblib', concurrency: options.concurrency.author, dependsOn: options.authors ? ['detail', 'author'] : ['detail'] });

  const stages = [list, detail, mediaUnits, avatars];
  if (options.authors) stages.push(author);
  if (options.comments) stages.push(comments);
  return stages;
}
