import path from 'node:path';
import { UserFacingError } from '../../src/core/errors.ts';
import { startBucketSiteServer } from '../deploy/bucket-site-server.ts';
import { deploySite, formatDeployResult } from '../deploy/deploy-site.ts';
import { SiteBucket } from '../deploy/site-bucket.ts';
import type { CommandRunner } from './command.ts';
import { UsageError } from './command.ts';
import { positiveInt } from './flag-values.ts';

/** `ingest deploy`: upload the built site (dist/client) to DEPLOY_BUCKET; `--preview` serves the bucket instead. */
export const deployCommand: CommandRunner = {
  async run({ config, flags, cwd, out }) {
    const deploy = config.daily.deploy;
    if (!deploy) throw new UserFacingError('DEPLOY_BUCKET is not set', { hint: 'set DEPLOY_BUCKET (and DEPLOY_S3_ENDPOINT or S3_ENDPOINT, S3_* credentials); see docs/operations.md' });
    const port = positiveInt('port', flags.port, 4322, 65_535);
    const origin = typeof flags.origin === 'string' ? flags.origin : undefined;
    if (origin !== undefined && !/^https?:\/\/[^/]+\/?$/.test(origin)) throw new UsageError(`--origin "${origin}": expected a server's base URL (e.g. http://127.0.0.1:4321)`);
    const bucket = new SiteBucket(deploy);
    try {
      await bucket.ensure();
      if (flags.preview) return await preview(bucket, port, origin, out);
      const dir = path.resolve(cwd, typeof flags.dir === 'string' ? flags.dir : 'dist/client');
      const result = await deploySite({ bucket, dir, htmlMaxAge: deploy.htmlMaxAge, keepDays: deploy.keepDays });
      out(formatDeployResult(result, deploy.bucket));
      return 0;
    } finally {
      bucket.close();
    }
  },
};

/** Serve the bucket until Ctrl-C (or SIGTERM). */
async function preview(bucket: SiteBucket, port: number, origin: string | undefined, out: (line: string) => void): Promise<number> {
  const server = await startBucketSiteServer({ bucket, port, ...(origin ? { origin } : {}) });
  out(`preview of ${bucket.name} at ${server.url}/${origin ? ` (community paths → ${origin})` : ''}; Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
  return 0;
}
