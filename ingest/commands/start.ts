import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserFacingError } from '../../src/lib/errors.ts';
import { createBlobStore } from '../../src/lib/blob/create-blob-store.ts';
import { createStore } from '../../src/lib/store/create-store.ts';
import { runLiblib } from '../sources/liblib/run-liblib.ts';
import { writeSnapshot } from '../snapshot/write-snapshot.ts';
import { UsageError, type Command, type CommandContext } from './command.ts';
import { liblibRunOptions } from './liblib.ts';
import { migrateCommand } from './migrate.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const serverEntry = path.join(projectRoot, 'dist/server/entry.mjs');

async function buildSite({ out }: CommandContext): Promise<void> {
  out('building the site (astro build)…');
  const started = performance.now();
  const { build } = await import('astro');
  await build({ root: projectRoot, logLevel: 'warn' });
  out(`site built in ${((performance.now() - started) / 1000).toFixed(1)} s → dist/`);
}

/** Run the built server (Astro's Node adapter, standalone) until it exits or we are interrupted. */
function serveSite({ config, env, out }: CommandContext): Promise<number> {
  if (!fs.existsSync(serverEntry)) {
    throw new UserFacingError(`no built site at ${serverEntry}`, { hint: 'run `npm run start` (or `npm run build`) first' });
  }
  const { host, port } = config.server;
  const child = spawn(process.execPath, [serverEntry], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // The adapter reads HOST and PORT itself; everything else reaches the server's own loadConfig().
    env: { ...env, HOST: host, PORT: String(port) },
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

/** Crawl the bundled offline fake of Liblib (the fake is ours, so the rate is raised). */
async function ingestDemo(context: CommandContext, works: number): Promise<void> {
  const { config, log, out } = context;
  const { startFakeLiblib } = await import('../../fakes/liblib/server.ts');
  const fake = await startFakeLiblib({ works: Math.max(1200, works + 100), now: Date.now() });
  const store = createStore(config.database);
  const blobs = createBlobStore(config.blob);
  try {
    out(`ingesting up to ${works} works from the offline Liblib fake at ${fake.origin} …`);
    const options = liblibRunOptions(config, {}, 'crawl');
    await runLiblib(
      { config: { ...config, ingest: { ...config.ingest, liblibApiBase: fake.apiBaseUrl } }, store, blobs, log, out },
      { ...options, rps: 400, crawl: { ...options.crawl, maxWorks: works, concurrency: { ...options.crawl.concurrency, detail: 8, media: 8 } } },
    );
    const snapshot = await writeSnapshot(store, blobs, config.snapshotDir);
    out(`snapshot: ${snapshot.works} works → ${snapshot.dir}`);
  } finally {
    await fake.close();
    await store.close();
    await blobs.close();
  }
}

export const startCommand: Command = {
  name: 'start',
  summary: 'the main job on this machine: migrate, ingest the offline demo data, snapshot, build the site, then serve it',
  usage: 'npm run start [-- --no-serve] [--no-demo] [--demo-works 1000]',
  options: {
    serve: { type: 'boolean', default: true, description: 'serve the built site until Ctrl-C (--no-serve stops after the build)' },
    demo: { type: 'boolean', default: true, description: 'ingest from the bundled offline Liblib fake before building (--no-demo builds from the current snapshot)' },
    'demo-works': { type: 'string', default: '1000', description: 'how many works the demo ingest takes' },
  },
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
    return serveSite(context);
  },
};

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the already built site and API (dist/) on HOST:PORT',
  usage: 'npm run serve',
  options: {},
  run: serveSite,
};
