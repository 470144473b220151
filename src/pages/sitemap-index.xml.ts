// /sitemap-index.xml: lists /sitemap-1.xml … (robots.txt points here). Built at `astro build`.
import type { APIRoute } from 'astro';
import { renderSitemapIndex } from '../site/sitemap.ts';
import { sitemapFiles } from './_sitemap-entries.ts';

export const GET: APIRoute = async ({ site }) => {
  if (!site) throw new Error('astro.config.mjs must set `site` (SITE_URL) for the sitemap');
  return new Response(renderSitemapIndex(await sitemapFiles(), site), {
    headers: { 'Content-Type': 'application/xml; charset=utf-8' },
  });
};
