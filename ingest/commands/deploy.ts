import path from 'node:path';
import { UserFacingError } from '../../src/core/errors.ts';
import { deploySite, formatDeployResult } from '../deploy/deploy-site.ts';
import { SiteBucket } from '../deploy/site-bucket.ts';
import type { CommandRunner } from './command.ts';

/** `ingest deploy`: upload the built site (dist/client) to DEPLOY_BUCKET. */
export const deployCommand: CommandRunner = {
  async run({ config, flags, cwd, out }) {
    const deploy = config.daily.deploy;
    if (!deploy) throw new UserFacingError('DEPLOY_BUCKET is not set', { hint: 'set DEPLOY_BUCKET (and DEPLOY_S3_ENDPOINT or S3_ENDPOINT, S3_* credentials); see docs/operations.md' });
    const bucket = new SiteBucket(deploy);
    try {
      await bucket.ensure();
      const dir = path.resolve(cwd, typeof flags.dir === 'string' ? flags.dir : 'dist/client');
      const result = await deploySite({ bucket, dir, htmlMaxAge: deploy.htmlMaxAge, keepDays: deploy.keepDays });
      out(formatDeployResult(result, deploy.bucket));
      return 0;
    } finally {
      bucket.close();
    }
  },
};
