import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserFacingError } from '../../src/core/errors.ts';
import { createBlobStore } from '../../src/core/blob/create-blob-store.ts';
import { createStore } from '../../src/core/store/create-store.ts';
import { runCivitaiCrawl } from '../sources/civitai/run-civitai-crawl.ts';
import { runLiblib } from '../sources/liblib/run-liblib.ts';
import { cachePaths } from '../sources/modelscope/cache-file.ts';
import { runTopLoras } from '../sources/modelscope/top-loras.ts';
import { writeSnapshot } from '../snapshot/write-snapshot.ts';
import { UsageError, type CommandRunner, type CommandContext } from './command.ts';
import { liblibRunOptions } from './liblib.ts';
import { migrateCommand } from './migrate.ts';
import { snapshotReport } from './snapshot.ts';
import { DEFAULT_TASK } from './toploras.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const distDir = path.join(projectRoot, 'dist');
const serverEntry = path.join(distDir, 'server/entry.mjs');
/** The HTTP server in front of the built app (routes /api before any static-file lookup; security headers). */
const serveScript = path.join(projectRoot, 'src/server/serve.ts');

async function buildSite({ out }: CommandContext): Promise<void> {
  out('building the site (astro build)…');
  const started = performance.now();
  const { build } = await import('astro');
  await build({ root: projectRoot, logLevel: 'warn' });
  out(`site built in ${((performance.now() - started) / 1000).toFixed(1)} s → dist/`);
}

/** Run the built server (src/server/serve.ts over the adapter's handler) until it exits or we are interrupted. */
function serveSite({ config, env, out }: CommandContext, extraEnv: Record<string, string> = {}): Promise<number> {
  if (!fs.existsSync(serverEntry)) {
    throw new UserFacingError(`no built site at ${serverEntry}`, { hint: 'run `npm run start` (or `npm run build`) first' });
  }
  const { host, port } = config.server;
  const child = spawn(process.execPath, [serveScript, distDir], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // HOST and PORT as configured here; everything else reaches the server's own loadConfig().
    env: { ...env, ...extraEnv, HOST: host, PORT: String(port) },
  });
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  out(`serving on http://${shownHost}:${port}/ (Ctrl-C to stop)`);
  const stop = () => child.kill('SIGTERM');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : (code ?? 1));
    });
  });
}

/** Civitai images the demo takes: enough for a gallery with NSFW levels to blur, quick to fetch. */
const DEMO_CIVITAI_IMAGES = 150;
/**
 * Top LoRAs the demo takes from the ModelScope fake, per task: text-to-image (its cross-posted LoRAs rank
 * first, so works link to them) and a few image-to-video ones, whose covers are clips (the site's video covers).
 */
const DEMO_LORA_TASKS = [
  { task: DEFAULT_TASK, limit: 20 },
  { task: 'image-to-video', limit: 4 },
] as const;

/**
 * The demo catalogue, from the bundled offline fakes (ours, so the request rate is raised): Liblib works,
 * Civitai images (None, Soft and Mature, through the `civitai images --catalog` path) and ModelScope's
 * Top-LoRAs (the `toploras` path). LoRAs go last: linking matches the works' LoRA references already stored.
 * Then the snapshot the site is built from.
 */
