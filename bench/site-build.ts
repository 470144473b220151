// Site build throughput: `astro build` of Huaku over a synthetic snapshot of N works, against a bare Astro
// project built in the same run with the same page count and a similar amount of HTML per page (one
// `[id].astro` with getStaticPaths, same Astro, node_modules symlinked). Prints pages/s of both, the ratio
// (target ≥ 0.8, issue 17 §8), and the peak RSS of the build processes (target < 1.5 GB for every process
// at 100k works: the build's own process, its render processes (../src/integrations/prerender/) and the
// search index's (../src/integrations/search-index-build.ts). Huaku's figure includes everything its build
// does after rendering (the search index). SITE_BUILD_RENDER_PROCESSES in the environment applies to it.
// --rounds N builds both N times, alternating (each with a fresh cache), and prints the median ratio: this
// machine's load moves a single build by a third between runs.
//   node bench/site-build.ts [--works 10000] [--loras 200] [--rounds 1] [--keep]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, makeWorkDir, withBuildLock } from '../tests/browser/harness.ts';
import { writeSyntheticSnapshot } from './synthetic-snapshot.ts';

const { values } = parseArgs({
  options: {
    works: { type: 'string', default: '10000' },
    loras: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const workCount = Number(values.works);
const loraCount = Number(values.loras);
const rounds = Number(values.rounds);
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error(`--rounds expects a whole number ≥ 1 (got ${values.rounds})`);
const TIME = '/usr/bin/time';

interface BuildRun {
  seconds: number;
  /** The largest process of the tree (GNU time), else the build process itself. */
  peakRssMb: number;
  /** The build process itself (its maxRSS at exit). */
  ownPeakRssMb: number;
  /**
   * CPU-seconds (user + system) of the whole tree (GNU time: the processes it started are waited for), else
   * undefined. Steadier than the wall time on a loaded machine: what a change saves shows here first.
   */
  cpuSeconds: number | undefined;
  output: string;
}

/**
 * Run `build()` from astro in a child node process and measure it. Peak RSS: GNU time's maximum resident
 * set size (the largest process of the tree: the build and the processes it started) when /usr/bin/time
 * exists, else the node process's own maxRSS; and the build process's own maxRSS, reported at exit.
 */
function measuredBuild(root: string, options: { outDir?: string; cacheDir?: string; env?: Record<string, string>; logLevel?: 'info' | 'warn' }): Promise<BuildRun> {
  const script = `
    import { build } from 'astro';
    process.on('exit', () => console.error('NODE_MAX_RSS_KB ' + process.resourceUsage().maxRSS));
    await build({ root: ${JSON.stringify(root)}, ${options.outDir ? `outDir: ${JSON.stringify(options.outDir)}, ` : ''}${options.cacheDir ? `cacheDir: ${JSON.stringify(options.cacheDir)}, ` : ''}logLevel: '${options.logLevel ?? 'warn'}' });
  `;
  const nodeArgs = ['--input-type=module', '-e', script];
  const [command, args] = existsSync(TIME) ? [TIME, ['-v', process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`build of ${root} failed (exit ${code}):\n${output.slice(-4000)}`));
      const timeKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(output)?.[1];
      const nodeKb = /NODE_MAX_RSS_KB (\d+)/.exec(output)?.[1];
      const user = /User time \(seconds\): ([\d.]+)/.exec(output)?.[1];
      const system = /System time \(seconds\): ([\d.]+)/.exec(output)?.[1];
      const cpuSeconds = user && system ? Number(user) + Number(system) : undefined;
      resolve({ seconds, peakRssMb: Number(timeKb ?? nodeKb ?? 0) / 1024, ownPeakRssMb: Number(nodeKb ?? 0) / 1024, cpuSeconds, output });
    });
  });
}

function cpu(run: BuildRun): string {
  return run.cpuSeconds === undefined ? '' : ` (${run.cpuSeconds.toFixed(1)} CPU-s)`;
}

/** The .html files under `dir` and their total size. */
async function htmlPages(dir: string): Promise<{ count: number; bytes: number; artworkBytes: number; artworkCount: number }> {
  let count = 0, bytes = 0, artworkBytes = 0, artworkCount = 0;
  for (const name of await readdir(dir, { recursive: true })) {
    if (!name.endsWith('.html')) continue;
    const size = (await stat(path.join(dir, name))).size;
    count += 1;
    bytes += size;
    if (name.startsWith('artwork/')) {
      artworkBytes += size;
      artworkCount += 1;
    }
  }
  return { count, bytes, artworkBytes, artworkCount };
}

