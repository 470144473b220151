// Preloaded with `node --import ./ingest/testing/record-modules.ts <entry> …`: records every module the process
// resolves (ESM imports and CommonJS requires alike) and, on exit, prints one line to stderr that
// loaded-modules.ts parses: which files were loaded and the peak RSS. Side effects only: never import it.
import { registerHooks } from 'node:module';
import { LOADED_MODULES_MARKER } from './loaded-modules.ts';

const urls = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    urls.add(resolved.url);
    return resolved;
  },
});
process.on('exit', () => {
  // stderr is synchronous for files and pipes, so the line is out before the process ends.
  process.stderr.write(`\n${LOADED_MODULES_MARKER}${JSON.stringify({ urls: [...urls], maxRssKiB: process.resourceUsage().maxRSS })}\n`);
});
