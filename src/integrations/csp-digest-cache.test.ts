import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cacheCspDigests } from './csp-digest-cache.ts';

/** A stand-in for Astro's module: the digest counts its calls, so a cached one shows the first count. */
function digestOf(code: string): (data: string, algorithm: string) => Promise<string> {
  return new Function(`let calls = 0;\n${code}\nreturn generateCspDigest;`)() as (data: string, algorithm: string) => Promise<string>;
}
const FAKE = 'async function generateCspDigest(data, algorithm) {\n  calls += 1;\n  return `${algorithm}-${data}-${calls}`;\n}';

describe('cacheCspDigests', () => {
  it('computes a digest once per algorithm and content', async () => {
    const digest = digestOf(cacheCspDigests(FAKE));
    expect(await digest('a{color:red}', 'SHA-256')).toBe('SHA-256-a{color:red}-1');
    expect(await digest('a{color:red}', 'SHA-256')).toBe('SHA-256-a{color:red}-1');
    expect(await digest('b{}', 'SHA-256')).toBe('SHA-256-b{}-2');
    expect(await digest('a{color:red}', 'SHA-512')).toBe('SHA-512-a{color:red}-3');
  });

  it('matches the installed Astro, and refuses a module without the function', () => {
    // Not in the package's exports: read from node_modules, as Vite hands it to the plugin.
    const astroEncryption = new URL('../../node_modules/astro/dist/core/encryption.js', import.meta.url);
    expect(cacheCspDigests(readFileSync(astroEncryption, 'utf8'))).toContain('computeCspDigest(data, algorithm)');
    expect(() => cacheCspDigests('export {}')).toThrow(/Astro changed/);
  });
});
