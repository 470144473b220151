// @ts-check
// Astro configuration. Pages are static (prerendered from the snapshot) unless a route opts out with
// `export const prerender = false` (src/pages/api/**, /media/…); those run in the Node adapter's
// standalone server: `node dist/server/entry.mjs` (HOST/PORT from the environment).
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import react from '@astrojs/react';
import { loadConfig } from './src/lib/env.ts';
import { pagefindIndex } from './src/integrations/pagefind-index.ts';

const config = loadConfig();

export default defineConfig({
  // The public origin: canonical URLs, OpenGraph and the sitemap are built from it (SITE_URL).
  site: config.server.siteUrl,
  output: 'static',
  adapter: node({ mode: 'standalone' }),
  // React only for interactive islands (like button, generator, filters).
  // pagefindIndex: the static search index, written after every build (src/integrations/pagefind-index.ts).
  integrations: [react(), pagefindIndex()],
  // security.checkOrigin stays at its default (on): cross-site form posts to on-demand routes are refused.
});
