import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { configDefaults, defineConfig } from 'vitest/config';

/** CLI tests: the command line and its commands, run as a user would. */
const CLI = ['ingest/cli.test.ts', 'ingest/commands/*.test.ts', 'ingest/sources/liblib/liblib-resume.test.ts', 'ingest/sources/liblib/liblib-daily.test.ts', 'ingest/daily/daily-rehearsal.test.ts'];
/** Contract suites: one behaviour spec run against every implementation (SQLite and MariaDB; local and S3 blobs; the generation providers over their fakes). */
const CONTRACT = ['src/core/store/**/*.test.ts', 'src/core/blob/*-blob-store.test.ts', 'src/core/generation/generation-providers.test.ts'];
/** The built site: one fixture build, its server and one Chromium made by the project's global setup. */
const SITE = ['tests/**/*.test.ts'];

/**
 * The longest files, longest first (durations of a quiet CI run). On two cores the suite's wall time is
 * decided by what starts last: without this order the projects run alphabetically and a two-minute browser
 * file could start when everything else is done.
 */
const LONGEST_FIRST = [
  // First the long files the site's builds do not hold up: the builds go on after the global setup returns
  // (wait-for-site.ts), and may wait a minute for `astro check` (they share the build lock).
  'ingest/sources/liblib/liblib-resume.test.ts',
  'ingest/sources/liblib/liblib-crawl.test.ts',
  'ingest/sources/liblib/liblib-daily.test.ts',
  'ingest/daily/daily-rehearsal.test.ts',
  'tests/community/community.test.ts',
  'tests/browser/search-seo.browser.test.ts',
  'tests/browser/works-pages.browser.test.ts',
  'tests/browser/loras.browser.test.ts',
];

class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const index = LONGEST_FIRST.findIndex((file) => spec.moduleId.endsWith(file));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Each worker starts with the module-format hint (src/core/runtime/esm-format-hint.ts): without it a worker
    // spends 1–1.7 CPU-seconds loading the store's query builder.
    execArgv: ['--import', fileURLToPath(new URL('./src/core/runtime/esm-format-hint.ts', import.meta.url))],
    // The suite's process-wide choices (the static ffmpeg binaries: src/core/testing/ff-binaries.ts).
    setupFiles: ['src/core/testing/vitest-setup.ts'],
    // Most files wait on servers, child processes, browsers and timers rather than the CPU: on a 2-core
    // machine the default (cores - 1 = one file at a time) leaves it idle, and three files keep it busy. Each file makes its own database, bucket,
    // directory and Redis key names, so files can run side by side.
    maxWorkers: 3,
    // Files share their workers' module cache: each file makes its own databases, buckets, directories,
    // servers, fakes and browser tabs and restores what it changes (no module mocks anywhere), and a fresh
    // worker and module graph per file cost 40 % of the unit and contract projects' CPU (67 s → 45 s wall) and
    // 12 % of the site project's (playwright-core, the community harness: 197 → 174 CPU-s).
    isolate: false,
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'ingest/**/*.test.ts', 'fakes/**/*.test.ts'], exclude: [...configDefaults.exclude, ...CLI, ...CONTRACT] } },
      { extends: true, test: { name: 'contract', include: CONTRACT } },
      { extends: true, test: { name: 'cli', include: CLI } },
      // A built server and a browser per test: slower steps than a unit test's, patient by default (a page's
      // lazy images or live counts can take seconds on a busy machine; expect.poll's default gives up after 1 s).
      {
        extends: true,
        test: {
          name: 'site',
          include: SITE,
          globalSetup: ['tests/browser/global-setup.ts'],
          // After the suite's own setup file (extends merges the lists): waits for the global setup's builds.
          setupFiles: ['tests/browser/wait-for-site.ts'],
          testTimeout: 90_000,
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
