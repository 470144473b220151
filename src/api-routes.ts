// The API route table the server (src/server/serve.ts) dispatches `/api/*` with, without Astro's request
// pipeline (src/server/http/api-router.ts says why). Built with the Astro app, as dist/server/api-routes.mjs
// (src/integrations/api-route-table.ts emits it), so the endpoint modules and the services they use are
// the very module instances Astro's own pages load: one getServerServices(), one rate limiter.
import { createApiRouter, type EndpointModule } from './server/http/api-router.ts';
import { serverConfig } from './server/start-up.ts';

// Astro's rules: files starting with an underscore are not routes.
const modules = import.meta.glob<EndpointModule>(['./pages/api/**/*.ts', '!./pages/api/**/_*', '!./pages/api/**/*.test.ts']);

export const apiRouter = createApiRouter(modules, serverConfig);
