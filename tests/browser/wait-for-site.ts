// Setup file of the site project (vitest.config.ts): a site test file starts once the global setup's builds
// and server are ready (they go on in the background: global-setup.ts).
import { siteReady } from './site.ts';

await siteReady();
