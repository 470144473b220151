import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.ts';
import { openMigratedStore, type MigratableStore } from '../../src/core/store/create-store.ts';
import type { Store } from '../../src/core/store/store.ts';
import { runStages, type StageDefinition } from './stage-runner.ts';

let root: string;
let store: MigratableStore;
beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-stage-runner-'));
  store = await openMigratedStore({ kind: 'sqlite', file: path.join(root, 'huaku.db') });
});
afterEach(async () => {
  await store.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/**
 * `ledger.due` reading at once but answering late (`delayMs` per stage), as a read on another pooled MySQL
 * connection can: by the time the answer arrives, units it shows as pending may have finished, units may have
 * been enqueued that it does not show, and upstream stages may have finished.
 */
function slowDue(real: Store, delayMs: Record<string, number>): Store {
  return {
    ...real,
    ledger: {
      ...real.ledger,
      async due(source, stage, options) {
        const answer = await real.ledger.due(source, stage, options);
        await new Promise((resolve) => setTimeout(resolve, delayMs[stage] ?? 0));
        return answer;
      },
    },
  };
}

describe('runStages', () => {
  it('with late-answering due reads, still does every unit once and leaves nothing pending', async () => {
    const handled: string[] = [];
    // `a` is a walk (each unit enqueues the next, up to 3) that also feeds `b`, three units per `a` unit.
    // Its last unit is slow: `b`, having done the rest, is reading an empty ledger when that unit commits.
    const a: StageDefinition = {
      name: 'a', concurrency: 2, dependsOn: [],
      async handle(unit, context) {
        handled.push(`a:${unit.key}`);
        await new Promise((resolve) => setTimeout(resolve, unit.key === '3' ? 700 : 100));
        return async (tx) => {
          const next = Number(unit.key) + 1;
          await context.enqueue(tx, [
            ...(next <= 3 ? [{ stage: 'a', key: String(next) }] : []),
            ...[1, 2, 3].map((i) => ({ stage: 'b', key: `${unit.key}.${i}` })),
          ]);
        };
      },
    };
    const b: StageDefinition = {
      name: 'b', concurrency: 2, dependsOn: ['a'],
      async handle(unit) {
        handled.push(`b:${unit.key}`);
        return async () => undefined;
      },
    };
    const run = await store.runs.start('liblib', 'test');
    await store.ledger.enqueue([{ source: 'liblib', stage: 'a', key: '1', runId: run.id }]);
    const result = await runStages({
      store: slowDue(store, { a: 10, b: 150 }), source: 'liblib', runId: run.id, stages: [a, b],
      log: createLogger({ logLevel: 'silent' }), maxAttempts: 3, pollMs: 1,
    });
    expect(handled.filter((h) => h.startsWith('a:'))).toEqual(['a:1', 'a:2', 'a:3']);
    expect(handled.filter((h) => h.startsWith('b:')).sort()).toEqual(['1', '2', '3'].flatMap((w) => [1, 2, 3].map((i) => `b:${w}.${i}`)));
    expect(result.stages.a!.done + result.stages.b!.done).toBe(12);
    expect(await store.ledger.countByStatus('liblib')).toMatchObject({ pending: 0, done: 12 });
    expect((await store.ledger.get('liblib', 'b', '2.3'))?.attempts).toBe(1);
  });
});
