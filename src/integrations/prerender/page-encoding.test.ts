import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodePagesExactly } from './page-encoding.ts';

/** The rewritten helper, run on its own against TextEncoder#encode. */
function encodeUtf8Of(code: string): (text: string) => Uint8Array {
  const helper = code.slice(code.indexOf('function encodeUtf8('));
  return new Function('encoder', `${helper}\nreturn encodeUtf8;`)(new TextEncoder()) as (text: string) => Uint8Array;
}

describe('encodePagesExactly', () => {
  // Not in the package's exports: read from node_modules, as Vite hands it to the plugin.
  const astroPage = readFileSync(new URL('../../../node_modules/astro/dist/runtime/server/render/page.js', import.meta.url), 'utf8');

  it('rewrites the installed Astro, and refuses a module without the call', () => {
    const rewritten = encodePagesExactly(astroPage);
    expect(rewritten).toContain('body = encodeUtf8(body);');
    expect(rewritten).not.toContain('body = encoder.encode(body);');
    expect(() => encodePagesExactly('export {}')).toThrow(/Astro changed/);
  });

  it('gives the bytes TextEncoder gives', () => {
    const encodeUtf8 = encodeUtf8Of(encodePagesExactly(astroPage));
    const encoder = new TextEncoder();
    for (const text of ['', '<p>ascii</p>', '<h1>赛博朋克城市夜景 · 画库</h1>', 'emoji 🎨 and 𠀀', 'lone \uD800 surrogate \uDC00', 'é'.repeat(70_000)]) {
      expect(Buffer.from(encodeUtf8(text)).equals(Buffer.from(encoder.encode(text))), JSON.stringify(text.slice(0, 20))).toBe(true);
    }
  });
});
