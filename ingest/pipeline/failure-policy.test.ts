import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openMigratedStore } from '../../src/core/store/create-store.ts';
import { isPermanentFailure, tallyFailures } from './failure-policy.ts';
import { finishRun } from './run-report.ts';
import type { RunnerResult } from './stage-runner.ts';

describe('failure policy', () => {
  it('counts 404/410 apart: never in the rate', () => {
    expect(isPermanentFailure('http', 'HTTP 404: NoSuchKey (GET https://x/img/a.png, attempt 3)')).toBe(true);
    expect(isPermanentFailure('http', 'HTTP 410 (GET …)')).toBe(true);
    expect(isPermanentFailure('http', 'HTTP 503 (GET …)')).toBe(false);
    expect(isPermanentFailure('network', 'HTTP 404 mentioned in a network error')).toBe(false);
    const tally = tallyFailures(200, [
      { errorKind: 'http', errorMessage: 'HTTP 404: gone' },
      { errorKind: 'http', errorMessage: 'HTTP 502: bad gateway' },
      { errorKind: 'timeout', errorMessage: 'headers timeout' },
    ]);
    expect(tally).toEqual({ units: 200, unresolved: 2, permanent: 1, byKind: { http: 1, timeout: 1 }, rate: 0.01 });
  });

  it("computes retry-failed's rate over the day's units, without the dead links", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-policy-'));
    const store = await openMigratedStore({ kind: 'sqlite', file: path.join(dir, 'db') });
    try {
      const run = await store.runs.start('liblib', 'retry-failed:incremental');
      // The failure queue held 8 dead links and nothing else: all 8 retried, all 8 still 404.
      const result: RunnerResult = {
        stages: { media: { done: 0, failed: 8, unresolved: 8, permanent: 8, failuresByKind: { http: 8 } } },
        counters: { pagesFetched: 0, worksFetched: 0, detailsFetched: 0, authorsFetched: 0, imagesDownloaded: 0, bytesDownloaded: 0 },
      };
      const http = { requests: 8, retries: 0, rateLimited: 0, bytes: 0 };
      const report = await finishRun({ store, run, result, http, stageNames: ['media'], alertThreshold: 0.05, dayUnits: 400 });
      expect(report).toMatchObject({ status: 'SUCCESS', unresolved: 8, permanent: 8, rateUnits: 400, failureRate: 0 });
      const transient: RunnerResult = { ...result, stages: { media: { ...result.stages.media!, permanent: 0 } } };
      const again = await finishRun({ store, run: await store.runs.start('liblib', 'retry-failed:incremental'), result: transient, http, stageNames: ['media'], alertThreshold: 0.05, dayUnits: 400 });
      expect(again).toMatchObject({ status: 'SUCCESS', failureRate: 8 / 400 });
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
