import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserFacingError } from '../../src/lib/errors.ts';
import type { Command, CommandContext } from './command.ts';
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

export const startCommand: Command = {
  name: 'start',
  summary: 'the main job on this machine: migrate the database, build the site, then serve it',
  usage: 'npm run start [-- --no-serve]',
  options: {
    serve: { type: 'boolean', default: true, description: 'serve the built site until Ctrl-C (--no-serve stops after the build)' },
  },
  async run(context) {
    const migrated = await migrateCommand.run(context);
    if (migrated !== 0) return migrated;
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
