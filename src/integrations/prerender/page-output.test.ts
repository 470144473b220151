import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pageOutFile, pageRequestUrl, type DelegableFormat, type DelegableRouteType, type PageOutputSettings } from './page-output.ts';

// Astro's own getOutFolder/getOutFile (not in the package's exports: read from node_modules).
const astroCommon = (await import(new URL('../../../node_modules/astro/dist/core/build/common.js', import.meta.url).href)) as {
  getOutFolder(settings: unknown, pathname: string, route: { type: string; isIndex?: boolean }): URL;
  getOutFile(format: string, outFolder: URL, pathname: string, route: { type: string; isIndex?: boolean }): URL;
};

const OUT_ROOT = '/tmp/site/dist/client';

function settings(format: DelegableFormat, trailingSlash: PageOutputSettings['trailingSlash'] = 'ignore', base = '/'): PageOutputSettings {
  return { format, trailingSlash, base, origin: 'http://localhost:4321', outRoot: OUT_ROOT };
}

/** Where Astro writes `pathname` in a server build (pages under build.client, as Huaku's). */
function astroOutFile(format: DelegableFormat, pathname: string, type: DelegableRouteType): string {
  const astroSettings = {
    buildOutput: 'server',
    config: { outDir: pathToFileURL('/tmp/site/dist/'), build: { format, client: pathToFileURL(`${OUT_ROOT}/`) } },
  };
  const route = { type, isIndex: false };
  const encoded = encodeURI(pathname);
  return fileURLToPath(astroCommon.getOutFile(format, astroCommon.getOutFolder(astroSettings, encoded, route), encoded, route));
}

describe('pageOutFile', () => {
  const cases: Array<[string, DelegableRouteType]> = [
    ['/', 'page'],
    ['/artwork/123/a-title', 'page'],
    ['/feed/2', 'page'],
    ['/user/名字', 'page'],
    ['/404', 'page'],
    ['/sitemap-1.xml', 'endpoint'],
    ['/robots.txt', 'endpoint'],
    ['/data/upload-catalogue.json', 'endpoint'],
  ];
  for (const format of ['directory', 'file'] as const) {
    it(`writes where Astro does (${format} format)`, () => {
      for (const [pathname, type] of cases) {
        expect(pageOutFile(pathname, type, settings(format)), `${pathname} (${type})`).toBe(astroOutFile(format, pathname, type));
      }
    });
  }

  it('keeps every file under the output folder', () => {
    expect(path.dirname(pageOutFile('/artwork/1', 'page', settings('directory')))).toBe(`${OUT_ROOT}/artwork/1`);
  });
});

describe('pageRequestUrl', () => {
  it("requests a page with its format's ending, as Astro's getUrlForPath", () => {
    expect(pageRequestUrl('/', 'page', settings('directory'))).toBe('http://localhost:4321/');
    expect(pageRequestUrl('/artwork/1', 'page', settings('directory'))).toBe('http://localhost:4321/artwork/1/');
    expect(pageRequestUrl('/artwork/1', 'page', settings('directory', 'never'))).toBe('http://localhost:4321/artwork/1');
    expect(pageRequestUrl('/artwork/1', 'page', settings('file'))).toBe('http://localhost:4321/artwork/1.html');
    expect(pageRequestUrl('/', 'page', settings('file'))).toBe('http://localhost:4321/index.html');
    expect(pageRequestUrl('/feed/2', 'page', settings('directory', 'ignore', '/site/'))).toBe('http://localhost:4321/site/feed/2/');
    expect(pageRequestUrl('/', 'page', settings('directory', 'ignore', '/site/'))).toBe('http://localhost:4321/site/');
  });

  it('requests an endpoint as it is named (a slash only where trailingSlash says and the name has no extension)', () => {
    expect(pageRequestUrl('/sitemap-1.xml', 'endpoint', settings('directory'))).toBe('http://localhost:4321/sitemap-1.xml');
    expect(pageRequestUrl('/sitemap-1.xml', 'endpoint', settings('directory', 'always'))).toBe('http://localhost:4321/sitemap-1.xml');
    expect(pageRequestUrl('/feed.json/', 'endpoint', settings('directory', 'never'))).toBe('http://localhost:4321/feed.json');
    expect(pageRequestUrl('/api/data', 'endpoint', settings('directory', 'always'))).toBe('http://localhost:4321/api/data/');
  });
});
