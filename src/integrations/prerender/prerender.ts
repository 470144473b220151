// Astro integration: how prerendered pages are rendered.
// 1. To one string each instead of a stream. Astro streams a page when the build is "server-like" (any
//    adapter, here the Node one for the API routes and on-demand pages), and a prerendered page is then
//    assembled from a ReadableStream that encodes every small render chunk on its own: in a CPU profile of
//    a 10k-work build that stream (TextEncoder calls, promise jobs, GC) was a large part of the rendering.
//    Astro itself renders strings for static-only builds ("writing strings is faster",
//    core/build/environment.js); this does the same here. On-demand pages (the adapter's server) keep
//    streaming. The string is encoded with encodeInto() (./page-encoding.ts).
// 2. In render processes beside the build process (./render-pool.ts; `renderProcesses`, one per core by
//    default): Astro's page generation is one thread, and a 10k-work build spent most of its time there
//    with the machine's other core idle. The processes fork when the build starts; once Astro has written
//    the prerender bundle, each loads it and the first lists the paths with Astro's own StaticPaths (so this
//    process never loads the snapshot); pages and endpoints go to the processes in batches, and each renders
//    with the same bundle and writes where Astro would (./page-output.ts). Astro renders the rest itself
//    (redirects, fallbacks, a path two routes claim, one a public file stands for) and records every page
//    as its own (the page list of `astro:build:done`). The files are the same either way (a 1k-work build
//    compared file by file with SITE_BUILD_RENDER_PROCESSES=0 and 2).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readdir } from 'node:fs/promises';
import type { AstroIntegration, AstroPrerenderer, PathWithRoute, RouteData } from 'astro';
import { pageEncodingPlugin } from './page-encoding.ts';
import { isDelegableFormat, pageOutFile, pageRequestUrl, type PageOutputSettings } from './page-output.ts';
import { routeKeyOf, type ListedPath, type PageJob } from './render-protocol.ts';
import { RenderPool } from './render-pool.ts';

export interface PrerenderOptions {
  /** Render processes beside the build process; 0 renders every page in it. */
  renderProcesses: number;
}

/** The part of the default prerenderer's app this relies on (astro/dist/core/build/app.js's BuildApp). */
interface BuildApp {
  manifest: { routes: Array<{ routeData: RouteData }> };
  resolveStreaming(): boolean | undefined;
  getOptions(): {
    allPages: Record<string, { key: string; styles: unknown[] }>;
    settings: {
      scripts: unknown[];
      buildOutput?: string;
      adapter?: { adapterFeatures?: { preserveBuildClientDir?: boolean; staticHeaders?: boolean } };
      config: {
        base: string;
        trailingSlash: 'always' | 'never' | 'ignore';
        outDir: URL;
        publicDir: URL;
        build: { format: string; client: URL };
        experimental: { incrementalBuild?: unknown };
      };
    };
    origin: string;
    pageNames: string[];
    logger: { info(label: string, message: string): void };
  };
}

const PRERENDER_ENTRY = /^prerender-entry\..*\.mjs$/;

