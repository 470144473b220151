import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'ingest/**/*.test.ts', 'fakes/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // The store and blob contract suites share one MariaDB database and one data/ tree per file;
    // files run in parallel, each test file makes its own database/bucket/dir names.
    pool: 'forks',
  },
});
