// The messages between the build process (./render-pool.ts) and its render processes (./render-child.ts),
// over Node's IPC channel. Only paths and small results travel: a render process writes its pages itself.

/** What the build environment of a render process needs that only the build process knows (see render-child.ts). */
export interface RenderChildInit {
  type: 'init';
  /** file: URL of the prerender bundle's entry (it exports `app`, Astro's BuildApp). */
  entryUrl: string;
  /** Each page's stylesheets, by page key (Astro's PageBuildData.key → PageBuildData.styles). */
  pageStyles: Array<[key: string, styles: unknown[]]>;
  /** The injected scripts of the build (AstroSettings.scripts): head-inline ones are part of every page. */
  scripts: unknown[];
  /** Answer `ready` with every prerendered path (one process lists them for the build process). */
  listPaths: boolean;
}

/** A route by its identity in the manifest (the same in the build process and in the bundle). */
export interface RouteKey {
  /** RouteData.route, e.g. /artwork/[id] */
  route: string;
  /** RouteData.component, e.g. src/pages/artwork/[id]/index.astro */
  component: string;
}

/** One string for a route's identity (a map key on both sides of the channel). */
export function routeKeyOf({ route, component }: RouteKey): string {
  return `${route}\u0000${component}`;
}

/** A prerendered path as Astro's StaticPaths lists it, its route by key. */
export interface ListedPath {
  pathname: string;
  route: RouteKey;
}

/** One page (or endpoint file) to render and write. */
export interface PageJob {
  /** The request URL Astro would render it with (its build format's trailing slash included). */
  url: string;
  /** Where Astro would write it (absolute path). */
  outFile: string;
  route: RouteKey;
}

export interface RenderBatch {
  type: 'batch';
  pages: PageJob[];
}

export type ParentMessage = RenderChildInit | RenderBatch;

export interface ReadyMessage {
  type: 'ready';
  /** Every prerendered path, when init asked for them (listPaths). */
  paths?: ListedPath[];
}

export interface BatchDoneMessage {
  type: 'batch-done';
  /** URLs of pages that answered without a body: no file is written for them (as Astro does). */
  empty: string[];
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export interface FailedMessage {
  type: 'failed';
  /** The page that failed; absent when the process could not start (bad entry, init error). */
  url?: string;
  error: SerializedError;
}

export type ChildMessage = ReadyMessage | BatchDoneMessage | FailedMessage;

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

/** An Error with the render process's message after `context`, and its stack (naming the page's own source). */
export function deserializeError(error: SerializedError, context: string): Error {
  const revived = new Error(`${context}: ${error.message}`);
  revived.name = error.name;
  if (error.stack) revived.stack = `${revived.name}: ${revived.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
  return revived;
}
