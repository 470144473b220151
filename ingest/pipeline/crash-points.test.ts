// The test seam fires exactly once, at the configured occurrence, and at the right moment; the real
// process kill is exercised end to end by ingest/sources/liblib/liblib-resume.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/core/blob/local-blob-store.ts';
import { parseCrashPoint } from '../../src/core/env.ts';
import { createLogger } from '../../src/core/log.ts';
import { openMigratedStore, type MigratableStore } from '../../src/core/store/create-store.ts';
import { crashPoints } from './crash-points.ts';
import { runStages, type StageDefinition } from './stage-runner.ts';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-crash-points-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const point = (spec: string) => parseCrashPoint(spec)!;

describe('crash points', () => {
  it('are off without a configured point', () => {
    expect(crashPoints(null)).toBeNull();
  });

  describe('in the stage runner', () => {
    let store: MigratableStore;
    beforeEach(async () => {
      store = await openMigratedStore({ kind: 'sqlite', file: path.join(root, 'huaku.db') });
    });
    afterEach(() => store.close());

    /** Stage `a` (2 units) enqueues 3 `b` units each; every commit is recorded, and the recording when the seam fires. */
    async function crawlWith(spec: string) {
      const committed: string[] = [];
      const atCrash: string[][] = [];
      const seam = crashPoints(point(spec), () => atCrash.push([...committed]));
      const stage = (name: string, dependsOn: string[], next?: string): StageDefinition => ({
        name, concurrency: 1, dependsOn,
        handle: async (unit, context) => async (tx) => {
          if (next) await context.enqueue(tx, [1, 2, 3].map((i) => ({ stage: next, key: `${unit.key}.${i}` })));
          committed.push(`${name}:${unit.key}`);
        },
      });
      const run = await store.runs.start('liblib', 'test');
      await store.ledger.enqueue(['1', '2'].map((key) => ({ source: 'liblib', stage: 'a', key, runId: run.id })));
      await runStages({
        store, source: 'liblib', runId: run.id, stages: [stage('a', [], 'b'), stage('b', ['a'])],
        log: createLogger({ logLevel: 'silent' }), maxAttempts: 1, pollMs: 1, crashPoints: seam,
      });
      return { committed, atCrash };
    }

    it('unit-committed:<stage>:n fires once, right after the n-th commit of that stage', async () => {
      const { committed, atCrash } = await crawlWith('unit-committed:b:4');
      expect(committed).toHaveLength(8); // a replaced crash does not stop the run
      expect(atCrash).toHaveLength(1);
      expect(atCrash[0]!.filter((c) => c.startsWith('b:'))).toHaveLength(4);
      expect(atCrash[0]!.at(-1)).toMatch(/^b:/);
    });

    it('unit-handled:<stage>:n fires after the n-th unit of that stage was handled, before it commits', async () => {
      const { committed, atCrash } = await crawlWith('unit-handled:a:2');
      expect(atCrash).toHaveLength(1);
      expect(atCrash[0]).toContain('a:1');
      expect(atCrash[0]).not.toContain('a:2');
      expect(committed).toContain('a:2');
    });
  });

  describe('around blob puts', () => {
    const body = Buffer.alloc(10_000, 7);

    it('blob-written:n fires once the n-th object is stored', async () => {
      const blobs = new LocalBlobStore({ driver: 'local', dir: root, publicBaseUrl: '/media' });
      const stored: Array<string | null> = [];
      const seam = crashPoints(point('blob-written:2'), () => stored.push(fs.existsSync(path.join(root, 'b')) ? 'b' : null))!;
      const wrapped = seam.wrapBlobs(blobs);
      for (const key of ['a', 'b', 'c']) await wrapped.put(key, body);
      expect(stored).toEqual(['b']);
      expect((await blobs.head('c'))?.size).toBe(body.length);
    });

    it('blob-writing:n fires in the middle of the n-th put, after the store took part of the body', async () => {
      const blobs = new LocalBlobStore({ driver: 'local', dir: root, publicBaseUrl: '/media' });
      let settled = false;
      const atCrash: boolean[] = [];
      const seam = crashPoints(point('blob-writing:2'), () => atCrash.push(settled))!;
      const wrapped = seam.wrapBlobs(blobs);
      await wrapped.put('a', body);
      const put = wrapped.put('b', Readable.from([body.subarray(0, 4000), body.subarray(4000)])).finally(() => (settled = true));
      await expect(put).rejects.toThrow(/crash point reached/);
      expect(atCrash).toEqual([false]); // the put had not finished when the process would have died
      expect(await blobs.head('b')).toBeNull(); // and a half-written object never shows under its key
      await wrapped.put('c', body);
      expect((await blobs.head('c'))?.size).toBe(body.length);
    });
  });
});
