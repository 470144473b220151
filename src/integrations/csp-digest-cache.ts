// Astro integration: Astro's CSP digests are computed once per distinct content instead of once per page.
// For its <meta> Content-Security-Policy, Astro hashes every inline style and script of a page
// (core/fetch/fetch-state.js → core/encryption.js's generateCspDigest, WebCrypto SHA-256), and does so
// again for every page although a route's inline styles and scripts are the same on all of its pages: in a
// CPU profile of a 3k-work build that was ~4% of the page generation. The digest of a string never changes,
// so this wraps generateCspDigest in the bundles with a cache keyed by algorithm and content (a string key: its hash is kept on the string); the HTML is
// the same.
import type { AstroIntegration } from 'astro';

const ENCRYPTION_MODULE = /[\\/]astro[\\/]dist[\\/]core[\\/]encryption\.js$/;
const SIGNATURE = 'async function generateCspDigest(data, algorithm) {';
/** Enough for every route's inline styles and scripts; content past it is hashed each time (a bound). */
const MAX_ENTRIES = 512;

/** Astro's encryption module with generateCspDigest cached (the original renamed, called on a miss). */
export function cacheCspDigests(code: string): string {
  if (!code.includes(SIGNATURE)) throw new Error('huaku:csp-digest-cache: astro/dist/core/encryption.js has no generateCspDigest(data, algorithm) (Astro changed?)');
  return code.replace(
    SIGNATURE,
    `const cspDigestCache = new Map();
function generateCspDigest(data, algorithm) {
  let digests = cspDigestCache.get(algorithm);
  if (digests === undefined) cspDigestCache.set(algorithm, (digests = new Map()));
  let digest = digests.get(data);
  if (digest === undefined) {
    digest = computeCspDigest(data, algorithm);
    if (digests.size < ${MAX_ENTRIES}) digests.set(data, digest);
  }
  return digest;
}
async function computeCspDigest(data, algorithm) {`,
  );
}

export function cspDigestCache(): AstroIntegration {
  return {
    name: 'huaku:csp-digest-cache',
    hooks: {
      'astro:config:setup': ({ updateConfig }) => {
        updateConfig({
          vite: {
            plugins: [
              {
                name: 'huaku:csp-digest-cache',
                transform(code, id) {
                  return ENCRYPTION_MODULE.test(id.split('?')[0]!) ? { code: cacheCspDigests(code), map: null } : undefined;
                },
              },
            ],
          },
        });
      },
    },
  };
}
