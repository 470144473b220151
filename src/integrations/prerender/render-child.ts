// A render process of the site build (./render-pool.ts forks it): loads the prerender bundle Astro just
// wrote, then renders and writes the batches of pages it is sent, answering each batch when its files are
// written. It runs the same bundle the build process renders with (Astro's BuildApp), so a page is the
// same wherever it renders.
//
// Astro's build environment reads two things the bundle does not hold: each page's stylesheets (from the
// build's internals) and the injected head scripts (from its settings). The build process sends both.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StaticPaths, type StaticPathsApp } from 'astro/runtime/prerender/static-paths.js';
import { loadConfig } from '../../core/env.ts';
import { preloadSnapshotWorks } from '../../core/snapshot/preloaded-works.ts';
import { pageResponses } from './page-response.ts';
import { routeKeyOf, serializeError, type ChildMessage, type ListedPath, type PageJob, type ParentMessage, type RenderChildInit, type RouteKey } from './render-protocol.ts';

/** The part of Astro's BuildApp (astro/dist/core/build/app.js) a render process uses. */
interface PrerenderApp {
  manifest: { routes: Array<{ routeData: RouteKey }> };
  logger: { options: { destination: unknown } };
  setInternals(internals: unknown): void;
  setOptions(options: unknown): void;
  resolveStreaming(): boolean | undefined;
  render(request: Request, options: { routeData: unknown }): Promise<Response>;
}

interface Renderer {
  app: PrerenderApp;
  routes: Map<string, RouteKey>;
}

// Installed as the process's Response, so the bundle's pages construct it: a page's bytes are kept, not copied.
const { PageResponse, keptBytes } = pageResponses();
globalThis.Response = PageResponse;

function send(message: ChildMessage): void {
  process.send!(message);
}

async function start(init: RenderChildInit): Promise<{ renderer: Renderer; paths: ListedPath[] }> {
  const entry = (await import(init.entryUrl)) as { app?: PrerenderApp };
  const app = entry.app;
  if (!app || typeof app.render !== 'function' || typeof app.setInternals !== 'function' || typeof app.setOptions !== 'function') {
    throw new Error(`${init.entryUrl} exports no Astro BuildApp as \`app\` (Astro changed?)`);
  }
  // Only what the build environment's headElements() reads (astro/dist/core/build/environment.js); a
  // page-stage injected script would need the bundle map too, and fails loudly without it (Huaku has none).
  app.setInternals({
    pagesByKeys: new Map(init.pageStyles.map(([key, styles]) => [key, { styles }])),
    entrySpecifierToBundleMap: new Map(),
  });
  app.setOptions({ settings: { scripts: init.scripts }, logger: { options: { destination: app.logger.options.destination } } });
  // Strings, not streams, as in the build process (./prerender.ts).
  app.resolveStreaming = () => false;
  // Every route's getStaticPaths (Astro's own listing, as the build process would run it): the data the
  // pages need is loaded before the first batch, and one process's list is the build's.
  const listed = await new StaticPaths(app as unknown as StaticPathsApp).getAll();
  const paths = listed.map(({ pathname, route }) => ({ pathname, route: { route: route.route, component: route.component } }));
  return { renderer: { app, routes: new Map(app.manifest.routes.map(({ routeData }) => [routeKeyOf(routeData), routeData])) }, paths };
}

/** Render one page to its bytes, or null when it has no body (no file, as Astro does). */
async function renderPage({ app, routes }: Renderer, page: PageJob): Promise<Uint8Array | null> {
  const routeData = routes.get(routeKeyOf(page.route));
  if (!routeData) throw new Error(`no route ${page.route.route} (${page.route.component}) in the prerender bundle`);
  const response = await app.render(new Request(page.url), { routeData });
  if (response.status >= 300 && response.status < 400) {
    // Astro writes a redirect page for these; only the build process does (see prerender.ts's `delegable`).
    throw new Error(`answered ${response.status} (a redirect): a page that may redirect must render in the build process`);
  }
  const bytes = keptBytes(response);
  if (bytes) return bytes;
  // An endpoint's string or stream, or no body at all (no file, as Astro does).
  if (response.body === null) return null;
  return new Uint8Array(await response.arrayBuffer());
}

async function renderBatch(renderer: Renderer, pages: PageJob[]): Promise<void> {
  const empty: string[] = [];
  for (const page of pages) {
    try {
      const body = await renderPage(renderer, page);
      if (body === null) {
        empty.push(page.url);
        continue;
      }
      // Synchronous: this process does nothing else meanwhile, and a page is one small write (the
      // asynchronous calls' thread-pool round trips cost more than the writes in a profile).
      writeFileCreatingDir(page.outFile, body);
    } catch (error) {
      send({ type: 'failed', url: page.url, error: serializeError(error) });
      return;
    }
  }
  send({ type: 'batch-done', empty });
}

function writeFileCreatingDir(file: string, body: Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
}

let renderer: Promise<Renderer> | undefined;

// While Astro bundles (it forks this process at build start), read the snapshot's works the pages will
// need; the bundle's reader takes them (src/core/snapshot/preloaded-works.ts). A bad configuration or
// snapshot is reported by the build process and the bundle as usual.
try {
  preloadSnapshotWorks(loadConfig().snapshotDir);
} catch {
  // The bundle reads the configuration itself and reports what is wrong with it.
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'init') {
    const started = start(message);
    renderer = started.then((ready) => ready.renderer);
    // A failed start is reported below; no batch comes after it.
    renderer.catch(() => {});
    started.then(
      ({ paths }) => send({ type: 'ready', paths: message.listPaths ? paths : undefined }),
      (error: unknown) => send({ type: 'failed', error: serializeError(error) }),
    );
    return;
  }
  if (!renderer) throw new Error('a batch before init');
  void renderer.then((ready) => renderBatch(ready, message.pages));
});
// The build process is done with us (or gone).
process.on('disconnect', () => process.exit(0));
