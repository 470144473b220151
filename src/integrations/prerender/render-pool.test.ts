import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageJob } from './render-protocol.ts';
import { RenderPool } from './render-pool.ts';

const SCRIPT = fileURLToPath(new URL('./render-child.ts', import.meta.url));

/**
 * A prerender bundle's entry as the render processes load it: an `app` with Astro's BuildApp surface, whose
 * routes misbehave on purpose. Pages answer with bytes (as Astro's string renderer does) naming the process.
 */
const FAKE_ENTRY = `
const route = (path, type = 'page') => ({ routeData: { route: path, component: 'src/pages' + path + '.astro', type, pathname: path, prerender: true, fallbackRoutes: [], params: [], segments: [] } });
export const app = {
  manifest: { base: '/', trailingSlash: 'ignore', routes: [route('/page'), route('/feed.txt', 'endpoint'), route('/empty'), route('/boom'), route('/crash'), route('/moved')] },
  logger: { options: { destination: { write: () => true } } },
  setInternals(internals) { this.internals = internals; },
  setOptions(options) { this.options = options; },
  resolveStreaming() { return true; },
  async render(request, { routeData }) {
    switch (routeData.route) {
      case '/page': return new Response(new TextEncoder().encode('<p>' + request.url + ' 画 ' + process.pid + ' ' + this.internals.pagesByKeys.size + '</p>'));
      case '/feed.txt': return new Response('feed of ' + request.url);
      case '/empty': return new Response(null);
      case '/boom': throw new Error('page exploded');
      case '/moved': return new Response(null, { status: 301, headers: { location: '/page' } });
      case '/crash': process.stderr.write('about to crash\\n'); process.exit(3);
    }
  },
};
`;

let dir: string;
let entryUrl: string;
const init = () => ({ entryUrl, pageStyles: [['/page&src/pages/page.astro', []]] as Array<[string, unknown[]]>, scripts: [] });
const job = (route: string, name: string, type: 'page' | 'endpoint' = 'page'): PageJob => ({
  url: `http://localhost:4321${route}/${name}`,
  outFile: path.join(dir, 'out', route, name, type === 'page' ? 'index.html' : 'file'),
  route: { route, component: `src/pages${route}.astro` },
});

/** A started pool of `processes` for `use`, closed afterwards. */
async function withStartedPool(processes: number, use: (pool: RenderPool) => Promise<void>): Promise<void> {
  const pool = RenderPool.fork({ script: SCRIPT, processes });
  try {
    await pool.start(init());
    await use(pool);
  } finally {
    pool.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'huaku-render-pool-'));
  const entry = path.join(dir, 'prerender-entry.test.mjs');
  await writeFile(entry, FAKE_ENTRY);
  entryUrl = pathToFileURL(entry).href;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('RenderPool', () => {
  it('lists the paths, then renders and writes every page across its processes', async () => {
    const pool = RenderPool.fork({ script: SCRIPT, processes: 2 });
    try {
      const paths = await pool.start(init());
      // Astro's StaticPaths over the bundle's manifest (the first process's list).
      expect(paths.map((p) => p.pathname)).toEqual(['/page', '/feed.txt', '/empty', '/boom', '/crash', '/moved']);
      expect(paths[0]!.route).toEqual({ route: '/page', component: 'src/pages/page.astro' });

      const pages = [...Array.from({ length: 60 }, (_, i) => job('/page', `p${i}`)), job('/feed.txt', 'f', 'endpoint'), job('/empty', 'e')];
      const { empty } = await pool.renderAll(pages);
      expect(empty).toEqual(['http://localhost:4321/empty/e']);
      expect(existsSync(pages.at(-1)!.outFile)).toBe(false);
      const pids = new Set<string>();
      for (const page of pages.slice(0, 60)) {
        const html = readFileSync(page.outFile, 'utf8');
        // The request URL, the bytes as rendered (UTF-8), and the stylesheets sent at init.
        expect(html).toMatch(new RegExp(`^<p>${page.url} 画 (\\d+) 1</p>$`));
        pids.add(html.split(' ')[2]!);
      }
      expect(pids.size).toBe(2);
      expect(readFileSync(pages[60]!.outFile, 'utf8')).toBe('feed of http://localhost:4321/feed.txt/f');
    } finally {
      pool.close();
    }
  });

  it("fails with the page's URL and error, and stops", async () => {
    await withStartedPool(1, async (pool) => {
      await expect(pool.renderAll([job('/page', 'ok'), job('/boom', 'b'), job('/page', 'never')])).rejects.toThrow(
        /rendering http:\/\/localhost:4321\/boom\/b \(render process 1\): page exploded/,
      );
      expect(existsSync(job('/page', 'ok').outFile)).toBe(true);
      expect(existsSync(job('/page', 'never').outFile)).toBe(false);
      // Closed: nothing more is rendered.
      await expect(pool.renderAll([job('/page', 'later')])).rejects.toThrow(/closed|ended/);
    });
  });

  it('refuses a redirect (only the build process writes redirect pages)', async () => {
    await withStartedPool(1, async (pool) => {
      await expect(pool.renderAll([job('/moved', 'm')])).rejects.toThrow(/answered 301 \(a redirect\)/);
    });
  });

  it('names a process that dies, with its last output', async () => {
    await withStartedPool(1, async (pool) => {
      await expect(pool.renderAll([job('/crash', 'c')])).rejects.toThrow(/render process 1 ended \(exit code 3\); its last output:\nabout to crash/);
    });
  });

  it('fails to start on a bundle without an app', async () => {
    const bad = path.join(dir, 'prerender-entry.bad.mjs');
    await writeFile(bad, 'export const nothing = 1;\n');
    const pool = RenderPool.fork({ script: SCRIPT, processes: 2 });
    await expect(pool.start({ ...init(), entryUrl: pathToFileURL(bad).href })).rejects.toThrow(/render process \d could not start: .*exports no Astro BuildApp as `app`/);
    pool.close();
    expect(readdirSync(dir)).toContain('prerender-entry.bad.mjs');
  });
});
