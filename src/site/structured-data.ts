// schema.org JSON-LD for the works pages (serialize with jsonLd() from works.ts, which escapes `<`).
// URLs are made absolute against the site origin: search engines resolve nothing relative in JSON-LD.
import type { SnapshotAuthorEntry, SnapshotWork } from '../core/snapshot/schema.ts';
import { isSensitive, SENSITIVE_SHARE_IMAGE } from './nsfw.ts';
import { displayTitle, sortedImages, userPath, workPath } from './works.ts';

type JsonObject = Record<string, unknown>;

/** `path` (or an absolute URL) resolved against the site origin. */
export function absoluteUrl(pathOrUrl: string, site: URL | string): string {
  return new URL(pathOrUrl, site).href;
}

/** A BreadcrumbList from (name, path) pairs, root first. */
export function breadcrumbJsonLd(items: readonly { name: string; path: string }[], site: URL | string): JsonObject {
  return {
    '@context': 'https://schema.org',
    '@type': 'BreadcrumbList',
    itemListElement: items.map((item, i) => ({
      '@type': 'ListItem',
      position: i + 1,
      name: item.name,
      item: absoluteUrl(item.path, site),
    })),
  };
}

/**
 * Several JSON-LD nodes as one document: one @context for the @graph, none on the nodes (a page with a main
 * entity and its breadcrumbs, say).
 */
export function jsonLdGraph(...nodes: readonly JsonObject[]): JsonObject {
  return { '@context': 'https://schema.org', '@graph': nodes.map(({ '@context': _context, ...node }) => node) };
}

/**
 * A video of a work as schema.org VideoObject (name, thumbnailUrl and uploadDate are what search engines
 * require; the poster is the thumbnail, the clip the content).
 */
function videoObject(work: SnapshotWork, image: SnapshotWork['images'][number], site: URL | string): JsonObject {
  return {
    '@type': 'VideoObject',
    name: displayTitle(work),
    description: work.prompt || displayTitle(work),
    contentUrl: absoluteUrl(image.url, site),
    ...(image.thumbUrl ? { thumbnailUrl: absoluteUrl(image.thumbUrl, site) } : {}),
    ...(work.publishedAt ? { uploadDate: work.publishedAt } : {}),
    ...(image.video?.contentType ? { encodingFormat: image.video.contentType } : {}),
    ...(image.width ? { width: image.width } : {}),
    ...(image.height ? { height: image.height } : {}),
  };
}

/**
 * A work as a CreativeWork whose images are ImageObjects (a work may hold several images) and whose videos
 * are VideoObjects. A sensitive (Mature/X) work shows the neutral card its og:image shows (src/site/nsfw.ts),
 * never its originals, their thumbnails or its videos: search engines and link previews display these
 * unblurred.
 */
export function artworkJsonLd(work: SnapshotWork, site: URL | string): JsonObject {
  const url = absoluteUrl(workPath(work), site);
  const author = work.author
    ? { '@type': 'Person', name: work.author.name || '佚名', url: absoluteUrl(userPath(work.author.username), site) }
    : undefined;
  const sensitive = isSensitive(work.nsfwLevel);
  const videos = sensitive ? [] : sortedImages(work).filter((image) => image.video);
  return {
    '@context': 'https://schema.org',
    '@type': 'CreativeWork',
    '@id': url,
    url,
    name: displayTitle(work),
    ...(work.titleEn && work.titleEn !== work.title ? { alternateName: work.titleEn } : {}),
    ...(work.prompt ? { description: work.prompt } : {}),
    ...(work.publishedAt ? { datePublished: work.publishedAt } : {}),
    ...(author ? { author, creator: author } : {}),
    ...(work.tags.length > 0 ? { keywords: work.tags.join(',') } : {}),
    ...(work.sourceUrl ? { sameAs: work.sourceUrl } : {}),
    inLanguage: 'zh-CN',
    ...(videos.length > 0 ? { video: videos.map((image) => videoObject(work, image, site)) } : {}),
    image: (sensitive ? [SENSITIVE_SHARE_IMAGE] : sortedImages(work).filter((image) => !image.video)).map((image) => ({
      '@type': 'ImageObject',
      contentUrl: absoluteUrl(image.url, site),
      ...('thumbUrl' in image && image.thumbUrl ? { thumbnailUrl: absoluteUrl(image.thumbUrl, site) } : {}),
      ...(image.width ? { width: image.width } : {}),
      ...(image.height ? { height: image.height } : {}),
      ...(author ? { creator: author } : {}),
      ...(work.sourceUrl ? { acquireLicensePage: work.sourceUrl } : {}),
    })),
    interactionStatistic: [
      { '@type': 'InteractionCounter', interactionType: 'https://schema.org/LikeAction', userInteractionCount: work.likeCount },
      { '@type': 'InteractionCounter', interactionType: 'https://schema.org/BookmarkAction', userInteractionCount: work.favoriteCount },
    ],
  };
}

/** An author's page: the Person, with their profile on the source as sameAs. */
export function personJsonLd(author: SnapshotAuthorEntry, site: URL | string): JsonObject {
  return {
    '@context': 'https://schema.org',
    '@type': 'Person',
    '@id': absoluteUrl(userPath(author.username), site),
    name: author.name || author.username,
    alternateName: author.username,
    url: absoluteUrl(userPath(author.username), site),
    ...(author.avatarUrl ? { image: absoluteUrl(author.avatarUrl, site) } : {}),
    ...(author.profileUrl ? { sameAs: author.profileUrl } : {}),
  };
}
