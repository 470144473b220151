// /sitemap-1.xml, /sitemap-2.xml …: at most SITEMAP_MAX_URLS URLs each, listed by /sitemap-index.xml.
import type { APIRoute, GetStaticPaths } from 'astro';
import { renderSitemap, type SitemapEntry } from '../site/sitemap.ts';
import { sitemapFiles } from './_sitemap-entries.ts';

export const getStaticPaths = (async () =>
  (await sitemapFiles()).map((entries, i) => ({ params: { n: String(i + 1) }, props: { entries } }))) satisfies GetStaticPaths;

export const GET: APIRoute<{ entries: SitemapEntry[] }> = ({ props, site }) => {
  if (!site) throw new Error('astro.config.mjs must set `site` (SITE_URL) for the sitemap');
  return new Response(renderSitemap(props.entries, site), {
    headers: { 'Content-Type': 'application/xml; charset=utf-8' },
  });
};
