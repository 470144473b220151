// Node 22–26 find the module format of every ESM `.js` file through its package scope, and on the way
// (getPackageScopeConfig spreads the package.json it read) parse that package's whole `exports` map again,
// once per file. drizzle-orm's map is 130 KB and a process that opens the store loads ~250 of its files:
// 1–1.7 CPU-seconds per process (each CLI run, server and test worker), against 0.2 s on Node 20 or with
// this hook. The packages below declare `"type": "module"`, so a relative `.js` import between their own
// files is known to be ESM: the hook answers it without the lookup; everything else resolves as usual.
//
// Imported first by each entry point (ingest/cli.ts, src/server/serve.ts, astro.config.mjs; the test
// workers through vitest.config.ts's execArgv), so it is in place before the store is imported.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Packages with a large `exports` map whose files import each other by relative `.js` paths. */
const TYPE_MODULE_PACKAGES = ['drizzle-orm'];

const REGISTERED = Symbol.for('huaku.esm-format-hint');
const processState = globalThis as { [REGISTERED]?: true };

/** The installed package's folder as a file URL, when its package.json declares ESM. */
function packageRootUrl(name: string): string | null {
  // Not require.resolve(`${name}/package.json`): an `exports` map need not export it.
  for (const nodeModules of createRequire(import.meta.url).resolve.paths(name) ?? []) {
    const manifestPath = path.join(nodeModules, name, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { type?: string };
    // Only a package that says its .js files are ESM: another one's would be misread.
    return manifest.type === 'module' ? pathToFileURL(path.dirname(manifestPath)).href + '/' : null;
  }
  return null; // not installed here: nothing to hint
}

if (!processState[REGISTERED]) {
  processState[REGISTERED] = true;
  const roots = TYPE_MODULE_PACKAGES.map(packageRootUrl).filter((root): root is string => root !== null);
  if (roots.length > 0) {
    registerHooks({
      resolve(specifier, context, nextResolve) {
        const parent = context.parentURL;
        if (parent && specifier.endsWith('.js') && (specifier.startsWith('./') || specifier.startsWith('../'))) {
          const root = roots.find((r) => parent.startsWith(r));
          if (root) {
            const url = new URL(specifier, parent).href;
            if (url.startsWith(root)) return { url, format: 'module', shortCircuit: true };
          }
        }
        return nextResolve(specifier, context);
      },
    });
  }
}
