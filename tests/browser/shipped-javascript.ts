// The JavaScript a built page ships, measured from the built files: bench/lighthouse.ts prints it for an
// artwork page, and the works-pages browser test holds that page to the budget (issue 7: ≤ 30 KB gzipped).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface ShippedScript {
  /** The file's URL path, or `inline script #n`. */
  name: string;
  raw: number;
  gzip: number;
}

/**
 * The JavaScript a built page loads before any interaction: module scripts, island components and
 * renderers, modulepreloads, inline scripts, and the static imports of each (dynamic imports that only
 * run on demand are left out). Sizes gzipped at the default level, as a server would send them.
 */
export async function shippedJavaScript(clientDir: string, pagePath: string): Promise<ShippedScript[]> {
  const html = await readFile(path.join(clientDir, pagePath, 'index.html'), 'utf8');
  const files: ShippedScript[] = [];
  const pending = new Set<string>();
  for (const match of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) pending.add(match[1]!);
  for (const match of html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) pending.add(match[1]!);
  for (const match of html.matchAll(/\b(?:component-url|renderer-url|before-hydration-url)="([^"]+)"/g)) if (match[1]) pending.add(match[1]);
  let inline = 0;
  for (const match of html.matchAll(/<script\b(?![^>]*\bsrc=)(?![^>]*type="application\/(?:ld\+)?json")[^>]*>([\s\S]*?)<\/script>/g)) {
    const body = match[1]!;
    if (!body.trim()) continue;
    inline += 1;
    files.push({ name: `inline script #${inline}`, raw: Buffer.byteLength(body), gzip: gzipSync(body).length });
    for (const imported of staticImports(body)) pending.add(new URL(imported, `http://site${pagePath}`).pathname);
  }
  const seen = new Set<string>();
  while (pending.size > 0) {
    const url = pending.values().next().value!;
    pending.delete(url);
    if (seen.has(url) || !url.startsWith('/')) continue;
    seen.add(url);
    const source = await readFile(path.join(clientDir, url.split('?')[0]!)).catch(() => null);
    if (!source) continue;
    files.push({ name: url, raw: source.length, gzip: gzipSync(source).length });
    for (const imported of staticImports(source.toString('utf8'))) pending.add(new URL(imported, `http://site${url}`).pathname);
  }
  return files;
}

/** `import … from "./x.js"`, `import "./x.js"` and `export … from "./x.js"` specifiers (not `import("…")`). */
function staticImports(source: string): string[] {
  const out: string[] = [];
  for (const match of source.matchAll(/\bfrom\s*["']([^"']+)["']/g)) out.push(match[1]!);
  for (const match of source.matchAll(/\bimport\s*["']([^"']+)["']/g)) out.push(match[1]!);
  return out.filter((specifier) => specifier.startsWith('.') || specifier.startsWith('/'));
}