export async function ingestDemo(context: CommandContext, works: number): Promise<void> {
  const { config, log, out } = context;
  const [{ startFakeLiblib }, { startFakeCivitai }, { startFakeModelScope }] = await Promise.all([
    import('../../fakes/liblib/server.ts'), import('../../fakes/civitai/server.ts'), import('../../fakes/modelscope/server.ts'),
  ]);
  const liblib = await startFakeLiblib({ works: Math.max(1200, works + 100), now: Date.now() });
  const civitai = await startFakeCivitai({ busyRetryAfterSeconds: 0 });
  const modelscope = await startFakeModelScope();
  const store = await createStore(config.database);
  const blobs = createBlobStore(config.blob);
  const rps = 400;
  try {
    out(`ingesting up to ${works} works from the offline Liblib fake at ${liblib.origin} …`);
    const options = liblibRunOptions(config, {}, 'crawl');
    await runLiblib(
      { config: { ...config, ingest: { ...config.ingest, liblibApiBase: liblib.apiBaseUrl } }, store, blobs, log, out },
      { ...options, rps, crawl: { ...options.crawl, maxWorks: works, concurrency: { ...options.crawl.concurrency, detail: 8, media: 8 } } },
    );

    out(`ingesting up to ${DEMO_CIVITAI_IMAGES} images from the offline Civitai fake at ${civitai.origin} …`);
    await runCivitaiCrawl(
      { config: { ...config, ingest: { ...config.ingest, civitai: { apiBase: civitai.apiBaseUrl, apiKey: undefined } } }, store, blobs, log, out },
      {
        command: 'crawl',
        rps,
        maxAttempts: config.ingest.maxAttempts,
        crawl: {
          filters: { sort: 'Newest' },
          // Soft and Mature too, so the site has works to blur (X stays out of the demo).
          levels: ['None', 'Soft', 'Mature'],
          limit: DEMO_CIVITAI_IMAGES,
          pageSize: 100,
          concurrency: { list: 1, models: 4, media: 8 },
        },
      },
    );

    const baseDir = config.dataDir;
    for (const { task, limit } of DEMO_LORA_TASKS) {
      out(`ingesting the top ${limit} ${task} LoRAs from the offline ModelScope fake at ${modelscope.origin} …`);
      const lorasRun = await runTopLoras(
        { config: { ...config, ingest: { ...config.ingest, rps, modelscope: { apiBase: modelscope.apiBaseUrl, apiToken: undefined } } }, log, store, blobs },
        // The first task's cache keeps its usual name; the others get theirs beside it (perTaskCache).
        { task, limit, forceRefresh: true, covers: true, baseDir, ...cachePaths({ task, baseDir, cacheFile: 'demo-cache/top_loras.json', imagesDir: 'demo-cache/images', perTaskCache: task !== DEFAULT_TASK }) },
      );
      out(`  ${lorasRun.results.length} LoRAs, ${lorasRun.catalogue?.links.links.length ?? 0} work references linked`);
    }

    const started = performance.now();
    const snapshot = await writeSnapshot(store, blobs, config.snapshotDir, new Date(), { thumbnailWidths: config.ingest.thumbnailWidths });
    for (const line of snapshotReport(snapshot, performance.now() - started)) out(line);
  } finally {
    await Promise.all([liblib.close(), civitai.close(), modelscope.close()]);
    await store.close();
    await blobs.close();
  }
}

export const startCommand: CommandRunner = {
  async run(context) {
    const migrated = await migrateCommand.run(context);
    if (migrated !== 0) return migrated;
    if (context.flags.demo !== false) {
      const works = Number(context.flags['demo-works'] ?? 1000);
      if (!Number.isInteger(works) || works < 1) throw new UsageError(`--demo-works "${String(context.flags['demo-works'])}": expected a whole number ≥ 1`);
      await ingestDemo(context, works);
    }
    await buildSite(context);
    if (context.flags.serve === false) {
      context.out('done (not serving: --no-serve).');
      return 0;
    }
    if (context.flags.demo === false) return serveSite(context);
    // The demo generates on the offline fakes of ModelScope API-Inference, A1111 and ComfyUI (no GPU, no
    // token): they live as long as the server, which gets their URLs in place of the configured providers.
    const { startDemoGenerationFakes } = await import('../../fakes/generation-demo/server.ts');
    const fakes = await startDemoGenerationFakes();
    context.out(`demo generation: providers ${fakes.env.GENERATION_PROVIDERS} run on offline fakes (images stamped “DEMO 演示输出”; --no-demo uses GENERATION_PROVIDERS)`);
    try {
      return await serveSite(context, fakes.env);
    } finally {
      await fakes.close();
    }
  },
};

export const serveCommand: CommandRunner = {
  run: (context) => serveSite(context),
};
