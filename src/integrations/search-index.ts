// Astro integration: every `astro build` writes Huaku's static search index (src/site/search/) under
// <client dir>/search-index/: entry.json names the current version's folder, whose files never change once
// written (a deploy keeps the previous folder for pages still open, so a query never mixes two builds).
// The index needs only the snapshot, so it is built while Astro renders, in a process of its own
// (./search-index-build.ts: its own heap and core, not the renderer's), into a staging folder under the
// cache dir; it moves into place when the build is done (Astro empties the output dir at the start).
import { spawn } from 'node:child_process';
import { cp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { SEARCH_DIR } from '../site/search/search-files.ts';
import type { SearchIndexBuildResult } from './search-index-build.ts';

export interface SearchIndexOptions {
  /** The snapshot the pages are built from (the content loaders' `snapshotDir`, from loadConfig()). */
  snapshotDir: string;
}

/** Run ./search-index-build.ts on `snapshotDir` into `outDir`; rejects with its output when it fails. */
function buildInChild(script: string, snapshotDir: string, outDir: string): Promise<SearchIndexBuildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, snapshotDir, outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    // A build that fails first exits without waiting for the index.
    const stop = () => child.kill();
    process.once('exit', stop);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      process.off('exit', stop);
      if (code !== 0) return reject(new Error(`the search index build failed (exit ${code}):\n${stderr.slice(-4000)}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as SearchIndexBuildResult);
    });
  });
}

/** Replace `target` with `source` (a rename, or a copy across file systems). */
async function moveDir(source: string, target: string): Promise<void> {
  await rm(target, { recursive: true, force: true });
  try {
    await rename(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await cp(source, target, { recursive: true });
    await rm(source, { recursive: true, force: true });
  }
}

export function searchIndex({ snapshotDir }: SearchIndexOptions): AstroIntegration {
  let script = '';
  let staging = '';
  let building: Promise<SearchIndexBuildResult> | undefined;
  let started = 0;
  const start = () => {
    started = performance.now();
    building = buildInChild(script, snapshotDir, staging);
    // Reported when build:done awaits it; a build that fails first never gets there.
    building.catch(() => {});
    return building;
  };
  return {
    name: 'huaku-search-index',
    hooks: {
      'astro:config:done': ({ config }) => {
        script = fileURLToPath(new URL('src/integrations/search-index-build.ts', config.root));
        staging = path.join(fileURLToPath(config.cacheDir), 'search-index-staging');
      },
      'astro:build:start': () => {
        start();
      },
      'astro:build:done': async ({ dir, logger }) => {
        try {
          const { docCount, files, version } = await (building ?? start());
          await moveDir(staging, path.join(fileURLToPath(dir), SEARCH_DIR));
          logger.info(`search index: ${docCount} documents in ${files} files (${version}), ready ${Math.round(performance.now() - started)} ms after the build started`);
        } finally {
          building = undefined;
        }
      },
    },
  };
}
