// Artworks as the API returns them: community uploads and ingested works alike, with their cover image,
// author, counts and the viewer's own liked/favorited state, for one work or a page of them (batched).
import type { User, Work, WorkImage } from '../../core/store/store.ts';
import { NotFoundError } from '../../core/errors.ts';
import { authorUsername } from '../../core/snapshot/author-username.ts';
import { isVideoFormat, previewKey } from '../../core/media/video-derivatives.ts';
import type { CommunityDeps } from './deps.ts';

interface ArtworkImage {
  url: string;
  /** A video's poster frame (its `url` is the clip). */
  thumb_url: string | null;
  width: number | null;
  height: number | null;
  /** Set for a video: its type and short muted preview (null until the thumbnail job has made it). */
  video: { content_type: string; preview_url: string | null } | null;
}

interface ArtworkAuthor {
  /** `user:<username>` for community users, `<source>:<external id>` for ingested authors. */
  id: string;
  kind: 'user' | 'author';
  name: string;
  /** The `/user/<username>` key: the community user's handle, or the snapshot's key of an upstream author. */
  username: string | null;
  /** The stored avatar (an ingested author's copy in the BlobStore, never the upstream URL), or null. */
  avatar_url: string | null;
}

export interface ArtworkItem {
  id: number;
  slug: string;
  title: string | null;
  title_en: string | null;
  status: Work['status'];
  source: Work['source'];
  /** None, Soft, Mature or X: pages blur the image above Soft and never use it as a link preview. */
  nsfw_level: Work['nsfwLevel'];
  /** The artwork's page: /artwork/{id}/{slug}. */
  url: string;
  image: ArtworkImage | null;
  author: ArtworkAuthor | null;
  like_count: number;
  favorite_count: number;
  /** Likes and favorites counted by the source site (ingested works). */
  source_like_count: number | null;
  source_favorite_count: number | null;
  is_liked: boolean;
  is_favorite: boolean;
  published_at: string | null;
  created_at: string;
}

export interface ArtworkDetail extends ArtworkItem {
  prompt: string | null;
  negative_prompt: string | null;
  tags: string[];
  source_url: string | null;
  images: ArtworkImage[];
}

/** Published works are public; drafts only to their owner. */
export function canView(work: Work, viewer: User | null): boolean {
  return work.status === 'published' || (viewer !== null && work.ownerUserId === viewer.id);
}

export const artworkNotFound = () => new NotFoundError('作品不存在', { code: 'not_found' });

/** The work if the viewer may see it, else not found (a draft's existence is not revealed). */
export async function visibleWork(services: Pick<CommunityDeps, 'store'>, id: number, viewer: User | null): Promise<Work> {
  const work = await services.store.works.get(id);
  if (!work || !canView(work, viewer)) throw artworkNotFound();
  return work;
}

export function artworkPath(work: Pick<Work, 'id' | 'slug'>): string {
  return `/artwork/${work.id}/${encodeURIComponent(work.slug)}`;
}

function toImage(services: Pick<CommunityDeps, 'blobs'>, image: WorkImage): ArtworkImage | null {
  if (image.status !== 'OK' || !image.blobKey) return null;
  // The narrowest thumbnail (the grid's): thumbnails are keyed by their configured width.
  const thumb = Object.entries(image.thumbnails ?? {}).sort(([a], [b]) => Number(a) - Number(b))[0]?.[1];
  const video = isVideoFormat(image.format)
    ? {
        content_type: image.format === 'webm' ? 'video/webm' : 'video/mp4',
        // Made with the poster by the same job: thumbnails present means the preview is too.
        preview_url: thumb ? services.blobs.publicUrl(previewKey(image.blobKey)) : null,
      }
    : null;
  return {
    url: services.blobs.publicUrl(image.blobKey),
    thumb_url: thumb ? services.blobs.publicUrl(thumb) : null,
    width: image.width,
    height: image.height,
    video,
  };
}

