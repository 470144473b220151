import { configDefaults, defineConfig } from 'vitest/config';

/** CLI tests: the command line and its commands, run as a user would. */
const CLI = ['ingest/cli.test.ts', 'ingest/commands/*.test.ts', 'ingest/sources/liblib/liblib-resume.test.ts', 'ingest/sources/liblib/liblib-daily.test.ts'];
/** Contract suites: one behaviour spec run against every implementation (SQLite and MariaDB; local and S3 blobs). */
const CONTRACT = ['src/core/store/**/*.test.ts', 'src/core/blob/*-blob-store.test.ts'];
/** The built site: one fixture build, its server and one Chromium made by the project's global setup. */
const SITE = ['tests/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Most files wait on servers, child processes and timers rather than the CPU: on a 2-core machine the
    // default (cores - 1 = one file at a time) leaves it idle. Each file makes its own database, bucket,
    // directory and Redis key names, so files can run side by side.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'ingest/**/*.test.ts', 'fakes/**/*.test.ts'], exclude: [...configDefaults.exclude, ...CLI, ...CONTRACT] } },
      { extends: true, test: { name: 'contract', include: CONTRACT } },
      { extends: true, test: { name: 'cli', include: CLI } },
      // A built server and a browser per test: slower steps than a unit test's, patient by default.
      { extends: true, test: { name: 'site', include: SITE, globalSetup: ['tests/browser/global-setup.ts'], testTimeout: 90_000 } },
    ],
  },
});
