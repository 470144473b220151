// The sitemap's URL list from the snapshot, shared by /sitemap-index.xml and /sitemap-N.xml
// (a `_` file: not a route). Both endpoints split the same list with the configured limit.
import { getCollection } from 'astro:content';
import { loadConfig } from '../core/env.ts';
import { snapshotWorks } from '../data/collections.ts';
import { FEED_PAGE_SIZE, pageCount, pagePath } from '../site/pagination.ts';
import { sitemapEntries, splitSitemap, type SitemapEntry } from '../site/sitemap.ts';

/** Both feed orders (src/components/feed/feed-page.astro); each paginates every work. */
const FEED_BASE_PATHS = ['/feed', '/feed/hot'];

function laterFeedPaths(workCount: number): string[] {
  const pages = pageCount(workCount, FEED_PAGE_SIZE);
  return FEED_BASE_PATHS.flatMap((base) => Array.from({ length: pages - 1 }, (_, i) => pagePath(base, i + 2)));
}

export async function sitemapFiles(): Promise<SitemapEntry[][]> {
  const { sitemapMaxUrls } = loadConfig();
  const [works, authors, loras, manifest] = await Promise.all([
    snapshotWorks(),
    getCollection('authors'),
    getCollection('loras'),
    getCollection('manifest'),
  ]);
  const entries = sitemapEntries({
    generatedAt: manifest[0]?.data.generatedAt ?? null,
    works,
    authors: authors.map((entry) => entry.data),
    loras: loras.map((entry) => entry.data),
    feedPaths: laterFeedPaths(works.length),
  });
  return splitSitemap(entries, sitemapMaxUrls);
}
