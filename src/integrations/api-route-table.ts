// Astro integration: the server build also writes dist/server/api-routes.mjs, the API route table of
// src/api-routes.ts, as one more entry of the same bundle (its chunks are shared with Astro's entry.mjs, so
// the route modules and the services are loaded once). src/server/serve.ts imports it at start-up.
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

/** The file under dist/server/ that src/server/serve.ts loads (its API_ROUTES_FILE). */
const API_ROUTES_FILE = 'api-routes.mjs';
const ENTRY = fileURLToPath(new URL('../api-routes.ts', import.meta.url));

export function apiRouteTable(): AstroIntegration {
  return {
    name: 'huaku:api-route-table',
    hooks: {
      'astro:config:setup': ({ updateConfig }) => {
        updateConfig({
          vite: {
            plugins: [
              {
                name: 'huaku:api-route-table',
                apply: 'build',
                // Only the server bundle (not the prerender or client builds).
                applyToEnvironment: (environment) => environment.name === 'ssr',
                buildStart() {
                  this.emitFile({ type: 'chunk', id: ENTRY, fileName: API_ROUTES_FILE });
                },
              },
            ],
          },
        });
      },
    },
  };
}
