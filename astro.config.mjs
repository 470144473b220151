// @ts-check
// Astro configuration. Pages are static (prerendered from the snapshot) unless a route opts out with
// `export const prerender = false` (src/pages/api/**, /media/…); those run in the Node adapter, built in
// middleware mode and served by src/server/serve.ts: `node src/server/serve.ts dist` (HOST/PORT from the
// environment), which routes /api before any static-file lookup.
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import react from '@astrojs/react';
import { loadConfig } from './src/core/env.ts';
import { pagefindIndex } from './src/integrations/pagefind-index.ts';

const config = loadConfig();

export default defineConfig({
  // The public origin: canonical URLs, OpenGraph and the sitemap are built from it (SITE_URL).
  site: config.server.siteUrl,
  output: 'static',
  // Pages render one at a time by default and the main thread then idles about a third of the time,
  // waiting for each page's file write (CPU profile of a 10k-work build); a few pages in flight keep it busy.
  build: { concurrency: 4 },
  adapter: node({ mode: 'middleware' }),
  // React only for interactive islands (like button, generator, filters).
  // pagefindIndex: the static search index, written after every build from the same snapshot the content
  // loaders read (src/integrations/pagefind-index.ts).
  integrations: [react(), pagefindIndex({ snapshotDir: config.snapshotDir })],
  // security.checkOrigin stays at its default (on): cross-site form posts to on-demand routes are refused.
});