export function prerender({ renderProcesses }: PrerenderOptions): AstroIntegration {
  let childScript = '';
  let prerenderOutDir = '';
  return {
    name: 'huaku:prerender',
    hooks: {
      'astro:config:setup': ({ updateConfig }) => {
        updateConfig({ vite: { plugins: [pageEncodingPlugin()] } });
      },
      'astro:config:done': ({ config }) => {
        childScript = fileURLToPath(new URL('src/integrations/prerender/render-child.ts', config.root));
      },
      // Setting a prerenderer makes Astro leave the prerender bundle's entry to the adapter (one that brings
      // its own prerenderer also builds its own entry); this one wraps the default, so it keeps Astro's.
      'astro:build:setup': ({ vite }) => {
        const build = vite.environments?.prerender?.build;
        if (!build?.rolldownOptions || !build.outDir) throw new Error('huaku:prerender: no prerender environment in the build config (Astro changed?)');
        build.rolldownOptions.input ??= 'astro/entrypoints/prerender';
        prerenderOutDir = build.outDir;
      },
      'astro:build:start': ({ setPrerenderer }) => {
        // Forked now, so the processes boot while Astro syncs content and bundles.
        const forked = renderProcesses > 0 ? RenderPool.fork({ script: childScript, processes: renderProcesses }) : undefined;
        setPrerenderer((defaultPrerenderer) => {
          let app: BuildApp;
          let pool: RenderPool | undefined;
          let listed: Promise<ListedPath[]> | undefined;
          let delegated: { pages: PageJob[]; paths: PathWithRoute[]; done: Promise<{ empty: string[] }> } | undefined;
          const prerenderer: AstroPrerenderer = {
            ...defaultPrerenderer,
            name: 'huaku:prerender',
            async setup() {
              await defaultPrerenderer.setup?.();
              const defaultApp = (defaultPrerenderer as { app?: BuildApp }).app;
              if (!defaultApp || typeof defaultApp.resolveStreaming !== 'function' || typeof defaultApp.getOptions !== 'function') {
                forked?.close();
                throw new Error("huaku:prerender: Astro's default prerenderer has no app.resolveStreaming/getOptions (Astro changed?)");
              }
              app = defaultApp;
              app.resolveStreaming = () => false;
              if (!forked) return;
              const { settings } = app.getOptions();
              // Not where Astro records more per page than the file: the incremental build's cache, an
              // adapter's static headers.
              const delegable =
                isDelegableFormat(settings.config.build.format) && !settings.config.experimental.incrementalBuild && !settings.adapter?.adapterFeatures?.staticHeaders;
              if (!delegable) return forked.close();
              pool = forked;
              listed = startPool(pool, app, prerenderOutDir);
              // Awaited by getStaticPaths, next.
              listed.catch(() => {});
            },
            async getStaticPaths() {
              if (!pool || !listed) return defaultPrerenderer.getStaticPaths();
              // The first render process listed the paths (Astro's StaticPaths over the same bundle), so this
              // process never loads the snapshot for them.
              const paths = withRoutes(app, await listed);
              const { mine, theirs, pages } = splitPaths(paths, outputSettings(app), await publicFiles(app));
              const done = pool.renderAll(pages);
              // Reported by teardown (after Astro's own paths), unless the build fails first.
              done.catch(() => {});
              delegated = { pages, paths: theirs, done };
              return mine;
            },
            async teardown() {
              try {
                if (delegated) {
                  const { empty } = await delegated.done;
                  recordPages(app, delegated.paths, delegated.pages, new Set(empty));
                  // Astro logs a line per page it renders; these get one for all.
                  app.getOptions().logger.info('build', `${delegated.pages.length} pages rendered in ${renderProcesses} render processes (SITE_BUILD_RENDER_PROCESSES)`);
                }
              } finally {
                delegated = undefined;
                // The processes exit once their channel closes.
                pool?.close();
                pool = undefined;
                await defaultPrerenderer.teardown?.();
              }
            },
          };
          return prerenderer;
        });
      },
    },
  };
}

/** The listed paths with this process's own RouteData (Astro records output on them). */
function withRoutes(app: BuildApp, listed: ListedPath[]): PathWithRoute[] {
  const routes = new Map<string, RouteData>();
  for (const { routeData } of app.manifest.routes) {
    for (const route of [routeData, ...(routeData.fallbackRoutes ?? [])]) routes.set(routeKeyOf(route), route);
  }
  return listed.map(({ pathname, route: key }) => {
    const route = routes.get(routeKeyOf(key));
    if (!route) throw new Error(`huaku:prerender: a render process listed ${pathname} under ${key.route} (${key.component}), a route this build does not have`);
    return { pathname, route };
  });
}

