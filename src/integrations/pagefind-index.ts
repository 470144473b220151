// Astro integration: after every `astro build`, index the built HTML with pagefind's Node API and write
// the index to <client dir>/pagefind/ (served beside the pages; /search loads /pagefind/pagefind.js).
// `dir` from astro:build:done is the client output dir, so a custom outDir (tests, benches) just works.
// Only elements marked `data-pagefind-body` are indexed (the artwork page's main content), so the
// header, footer and list pages never pollute results. Pages are `lang="zh-CN"`: the extended pagefind
// binary (shipped by the npm package) segments Chinese into words for that language.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import * as pagefind from 'pagefind';

/** The folder under the client dir that holds the index and pagefind's own JS. */
export const PAGEFIND_DIR = 'pagefind';

export function pagefindIndex(): AstroIntegration {
  return {
    name: 'huaku-pagefind-index',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const siteDir = fileURLToPath(dir);
        const started = performance.now();
        // Buttons and dialogs (copy, like, lightbox close) are controls, not content: keep their labels out of excerpts.
        const { index, errors } = await pagefind.createIndex({ excludeSelectors: ['button', 'dialog'] });
        try {
          if (!index) throw new Error(`pagefind could not start: ${errors.join('; ')}`);
          const added = await index.addDirectory({ path: siteDir });
          if (added.errors.length > 0) throw new Error(`pagefind could not index ${siteDir}: ${added.errors.join('; ')}`);
          const written = await index.writeFiles({ outputPath: path.join(siteDir, PAGEFIND_DIR) });
          if (written.errors.length > 0) throw new Error(`pagefind could not write its index: ${written.errors.join('; ')}`);
          logger.info(`search index: ${added.page_count} pages in ${Math.round(performance.now() - started)} ms → ${written.outputPath}`);
        } finally {
          // The Node API runs the pagefind binary as a service; stop it or the build process never exits.
          await pagefind.close();
        }
      },
    },
  };
}
