import { createBlobStore } from '../../src/core/blob/create-blob-store.ts';
import { describeConfig } from '../../src/core/env.ts';
import { UserFacingError, errorMessage } from '../../src/core/errors.ts';
import { pingRedis } from '../../src/server/cache/ping-redis.ts';
import { createStore } from '../../src/core/store/create-store.ts';
import { ffVersions } from '../../src/core/media/ffmpeg-binaries.ts';
import type { CommandRunner } from './command.ts';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function check(name: string, fn: () => Promise<string>): Promise<Check> {
  try {
    return { name, ok: true, detail: await fn() };
  } catch (error) {
    const detail = error instanceof UserFacingError ? error.format().replace(/\n\s*/g, ' ') : errorMessage(error);
    return { name, ok: false, detail };
  }
}

export const doctorCommand: CommandRunner = {
  async run({ config, env, out }) {
    out('Configuration (from the environment and .env; unset keys use their defaults):');
    const rows = describeConfig(env);
    const width = Math.max(...rows.map(([key]) => key.length));
    for (const [key, value] of rows) out(`  ${key.padEnd(width)}  ${value}`);
    out('');
    out(`Node ${process.version} (${process.execPath})`);

    const checks: Check[] = [];
    checks.push(
      await check(`database (${config.database.kind})`, async () => {
        const store = await createStore(config.database);
        try {
          const health = await store.ping();
          await store.assertMigrated();
          const where = config.database.kind === 'sqlite' ? config.database.file : `${config.database.host}:${config.database.port}/${config.database.database}`;
          return `reachable in ${health.ms} ms, migrated (${where})`;
        } finally {
          await store.close();
        }
      }),
    );
    checks.push(
      await check(`blob store (${config.blob.driver})`, async () => {
        const blobs = createBlobStore(config.blob);
        try {
          await blobs.ping();
          return config.blob.driver === 'local' ? `writable: ${config.blob.dir}` : `bucket ${config.blob.bucket} at ${config.blob.endpoint ?? 'AWS'}`;
        } finally {
          await blobs.close();
        }
      }),
    );
    if (config.redisUrl) {
      const url = config.redisUrl;
      checks.push(await check('redis', async () => {
        const { ms, version } = await pingRedis(url);
        return `reachable in ${ms} ms (Redis ${version ?? 'unknown version'})`;
      }));
    } else {
      checks.push({ name: 'redis', ok: true, detail: 'not configured (REDIS_URL empty): hot rank and counters come from the database' });
    }

    checks.push(
      await check('ffmpeg (video posters and previews)', async () => {
        const v = await ffVersions();
        const from = v.origin === 'system' ? 'system binaries' : 'npm static binaries (@ffmpeg-installer, @ffprobe-installer)';
        return `${from}: ${v.ffmpeg} (${v.paths.ffmpeg}); ${v.ffprobe} (${v.paths.ffprobe})`;
      }),
    );

    out('');
    out('Services:');
    for (const c of checks) out(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
    const failed = checks.filter((c) => !c.ok).length;
    out('');
    out(failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`);
    return failed === 0 ? 0 : 1;
  },
};