/** Files of the public folder (relative paths): Astro skips a path whose output one of them already is. */
async function publicFiles(app: BuildApp): Promise<Set<string>> {
  const dir = fileURLToPath(app.getOptions().settings.config.publicDir);
  try {
    return new Set((await readdir(dir, { recursive: true })).map((name) => name.split(path.sep).join('/')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
}

/**
 * The paths the render processes take, as their jobs: pages and endpoints, but not a path two routes claim
 * (Astro reports or resolves that conflict itself), nor one a public file stands for (Astro skips it with a
 * warning), so both stay with Astro; nor redirects and fallbacks. `theirs` and `pages` are in step.
 */
export function splitPaths(
  paths: PathWithRoute[],
  output: PageOutputSettings,
  publicFiles: Set<string>,
): { mine: PathWithRoute[]; theirs: PathWithRoute[]; pages: PageJob[] } {
  const claims = new Map<string, number>();
  const normalized = (pathname: string) => pathname.replace(/\/+$/, '');
  for (const { pathname } of paths) claims.set(normalized(pathname), (claims.get(normalized(pathname)) ?? 0) + 1);
  const mine: PathWithRoute[] = [];
  const theirs: PathWithRoute[] = [];
  const pages: PageJob[] = [];
  for (const entry of paths) {
    const { pathname, route } = entry;
    const type = route.type;
    if ((type !== 'page' && type !== 'endpoint') || claims.get(normalized(pathname)) !== 1) {
      mine.push(entry);
      continue;
    }
    const outFile = pageOutFile(pathname, type, output);
    if (publicFiles.has(path.relative(output.outRoot, outFile).split(path.sep).join('/'))) {
      mine.push(entry);
      continue;
    }
    theirs.push(entry);
    pages.push({ url: pageRequestUrl(pathname, type, output), outFile, route: { route: route.route, component: route.component } });
  }
  return { mine, theirs, pages };
}

function outputSettings(app: BuildApp): PageOutputSettings {
  const { settings, origin } = app.getOptions();
  const { config } = settings;
  // astro/dist/core/build/common.js's getOutRoot.
  const clientRoot = settings.buildOutput !== 'static' || settings.adapter?.adapterFeatures?.preserveBuildClientDir;
  return {
    format: config.build.format as PageOutputSettings['format'],
    trailingSlash: config.trailingSlash,
    base: config.base,
    origin,
    outRoot: fileURLToPath(clientRoot ? config.build.client : config.outDir),
  };
}

/** What Astro records of a page it generated (generate.js's addPageName and route.distURL). */
function recordPages(app: BuildApp, paths: PathWithRoute[], pages: PageJob[], empty: Set<string>): void {
  const { settings, pageNames } = app.getOptions();
  const { trailingSlash, build } = settings.config;
  const appendSlash = trailingSlash === 'always' || (trailingSlash === 'ignore' && build.format === 'directory');
  paths.forEach(({ pathname, route }, i) => {
    pageNames.push(appendSlash ? pathname.replace(/\/?$/, '/').replace(/^\//, '') : pathname.replace(/^\//, ''));
    if (empty.has(pages[i]!.url)) return;
    (route.distURL ??= []).push(pathToFileURL(pages[i]!.outFile));
  });
}

/** Load the bundle in the pool's processes; resolves with every prerendered path (see RenderPool.start). */
async function startPool(pool: RenderPool, app: BuildApp, outDir: string): Promise<ListedPath[]> {
  const entry = (await readdir(outDir)).find((name) => PRERENDER_ENTRY.test(name));
  if (!entry) {
    pool.close();
    throw new Error(`huaku:prerender: no prerender-entry.*.mjs in ${outDir} (Astro changed?)`);
  }
  const { allPages, settings } = app.getOptions();
  return pool.start({
    entryUrl: pathToFileURL(path.join(outDir, entry)).href,
    pageStyles: Object.values(allPages).map((page) => [page.key, page.styles]),
    scripts: settings.scripts,
  });
}
