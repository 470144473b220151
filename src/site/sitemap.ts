// The sitemap (https://www.sitemaps.org/protocol.html) as data: which URLs the snapshot publishes, how
// they split into files of at most `maxUrlsPerFile`, and the XML of the index and of each file.
// Framework-free: the Astro endpoints (src/pages/sitemap-*.xml.ts) only feed it the collections.
import type { SnapshotAuthorEntry, SnapshotLora, SnapshotWork } from '../core/snapshot/schema.ts';
import { isSensitive } from './nsfw.ts';
import { displayTitle, loraPath, sortedImages, userPath, workPath } from './works.ts';

/** The protocol's limit per sitemap file (also 50 MB uncompressed, far above 50k of our URLs). */
export const SITEMAP_MAX_URLS = 50_000;

export interface SitemapEntry {
  /** Site path, e.g. `/artwork/liblib-1/sample`. */
  path: string;
  /** ISO date-time of the last change, when known. */
  lastmod: string | null;
  /** A video work's clips (Google's video sitemap extension): site paths, as on the page. */
  videos?: SitemapVideo[];
}

interface SitemapVideo {
  contentPath: string;
  thumbnailPath: string;
  title: string;
  description: string;
  familyFriendly: boolean;
}

/** The videos of a work that can be listed: each needs its poster (the extension requires a thumbnail). */
function workVideos(work: SnapshotWork): SitemapVideo[] {
  return sortedImages(work).flatMap((image) =>
    image.video && image.thumbUrl
      ? [{
          contentPath: image.url,
          thumbnailPath: image.thumbUrl,
          title: displayTitle(work),
          // The extension's limit is 2048 characters.
          description: [...(work.prompt || displayTitle(work))].slice(0, 2048).join(''),
          familyFriendly: !isSensitive(work.nsfwLevel),
        }]
      : [],
  );
}

export interface SitemapSource {
  /** The snapshot's generatedAt: the lastmod of pages that change with every snapshot. */
  generatedAt: string | null;
  works: Iterable<SnapshotWork>;
  authors: Iterable<Pick<SnapshotAuthorEntry, 'username'>>;
  loras: Iterable<Pick<SnapshotLora, 'id' | 'updatedAt'>>;
  /** The feed's numbered pages after the first (`/feed/2`, `/feed/hot/2`…), as the feed routes define them. */
  feedPaths: Iterable<string>;
}

/** Indexable pages that exist whatever the snapshot holds (not /search, /login, /me, /upload: private or query pages). */
const STATIC_PATHS = ['/', '/features', '/feed', '/feed/hot', '/loras', '/analytics', '/trends'] as const;

/**
 * Every public URL of the site, in a stable order: static pages, feed pages, works, authors, LoRAs.
 * Works carry their publishedAt; an author's page changes when they publish, so it carries their newest
 * work's date; lists and pages without a date of their own carry the snapshot's generatedAt.
 */
export function sitemapEntries(source: SitemapSource): SitemapEntry[] {
  const snapshotDate = source.generatedAt;
  const entries: SitemapEntry[] = STATIC_PATHS.map((path) => ({ path, lastmod: snapshotDate }));
  for (const path of source.feedPaths) entries.push({ path, lastmod: snapshotDate });

  const newestByAuthor = new Map<string, string>();
  for (const work of source.works) {
    const videos = workVideos(work);
    entries.push({ path: workPath(work), lastmod: work.publishedAt ?? snapshotDate, ...(videos.length > 0 ? { videos } : {}) });
    const username = work.author?.username;
    if (username && work.publishedAt && (newestByAuthor.get(username) ?? '') < work.publishedAt) {
      newestByAuthor.set(username, work.publishedAt);
    }
  }
  for (const author of source.authors) {
    entries.push({ path: userPath(author.username), lastmod: newestByAuthor.get(author.username) ?? snapshotDate });
  }
  for (const lora of source.loras) entries.push({ path: loraPath(lora.id), lastmod: lora.updatedAt ?? snapshotDate });
  return entries;
}

/** Consecutive files of at most `maxUrlsPerFile` entries (at least one file, possibly empty, so the index is never empty). */
export function splitSitemap(entries: readonly SitemapEntry[], maxUrlsPerFile = SITEMAP_MAX_URLS): SitemapEntry[][] {
  if (!Number.isInteger(maxUrlsPerFile) || maxUrlsPerFile < 1) throw new RangeError(`maxUrlsPerFile must be an integer ≥ 1, got ${maxUrlsPerFile}`);
  const files: SitemapEntry[][] = [];
  for (let start = 0; start < entries.length; start += maxUrlsPerFile) files.push(entries.slice(start, start + maxUrlsPerFile));
  return files.length > 0 ? files : [[]];
}

/** `/sitemap-1.xml` for file 1 (numbering starts at 1). */
function sitemapFilePath(fileNumber: number): string {
  return `/sitemap-${fileNumber}.xml`;
}

const SITEMAP_INDEX_PATH = '/sitemap-index.xml';

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

/** One sitemap file: absolute URLs against `site`. */
export function renderSitemap(entries: readonly SitemapEntry[], site: URL | string): string {
  const urls = entries.map(
    (entry) => `<url><loc>${escapeXml(new URL(entry.path, site).href)}</loc>${lastmodTag(entry.lastmod)}${(entry.videos ?? []).map((v) => videoTag(v, site)).join('')}</url>`,
  );
  // The video namespace only where a file lists videos: files without any stay plain sitemaps.
  const videoNs = entries.some((e) => e.videos?.length) ? ` xmlns:video="${VIDEO_NS}"` : '';
  return `${XML_HEADER}<urlset xmlns="${SITEMAP_NS}"${videoNs}>\n${urls.join('\n')}\n</urlset>\n`;
}

const VIDEO_NS = 'http://www.google.com/schemas/sitemap-video/1.1';

function videoTag(video: SitemapVideo, site: URL | string): string {
  const tag = (name: string, value: string) => `<video:${name}>${escapeXml(value)}</video:${name}>`;
  return `<video:video>${[
    tag('thumbnail_loc', new URL(video.thumbnailPath, site).href),
    tag('title', video.title),
    tag('description', video.description),
    tag('content_loc', new URL(video.contentPath, site).href),
    tag('family_friendly', video.familyFriendly ? 'yes' : 'no'),
  ].join('')}</video:video>`;
}

/** The index: one `<sitemap>` per file, its lastmod the newest of its entries. */
export function renderSitemapIndex(files: readonly (readonly SitemapEntry[])[], site: URL | string): string {
  const items = files.map((entries, i) => {
    const newest = entries.reduce<string | null>((max, e) => (e.lastmod && (!max || e.lastmod > max) ? e.lastmod : max), null);
    return `<sitemap><loc>${escapeXml(new URL(sitemapFilePath(i + 1), site).href)}</loc>${lastmodTag(newest)}</sitemap>`;
  });
  return `${XML_HEADER}<sitemapindex xmlns="${SITEMAP_NS}">\n${items.join('\n')}\n</sitemapindex>\n`;
}

/** robots.txt: everything public is crawlable except the API and the private pages. */
export function renderRobotsTxt(site: URL | string): string {
  return [
    'User-agent: *',
    'Disallow: /api/',
    'Disallow: /me',
    'Disallow: /upload',
    '',
    `Sitemap: ${new URL(SITEMAP_INDEX_PATH, site).href}`,
    '',
  ].join('\n');
}

function lastmodTag(lastmod: string | null): string {
  return lastmod ? `<lastmod>${escapeXml(lastmod)}</lastmod>` : '';
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' })[c]};`);
}
