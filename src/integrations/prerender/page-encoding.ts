// Astro encodes every page it renders to a string with TextEncoder#encode (runtime/server/render/page.js).
// A page with any Chinese in it is a two-byte string in V8, and Node's encode() of such a string took
// ~155 µs for a 52 KB artwork page, against ~90 µs for encodeInto() into a buffer of the exact size (same
// bytes): at 10k pages a second of the build. This rewrites that one call in the bundles (on-demand pages
// stream and never reach it).
const PAGE_MODULE = /[\\/]astro[\\/]dist[\\/]runtime[\\/]server[\\/]render[\\/]page\.js$/;
const ENCODE_CALL = 'body = encoder.encode(body);';

/** Astro's page module with the page's encoding done by encodeInto() into an exact-size buffer. */
export function encodePagesExactly(code: string): string {
  if (!code.includes(ENCODE_CALL)) {
    throw new Error(`huaku:prerender: astro/dist/runtime/server/render/page.js no longer encodes a page with \`${ENCODE_CALL}\` (Astro changed?)`);
  }
  return `${code.replace(ENCODE_CALL, 'body = encodeUtf8(body);')}
function encodeUtf8(text) {
  if (typeof Buffer !== "function") return encoder.encode(text);
  const bytes = new Uint8Array(Buffer.byteLength(text, "utf8"));
  encoder.encodeInto(text, bytes);
  return bytes;
}
`;
}

/** The Vite plugin applying it. */
export function pageEncodingPlugin() {
  return {
    name: 'huaku:page-encoding',
    transform(code: string, id: string) {
      return PAGE_MODULE.test(id.split('?')[0]!) ? { code: encodePagesExactly(code), map: null } : undefined;
    },
  };
}
