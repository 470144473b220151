// Build the site from a snapshot directory into an output directory, holding the same cross-process
// build lock as the browser tests (two `astro build`s at once race on the repo's .astro/ folder).
//   node tests/browser/build-cli.ts <snapshotDir> <outDir>
import path from 'node:path';
import { buildSite } from './harness.ts';

const [snapshotDir, outDir] = process.argv.slice(2);
if (!snapshotDir || !outDir) {
  console.error('usage: node tests/browser/build-cli.ts <snapshotDir> <outDir>');
  process.exit(2);
}
const out = path.resolve(outDir);
const result = await buildSite({ outDir: out, cacheDir: `${out}.cache`, env: { SNAPSHOT_DIR: path.resolve(snapshotDir) } });
console.log(result.output.trim());
console.log(`built in ${result.ms} ms → ${out}`);
