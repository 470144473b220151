// /robots.txt: crawl everything public, not the API or private pages; the sitemap index is the entry.
import type { APIRoute } from 'astro';
import { renderRobotsTxt } from '../site/sitemap.ts';

export const GET: APIRoute = ({ site }) => {
  if (!site) throw new Error('astro.config.mjs must set `site` (SITE_URL) for robots.txt');
  return new Response(renderRobotsTxt(site), { headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
};
