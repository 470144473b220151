// Crash safety: the crawl CLI killed with SIGKILL at random moments, then resumed, must end with exactly
// the rows and objects of an uninterrupted crawl. And a week of daily runs must leave nothing pending.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLiblib, type FakeLiblib } from '../../../fakes/liblib/server.ts';
import type { Store } from '../../../src/core/store/store.ts';
import { BACKENDS, type TestBackend } from '../../testing/backends.ts';

const cli = path.join(import.meta.dirname, '../../cli.ts');

interface ChildRun {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): void;
}

function crawl(env: Record<string, string>, args: string[]): ChildRun {
  const child = spawn(process.execPath, [cli, 'liblib', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return {
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr }))),
    kill: () => child.kill('SIGKILL'),
  };
}

/** Everything a crawl writes, by natural keys (auto-increment ids may differ between databases). */
async function fingerprint(backend: TestBackend) {
  const store: Store = backend.store;
  const works = await store.works.list({ source: 'liblib', limit: 100_000 });
  const rows = [];
  for (const work of works) {
    const author = work.authorId === null ? null : await store.authors.get(work.authorId);
    const images = await store.images.listByWork(work.id);
    const models = await store.works.listModels(work.id);
    rows.push({
      work: [work.externalId, work.title, work.prompt, work.seed, work.steps, work.cfgScale, work.publishedAt?.toISOString()],
      author: author && [author.externalId, author.name, author.avatarUrl],
      images: images.map((i) => [i.imageIndex, i.status, i.contentHash, i.blobKey, i.sizeBytes, i.width, i.height, JSON.stringify(i.thumbnails)]),
      models: models.map((m) => [m.modelType, m.modelName, m.externalModelId]),
    });
  }
  rows.sort((a, b) => String(a.work[0]).localeCompare(String(b.work[0])));
  return { rows, blobs: await backend.listBlobKeys() };
}

for (const backendSpec of BACKENDS) {
  describe(`Liblib crawl resume and daily runs (${backendSpec.name})`, () => {
    let fake: FakeLiblib;
    let baseline: TestBackend | null;
    let killed: TestBackend | null;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-resume-'));
    const baseEnv = () => ({
      PATH: process.env.PATH ?? '', HOME: os.homedir(), LOG_LEVEL: 'silent', REPORTS_DIR: path.join(dir, 'reports'),
      LIBLIB_API_BASE: fake.apiBaseUrl, INGEST_THUMBNAIL_WIDTHS: '320', INGEST_MAX_ATTEMPTS: '5',
    });
    const args = ['--rps', '300', '--detail-concurrency', '5', '--media-concurrency', '8'];

    beforeAll(async () => {
      fake = await startFakeLiblib({ works: 60, otherWorks: 4, authors: 20, seed: 11 });
      baseline = await backendSpec.open();
      killed = baseline && (await backendSpec.open());
    });
    afterAll(async () => {
      await fake?.close();
      await baseline?.cleanup();
      await killed?.cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('killed with SIGKILL three times and resumed, ends exactly like an uninterrupted crawl', async (context) => {
      if (!baseline || !killed) return context.skip();
      const clean = await crawl({ ...baseEnv(), ...baseline.env }, args).exit;
      expect(clean.stderr).toBe('');
      const expected = await fingerprint(baseline);
      expect(expected.rows).toHaveLength(60);

      let kills = 0;
      for (let attempt = 0; kills < 3 && attempt < 10; attempt++) {
        const child = crawl({ ...baseEnv(), ...killed.env }, args);
        const delay = 250 + Math.floor(Math.random() * 1200);
        const timer = setTimeout(() => child.kill(), delay);
        const result = await child.exit;
        clearTimeout(timer);
        if (result.signal === 'SIGKILL') kills++;
        else break; // finished before the kill: the remaining resumes have nothing left to do
      }
      expect(kills).toBeGreaterThanOrEqual(1);
      const resumed = await crawl({ ...baseEnv(), ...killed.env }, args).exit;
      expect(resumed.code, resumed.stderr).toBe(0);
      const actual = await fingerprint(killed);
      expect(actual.rows).toEqual(expected.rows);
      expect(actual.blobs).toEqual(expected.blobs);
      expect(await killed.store.ledger.countByStatus('liblib', 'detail')).toMatchObject({ pending: 0, failed: 0 });
    }, 180_000);

    it('seven daily incremental runs with compensation leave nothing pending', async (context) => {
      if (!killed) return context.skip();
      fake.setFaults({ seed: 3, all: { rate5xx: 0.03, resetRate: 0.01 } });
      for (let day = 1; day <= 7; day++) {
        fake.addWorks(5);
        const env = { ...baseEnv(), ...killed.env };
        const daily = await crawl(env, [...args, '--mode', 'incremental', '--window', '10']).exit;
        expect([0, 1], daily.stderr).toContain(daily.code);
        const compensate = spawn(process.execPath, [cli, 'retry-failed', '--source', 'liblib', ...args], { env, stdio: 'ignore' });
        await new Promise((resolve) => compensate.on('exit', resolve));
      }
      const ledger = await killed.store.ledger.countByStatus('liblib');
      expect(ledger.pending).toBe(0);
      const failed = await killed.store.ledger.due('liblib', 'media', { now: new Date(Date.now() + 86_400_000), maxAttempts: 100, limit: 1000 });
      // whatever is still failed is a permanently dead image of the fake, nothing else
      const deadPaths = new Set(fake.deadImageUrls().map((u) => new URL(u).pathname));
      for (const unit of failed) expect(unit.errorMessage, unit.key).toMatch(/HTTP 404/);
      expect(failed.length).toBeLessThanOrEqual(deadPaths.size);
      const works = await killed.store.works.count({ source: 'liblib' });
      expect(works).toBe(60 + 35);
    }, 240_000);
  });
}
