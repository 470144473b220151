// A week of daily incremental runs, each followed by `retry-failed`, against a flaky upstream, must leave
// nothing pending. (Crash safety is liblib-resume.test.ts.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLiblib, type FakeLiblib } from '../../../fakes/liblib/server.ts';
import { BACKENDS, type TestBackend } from '../../testing/backends.ts';
import { runCli } from '../../testing/run-cli.ts';

for (const backendSpec of BACKENDS) {
  describe(`Liblib daily runs (${backendSpec.name})`, () => {
    let fake: FakeLiblib;
    let backend: TestBackend | null;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-daily-'));
    // In process (main()): what is tested is the state a week of runs leaves, not the process around them.
    const env = () => ({
      LOG_LEVEL: 'silent', REPORTS_DIR: path.join(dir, 'reports'), LIBLIB_API_BASE: fake.apiBaseUrl, INGEST_THUMBNAIL_WIDTHS: '320', INGEST_MAX_ATTEMPTS: '5', INGEST_RPS: '300',
      ...backend!.env,
    });
    // Pages of 8: the first crawl walks four list pages and each day's window of 10 spans two.
    const args = ['--page-size', '8', '--detail-concurrency', '5', '--media-concurrency', '8'];
    // Thirty works at first, then five new ones a day.
    const FIRST_WORKS = 30;
    const NEW_A_DAY = 5;

    beforeAll(async () => {
      fake = await startFakeLiblib({ works: FIRST_WORKS, otherWorks: 4, authors: 20, seed: 11 });
      backend = await backendSpec.open();
    });
    afterAll(async () => {
      await fake?.close();
      await backend?.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('seven daily incremental runs with compensation leave nothing pending', async (context) => {
      if (!backend) return context.skip();
      const first = await runCli(['liblib', ...args], { env: env() });
      expect(first.stderr).toBe('');
      fake.setFaults({ seed: 3, all: { rate5xx: 0.03, resetRate: 0.01 } });
      for (let day = 1; day <= 7; day++) {
        fake.addWorks(NEW_A_DAY);
        const daily = await runCli(['liblib', ...args, '--mode', 'incremental', '--window', '10'], { env: env() });
        expect([0, 1], daily.stderr).toContain(daily.code);
        await runCli(['retry-failed', '--source', 'liblib', ...args], { env: env() });
      }
      const ledger = await backend.store.ledger.countByStatus('liblib');
      expect(ledger.pending).toBe(0);
      const failed = await backend.store.ledger.due('liblib', 'media', { now: new Date(Date.now() + 86_400_000), maxAttempts: 100, limit: 1000 });
      // whatever is still failed is a permanently dead image of the fake, nothing else
      const deadPaths = new Set(fake.deadImageUrls().map((u) => new URL(u).pathname));
      for (const unit of failed) expect(unit.errorMessage, unit.key).toMatch(/HTTP 404/);
      expect(failed.length).toBeLessThanOrEqual(deadPaths.size);
      const works = await backend.store.works.count({ source: 'liblib' });
      expect(works).toBe(FIRST_WORKS + 7 * NEW_A_DAY);
    }, 240_000);
  });
}
