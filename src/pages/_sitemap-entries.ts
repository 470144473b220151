// The sitemap's URL list from the content collections, shared by /sitemap-index.xml and /sitemap-N.xml
// (a `_` file: not a route). Both endpoints split the same list with the configured limit.
import { getCollection } from 'astro:content';
import { loadConfig } from '../lib/env.ts';
import { sitemapEntries, splitSitemap, type SitemapEntry } from '../lib/site/sitemap.ts';

export async function sitemapFiles(): Promise<SitemapEntry[][]> {
  const { sitemapMaxUrls } = loadConfig();
  const [works, authors, loras, manifest] = await Promise.all([
    getCollection('works'),
    getCollection('authors'),
    getCollection('loras'),
    getCollection('manifest'),
  ]);
  const entries = sitemapEntries({
    generatedAt: manifest[0]?.data.generatedAt ?? null,
    works: works.map((entry) => entry.data),
    authors: authors.map((entry) => entry.data),
    loras: loras.map((entry) => entry.data),
    feedPaths: [],
  });
  return splitSitemap(entries, sitemapMaxUrls);
}