/** A bare Astro project: one dynamic page rendered `pages` times with about `bytesPerPage` of HTML each. */
async function writeBareProject(dir: string, pages: number, bytesPerPage: number): Promise<void> {
  await mkdir(path.join(dir, 'src', 'pages'), { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'bare-astro-bench', private: true, type: 'module' }));
  await writeFile(path.join(dir, 'astro.config.mjs'), "export default { output: 'static' };\n");
  // Paragraphs of mixed Chinese/English text, varied by the page id, until the page is about the target size.
  const paragraph = '赛博朋克城市夜景，超高清，电影感光影。masterpiece, best quality, ultra detailed, cinematic lighting. ';
  const paragraphsPerPage = Math.max(1, Math.round(bytesPerPage / Buffer.byteLength(`<p>${paragraph} 12345</p>`)));
  await writeFile(
    path.join(dir, 'src', 'pages', '[id].astro'),
    `---
export function getStaticPaths() {
  return Array.from({ length: ${pages} }, (_, i) => ({ params: { id: String(i + 1) } }));
}
const { id } = Astro.params;
const paragraphs = Array.from({ length: ${paragraphsPerPage} }, (_, i) => \`${paragraph} \${id}-\${i}\`);
---
<!doctype html>
<html lang="zh-CN">
  <head><meta charset="utf-8" /><title>Page {id}</title><meta name="description" content={\`Page \${id}\`} /></head>
  <body><main><h1>Page {id}</h1>{paragraphs.map((text) => <p>{text}</p>)}</main></body>
</html>
`,
  );
}

const work = await makeWorkDir('huaku-site-build-');
try {
  const snapshotDir = path.join(work.dir, 'snapshot');
  const started = performance.now();
  const sizes = await writeSyntheticSnapshot(snapshotDir, { works: workCount, loras: loraCount });
  console.log(`synthetic snapshot: ${sizes.works} works, ${sizes.authors} authors, ${sizes.loras} LoRAs, written in ${((performance.now() - started) / 1000).toFixed(1)} s (test writer)`);

  const outDir = path.join(work.dir, 'dist');
  const bareDir = path.join(work.dir, 'bare');
  const ratios: number[] = [];
  let peakRssMb = 0;
  for (let round = 1; round <= rounds; round += 1) {
    const label = rounds > 1 ? ` (round ${round}/${rounds})` : '';
    const cacheDir = path.join(work.dir, 'astro-cache');
    await rm(cacheDir, { recursive: true, force: true });
    const huaku = await withBuildLock(() =>
      measuredBuild(REPO_ROOT, { outDir, cacheDir, env: { SNAPSHOT_DIR: snapshotDir, LOG_LEVEL: 'warn' }, logLevel: 'info' }),
    );
    // Where Huaku's time goes: Astro's phase lines and the search index line (info level; per-page lines dropped).
    for (const line of huaku.output.split('\n')) {
      if (/Synced content|Generated \d|built in|Completed in|search index:|Server built in|render processes/.test(line)) console.log(`  huaku build: ${line.trim()}`);
    }
    const built = await htmlPages(path.join(outDir, 'client'));
    const artworkAverage = built.artworkCount > 0 ? built.artworkBytes / built.artworkCount : built.bytes / built.count;
    const huakuPps = built.count / huaku.seconds;
    peakRssMb = Math.max(peakRssMb, huaku.peakRssMb);
    console.log(`huaku${label}: ${built.count} pages (${built.artworkCount} artwork pages, ${(artworkAverage / 1024).toFixed(1)} KB each on average) in ${huaku.seconds.toFixed(1)} s${cpu(huaku)} → ${huakuPps.toFixed(1)} pages/s, peak RSS ${huaku.peakRssMb.toFixed(0)} MB (build process ${huaku.ownPeakRssMb.toFixed(0)} MB)`);

    if (round === 1) {
      await writeBareProject(bareDir, built.count, artworkAverage);
      await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(bareDir, 'node_modules'), 'dir');
    }
    // The same log level as Huaku's build: at info Astro writes two lines per page (~4% of a 3k-work build's
    // page generation in a CPU profile), which the bare build must pay too for the ratio to compare builds.
    const bareCacheDir = path.join(work.dir, 'bare-astro-cache');
    await rm(bareCacheDir, { recursive: true, force: true });
    const bare = await measuredBuild(bareDir, { cacheDir: bareCacheDir, logLevel: 'info' });
    const bareBuilt = await htmlPages(path.join(bareDir, 'dist'));
    const barePps = bareBuilt.count / bare.seconds;
    console.log(`bare astro${label}: ${bareBuilt.count} pages (${(bareBuilt.bytes / bareBuilt.count / 1024).toFixed(1)} KB each on average) in ${bare.seconds.toFixed(1)} s${cpu(bare)} → ${barePps.toFixed(1)} pages/s, peak RSS ${bare.peakRssMb.toFixed(0)} MB`);
    ratios.push(huakuPps / barePps);
    if (rounds > 1) console.log(`ratio${label}: ${ratios.at(-1)!.toFixed(2)}`);
  }

  const sorted = [...ratios].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const ratio = sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const spread = rounds > 1 ? ` (median of ${rounds} rounds; ${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)})` : '';
  console.log(`ratio huaku/bare pages per second: ${ratio.toFixed(2)}${spread} (target ≥ 0.8) ${ratio >= 0.8 ? 'OK' : 'BELOW TARGET'}`);
  const peakGb = peakRssMb / 1024;
  console.log(`huaku peak RSS of any build process at ${workCount} works: ${peakGb.toFixed(2)} GB (target < 1.5 GB at 100k works) ${peakGb < 1.5 ? 'OK' : 'ABOVE TARGET'}`);
  if (values.keep) console.log(`kept ${work.dir}`);
} finally {
  if (!values.keep) await work.cleanup();
}
