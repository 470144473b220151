// @ts-check
// Astro configuration. Pages are static (prerendered from the snapshot) unless a route opts out with
// `export const prerender = false` (src/pages/api/**, /media/…); those run in the Node adapter, built in
// middleware mode and served by src/server/serve.ts: `node src/server/serve.ts dist` (HOST/PORT from the
// environment), which routes /api before any static-file lookup and gives static files the security headers.
// First: the module-format hint (src/core/runtime/esm-format-hint.ts) for the build's own imports of the store.
import './src/core/runtime/esm-format-hint.ts';
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import react from '@astrojs/react';
import { loadConfig } from './src/core/env.ts';
import { apiRouteTable } from './src/integrations/api-route-table.ts';
import { cspDigestCache } from './src/integrations/csp-digest-cache.ts';
import { searchIndex } from './src/integrations/search-index.ts';
import { prerender } from './src/integrations/prerender/prerender.ts';
import { INLINE_SCRIPT_HASHES } from './src/site/inline-scripts.ts';

const config = loadConfig();
/** Images may come from the media CDN (MEDIA_BASE_URL) besides this origin. */
const mediaOrigin = /^https?:\/\//.test(config.blob.publicBaseUrl) ? new URL(config.blob.publicBaseUrl).origin : null;

export default defineConfig({
  // The public origin: canonical URLs, OpenGraph and the sitemap are built from it (SITE_URL).
  site: config.server.siteUrl,
  output: 'static',
  // Pages render one at a time by default and the main thread then idles about a third of the time,
  // waiting for each page's file write (CPU profile of a 10k-work build); a few pages in flight keep it busy.
  // (Most pages render in the render processes of src/integrations/prerender/; this is for the rest.)
  build: { concurrency: 4 },
  adapter: node({ mode: 'middleware' }),
  // React only for interactive islands (like button, generator, filters).
  // searchIndex: the static search index, written after every build from the same snapshot the content
  // loaders read (src/integrations/search-index.ts).
  // apiRouteTable: the API route table src/server/serve.ts dispatches /api with (src/api-routes.ts).
  // prerender: prerendered pages render to strings, not streams, in render processes beside the build
  // process, one per core by default (SITE_BUILD_RENDER_PROCESSES; src/integrations/prerender/).
  // cspDigestCache: the CSP hash of an inline style or script is computed once, not once per page
  // (src/integrations/csp-digest-cache.ts).
  integrations: [react(), searchIndex({ snapshotDir: config.snapshotDir }), apiRouteTable(), prerender({ renderProcesses: config.siteBuildRenderProcesses }), cspDigestCache()],
  // Stylesheets up to 16 KB (the layout's and a page's own) go inline into the page instead of into a
  // render-blocking request: on a phone's slow link that request was most of the wait for the first paint
  // (Lighthouse). Larger ones (the analytics page's chart fonts) and every other asset keep Vite's default.
  vite: { build: { assetsInlineLimit: (file, content) => (file.endsWith('.css') ? content.length <= 16 * 1024 : undefined) } },
  // No Markdown here, so no Shiki: its inline styles would need 'unsafe-inline' under the CSP below.
  markdown: { syntaxHighlight: false },
  security: {
    // Cross-site writes are refused by src/middleware.ts instead, which knows the public origin (SITE_URL)
    // and the protocol a trusted TLS proxy forwards; Astro's check compares with what Node sees (http).
    checkOrigin: false,
    // Content-Security-Policy: scripts and styles by hash (Astro hashes its own; our inline scripts are
    // listed in src/site/inline-scripts.ts), never 'unsafe-inline' for scripts. A <meta> in prerendered
    // pages, a header on on-demand ones; src/server/http/security-headers.ts adds frame-ancestors and the
    // other header-only directives. Style attributes (grid ratios, chart heights) stay allowed.
    csp: {
      directives: [
        "default-src 'self'",
        `img-src 'self' data: blob: https:${mediaOrigin ? ` ${mediaOrigin}` : ''}`,
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ],
      // Pagefind's search runs as WebAssembly.
      scriptDirective: { resources: ["'self'", "'wasm-unsafe-eval'"], hashes: INLINE_SCRIPT_HASHES },
      styleDirective: { resources: ["'self'", { resource: "'unsafe-inline'", kind: 'attribute' }] },
    },
  },
});
