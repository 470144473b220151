import type { PathWithRoute, RouteData } from 'astro';
import { describe, expect, it } from 'vitest';
import type { PageOutputSettings } from './page-output.ts';
import { splitPaths } from './prerender.ts';

const output: PageOutputSettings = { format: 'directory', trailingSlash: 'ignore', base: '/', origin: 'http://localhost:4321', outRoot: '/site/dist/client' };
const route = (path: string, type: RouteData['type']) => ({ route: path, component: `src/pages${path}.astro`, type }) as RouteData;
const at = (pathname: string, r: RouteData): PathWithRoute => ({ pathname, route: r });

describe('splitPaths', () => {
  it('gives the render processes pages and endpoints, and leaves Astro what it must decide itself', () => {
    const artwork = route('/artwork/[id]', 'page');
    const user = route('/user/[name]', 'page');
    const sitemap = route('/sitemap-[n].xml', 'endpoint');
    const robots = route('/robots.txt', 'endpoint');
    const old = route('/old', 'redirect');
    const fallback = route('/en/feed', 'fallback');
    const paths = [
      at('/artwork/1', artwork),
      at('/artwork/2', artwork),
      at('/sitemap-1.xml', sitemap),
      // A public file stands for it: Astro skips it with a warning.
      at('/robots.txt', robots),
      at('/old', old),
      at('/en/feed', fallback),
      // Two routes claim /user/admin (one with a trailing slash): Astro reports or resolves the conflict.
      at('/user/admin', user),
      at('/user/admin/', artwork),
    ];
    const { mine, theirs, pages } = splitPaths(paths, output, new Set(['robots.txt', 'favicon.svg']));
    expect(theirs.map((p) => p.pathname)).toEqual(['/artwork/1', '/artwork/2', '/sitemap-1.xml']);
    // Their jobs, in step: where Astro would request and write each.
    expect(pages).toEqual([
      { url: 'http://localhost:4321/artwork/1/', outFile: '/site/dist/client/artwork/1/index.html', route: { route: '/artwork/[id]', component: 'src/pages/artwork/[id].astro' } },
      { url: 'http://localhost:4321/artwork/2/', outFile: '/site/dist/client/artwork/2/index.html', route: { route: '/artwork/[id]', component: 'src/pages/artwork/[id].astro' } },
      { url: 'http://localhost:4321/sitemap-1.xml', outFile: '/site/dist/client/sitemap-1.xml', route: { route: '/sitemap-[n].xml', component: 'src/pages/sitemap-[n].xml.astro' } },
    ]);
    expect(mine.map((p) => p.pathname)).toEqual(['/robots.txt', '/old', '/en/feed', '/user/admin', '/user/admin/']);
  });
});
