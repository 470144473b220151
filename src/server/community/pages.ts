// Cursor-paginated lists: the feed (newest and hot), a user's artworks and a user's favorites. Cursors are
// opaque to clients (base64url JSON): newest-first lists use a keyset (published time, id) so new works
// never shift a page; the hot list uses an offset into the ranking, which changes as works are liked.
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.ts';
import type { ReactionCursor, User, Work } from '../../core/store/store.ts';
import type { CachedIds } from '../cache/community-cache.ts';
import { workCompleteness, type Completeness } from '../../core/recipe/completeness.ts';
import { listItem, toArtworkItems, type ArtworkDetail, type ArtworkItem } from './artworks.ts';
import type { CommunityDeps } from './deps.ts';

export const MAX_PAGE = 50;

type PageDeps = Pick<CommunityDeps, 'store' | 'cache' | 'blobs'>;

export interface Page {
  items: ArtworkItem[];
  next_cursor: string | null;
}

const keysetCursor = z.object({ p: z.number().nullable(), i: z.number().int() });
const offsetCursor = z.object({ o: z.number().int().min(0).max(10_000) });
const reactionCursor = z.object({ c: z.number(), i: z.number().int() });

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidInputError('分页参数无效，请从第一页重新加载', { code: 'invalid_cursor' });
  }
}

type Keyset = { publishedAt: Date | null; id: number };
const encodeKeyset = (w: Work) => encode({ p: w.publishedAt?.getTime() ?? null, i: w.id });

/** Works by id in the order of `ids`, dropping ids that vanished or are not `keep`. */
async function worksInOrder(services: PageDeps, ids: number[], keep: (w: Work) => boolean): Promise<Work[]> {
  const byId = new Map((await services.store.works.getMany(ids)).map((w) => [w.id, w]));
  return ids.map((id) => byId.get(id)).filter((w): w is Work => w !== undefined && keep(w));
}

/**
 * A newest-first page: from a cached id list when there is one and it covers the page, otherwise by a
 * keyset query. `query(after, limit)` is that database query.
 */
async function newestFirstPage(
  services: PageDeps,
  viewer: User | null,
  cursor: string | undefined,
  limit: number,
  cached: CachedIds | null,
  query: (after: Keyset | undefined, limit: number) => Promise<Work[]>,
  keep: (w: Work) => boolean,
): Promise<Page> {
  const after = decode(cursor, keysetCursor);
  let works: Work[] | undefined;
  let more = false;
  if (cached) {
    const start = after ? cached.ids.indexOf(after.i) + 1 : 0;
    const slice = start > 0 || !after ? cached.ids.slice(start, start + limit + 1) : [];
    if ((start > 0 || !after) && (slice.length > limit || cached.complete)) {
      works = await worksInOrder(services, slice.slice(0, limit), keep);
      more = slice.length > limit;
    }
  }
  if (!works) {
    const rows = await query(after ? { publishedAt: after.p === null ? null : new Date(after.p), id: after.i } : undefined, limit + 1);
    works = rows.slice(0, limit);
    more = rows.length > limit;
  }
  const items = (await toArtworkItems(services, works, viewer)).map(listItem);
  const last = works.at(-1);
  return { items, next_cursor: more && last ? encodeKeyset(last) : null };
}

export async function newestFeed(services: PageDeps, viewer: User | null, cursor: string | undefined, limit: number): Promise<Page> {
  const published = (w: Work) => w.status === 'published';
  return newestFirstPage(services, viewer, cursor, limit, await services.cache.newestIds(), (after, n) =>
    services.store.works.list({ status: 'published', order: 'newest', limit: n, after }),
  published);
}

export async function hotFeed(services: PageDeps, viewer: User | null, cursor: string | undefined, limit: number): Promise<Page> {
  const offset = decode(cursor, offsetCursor)?.o ?? 0;
  const ids = await services.cache.hotIds(offset, limit + 1);
  const works = await worksInOrder(services, ids.slice(0, limit), (w) => w.status === 'published');
  const items = (await toArtworkItems(services, works, viewer)).map(listItem);
  return { items, next_cursor: ids.length > limit ? encode({ o: offset + limit }) : null };
}

/** A user's artworks: the owner sees drafts too (from the database), everyone else the published ones. */
export async function userArtworks(services: PageDeps, viewer: User | null, userId: number, cursor: string | undefined, limit: number): Promise<Page> {
  const own = viewer?.id === userId;
  const status = own ? undefined : ('published' as const);
  return newestFirstPage(
    services,
    viewer,
    cursor,
    limit,
    own ? null : await services.cache.userArtworkIds(userId),
    (after, n) => services.store.works.list({ ownerUserId: userId, status, order: 'newest', limit: n, after }),
    (w) => w.ownerUserId === userId && (own || w.status === 'published'),
  );
}

/** A user's favorites, most recently favorited first (works that became invisible are skipped). */
export async function userFavorites(services: PageDeps, viewer: User, userId: number, cursor: string | undefined, limit: number): Promise<Page> {
  const after = decode(cursor, reactionCursor);
  const rows = await services.store.favorites.pageByUser(userId, limit + 1, after ? { createdAt: new Date(after.c), workId: after.i } : undefined);
  const page = rows.slice(0, limit);
  const works = await worksInOrder(services, page.map((r) => r.workId), (w) => w.status === 'published' || w.ownerUserId === viewer.id);
  const items = (await toArtworkItems(services, works, viewer)).map(listItem);
  const last: ReactionCursor | undefined = page.at(-1);
  return { items, next_cursor: rows.length > limit && last ? encode({ c: last.createdAt.getTime(), i: last.workId }) : null };
}

/** At most this many works published after a build are shown above its static cards. */
export const MAX_FRESH = 24;

export interface FreshWork {
  item: ArtworkDetail;
  /** How reproducible it is from its images' recipes (the static cards' badge). */
  completeness: Completeness;
}

/**
 * Published works newer than `since` (the build's snapshot), newest first: what `/` and `/feed` show above
 * their static cards. Read from the database (the newest index range), never from the cached lists.
 */
export async function freshWorks(services: PageDeps, viewer: User | null, since: Date, limit = MAX_FRESH): Promise<FreshWork[]> {
  const works = (await services.store.works.list({ status: 'published', order: 'newest', limit })).filter((w) => w.publishedAt !== null && w.publishedAt > since);
  const [items, images] = await Promise.all([toArtworkItems(services, works, viewer), services.store.images.listByWorks(works.map((w) => w.id))]);
  return items.map((item) => ({ item, completeness: workCompleteness(images.filter((i) => i.workId === item.id).map((i) => i.recipe)) }));
}