/** Hydrate works (in the given order) for `viewer`: a constant number of queries per page. */
export async function toArtworkItems(services: Pick<CommunityDeps, 'store' | 'cache' | 'blobs'>, works: Work[], viewer: User | null): Promise<ArtworkDetail[]> {
  if (works.length === 0) return [];
  const { store, cache } = services;
  const ids = works.map((w) => w.id);
  const ownerIds = [...new Set(works.flatMap((w) => (w.ownerUserId === null ? [] : [w.ownerUserId])))];
  const authorIds = [...new Set(works.flatMap((w) => (w.authorId === null ? [] : [w.authorId])))];
  const [images, likeCounts, favoriteCounts, liked, favorited, owners, authors] = await Promise.all([
    store.images.listByWorks(ids),
    cache.likeCounts(ids),
    store.favorites.countByWorks(ids),
    viewer ? store.likes.filterWorkIds(viewer.id, ids) : Promise.resolve(new Set<number>()),
    viewer ? cache.favoritedAmong(viewer.id, ids) : Promise.resolve(new Set<number>()),
    Promise.all(ownerIds.map((id) => store.users.get(id))),
    Promise.all(authorIds.map((id) => store.authors.get(id))),
  ]);
  const imagesByWork = new Map<number, ArtworkImage[]>();
  for (const image of images) {
    const view = toImage(services, image);
    if (view) imagesByWork.set(image.workId, [...(imagesByWork.get(image.workId) ?? []), view]);
  }
  const ownerById = new Map(owners.filter((u) => u !== null).map((u) => [u.id, u]));
  const authorById = new Map(authors.filter((a) => a !== null).map((a) => [a.id, a]));
  return works.map((work) => {
    const owner = work.ownerUserId !== null ? ownerById.get(work.ownerUserId) : undefined;
    const author = work.authorId !== null ? authorById.get(work.authorId) : undefined;
    const workImages = imagesByWork.get(work.id) ?? [];
    const community = work.source === 'community';
    return {
      id: work.id,
      slug: work.slug,
      title: work.title,
      title_en: work.titleEn,
      status: work.status,
      source: work.source,
      nsfw_level: work.nsfwLevel,
      url: artworkPath(work),
      image: workImages[0] ?? null,
      author: owner
        ? { id: `user:${owner.username}`, kind: 'user', name: owner.name, username: owner.username, avatar_url: owner.profilePic }
        : author
          ? { id: `${author.source}:${author.externalId}`, kind: 'author', name: author.name, username: authorUsername(author), avatar_url: author.avatar ? services.blobs.publicUrl(author.avatar.key) : null }
          : null,
      like_count: likeCounts.get(work.id) ?? 0,
      favorite_count: favoriteCounts.get(work.id) ?? 0,
      source_like_count: community ? null : work.likeCount,
      source_favorite_count: community ? null : work.favoriteCount,
      is_liked: liked.has(work.id),
      is_favorite: favorited.has(work.id),
      published_at: work.publishedAt?.toISOString() ?? null,
      created_at: work.createdAt.toISOString(),
      prompt: work.prompt,
      negative_prompt: work.negativePrompt,
      tags: work.tags ?? [],
      source_url: work.sourceUrl,
      images: workImages,
    };
  });
}

/** The list form: without the detail-only fields. */
export function listItem(detail: ArtworkDetail): ArtworkItem {
  const { prompt: _p, negative_prompt: _n, tags: _t, source_url: _s, images: _i, ...item } = detail;
  return item;
}

interface HuakuCounts {
  likes: number;
  favorites: number;
  liked: boolean;
  favorited: boolean;
}

/** Huaku's own likes and favorites of these works (and the viewer's), for cards beside the source's figures. Unknown and unpublished ids are left out. */
export async function huakuCounts(services: Pick<CommunityDeps, 'store' | 'cache'>, ids: number[], viewer: User | null): Promise<Map<number, HuakuCounts>> {
  const { store, cache } = services;
  const published = (await store.works.getMany(ids)).filter((w) => w.status === 'published').map((w) => w.id);
  if (published.length === 0) return new Map();
  const [likes, favorites, liked, favorited] = await Promise.all([
    cache.likeCounts(published),
    store.favorites.countByWorks(published),
    viewer ? store.likes.filterWorkIds(viewer.id, published) : Promise.resolve(new Set<number>()),
    viewer ? cache.favoritedAmong(viewer.id, published) : Promise.resolve(new Set<number>()),
  ]);
  return new Map(published.map((id) => [id, { likes: likes.get(id) ?? 0, favorites: favorites.get(id) ?? 0, liked: liked.has(id), favorited: favorited.has(id) }]));
}
