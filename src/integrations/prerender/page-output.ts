// Where Astro's static generation requests and writes a page or an endpoint's file
// (astro/dist/core/build/generate.js's getUrlForPath, common.js's getOutFolder/getOutFile), for the two
// build formats a render process takes: 'directory' (Astro's default: /artwork/1/ → artwork/1/index.html)
// and 'file' (/artwork/1 → artwork/1.html). ./page-output.test.ts checks these against Astro's own.
import path from 'node:path';

export type DelegableFormat = 'directory' | 'file';
/** The route types a render process takes (RouteData.type). */
export type DelegableRouteType = 'page' | 'endpoint';

export interface PageOutputSettings {
  format: DelegableFormat;
  trailingSlash: 'always' | 'never' | 'ignore';
  /** config.base, e.g. '/' */
  base: string;
  /** The origin Astro builds request URLs on (StaticBuildOptions.origin). */
  origin: string;
  /** The folder pages are written under (the client folder of a server build, else outDir), absolute. */
  outRoot: string;
}

/** Astro's own error pages are written beside their folder, not into one (404.html, not 404/index.html). */
const STATUS_CODE_PAGES = new Set(['/404', '/500']);

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '');

export function isDelegableFormat(format: string): format is DelegableFormat {
  return format === 'directory' || format === 'file';
}

/** The URL Astro renders a path at (with the format's ending for a page, as it is for an endpoint). */
export function pageRequestUrl(pathname: string, type: DelegableRouteType, settings: PageOutputSettings): string {
  const { base, format, trailingSlash } = settings;
  const joined = (relative: string) => `${base.replace(/\/+$/, '')}/${relative}`;
  let requestPath: string;
  if (pathname === '/' || pathname === '') {
    requestPath = format === 'file' ? joined('index.html') : (base + (trailingSlash === 'never' ? '' : '/')).replace(/\/{2,}$/, trailingSlash === 'never' ? '' : '/') || '/';
  } else if (type === 'endpoint') {
    requestPath = joined(pathname.replace(/^\//, ''));
    if (trailingSlash === 'always' && !/\.[^/]+$/.test(pathname)) requestPath = requestPath.replace(/\/?$/, '/');
    else if (trailingSlash === 'never') requestPath = requestPath.replace(/\/$/, '');
  } else {
    requestPath = joined(`${trimSlashes(pathname)}${format === 'file' ? '.html' : trailingSlash === 'never' ? '' : '/'}`);
  }
  return new URL(requestPath, settings.origin).href;
}

/** The file Astro writes a path's answer to (absolute). */
export function pageOutFile(pathname: string, type: DelegableRouteType, settings: PageOutputSettings): string {
  const relative = trimSlashes(pathname);
  if (type === 'endpoint') return path.join(settings.outRoot, relative);
  if (settings.format === 'directory' && !STATUS_CODE_PAGES.has(pathname)) return path.join(settings.outRoot, relative, 'index.html');
  return path.join(settings.outRoot, `${relative || 'index'}.html`);
}
