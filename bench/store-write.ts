// How much faster ingest writes get when a batch of upserts shares one transaction (the crawl ledger
// commits a unit's data and status together) than when each upsert commits on its own.
// Prints a ratio against the baseline measured in the same run; machines here are shared and noisy.
//   node bench/store-write.ts [--works 2000] [--batch 100] [--database mysql://…]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseDatabaseUrl } from '../src/core/env.ts';
import { openMigratedStore } from '../src/core/store/create-store.ts';
import type { Store } from '../src/core/store/store.ts';

const { values } = parseArgs({
  options: { works: { type: 'string', default: '2000' }, batch: { type: 'string', default: '100' }, database: { type: 'string' } },
});
const total = Number(values.works);
const batch = Number(values.batch);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-bench-'));
const database = parseDatabaseUrl(values.database ?? `sqlite:${path.join(dir, 'bench.db')}`);
if (!database) throw new Error('--database must be sqlite:<file> or mysql://…');

const work = (run: string, i: number) => ({
  source: 'liblib' as const,
  externalId: `${run}-${i}`,
  slug: `${run}-${i}`,
  title: `赛博朋克概念车 #${i}`,
  prompt: '一辆未来感跑车，超高清，电影感, concept car, cinematic lighting',
  publishedAt: new Date(1_700_000_000_000 + i * 1000),
  tags: ['汽车交通'],
  steps: 30,
  cfgScale: 7,
});

async function timed(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function oneByOne(store: Store, run: string) {
  for (let i = 0; i < total; i++) await store.works.upsert(work(run, i));
}

async function batched(store: Store, run: string) {
  for (let start = 0; start < total; start += batch) {
    await store.transaction(async (tx) => {
      for (let i = start; i < Math.min(total, start + batch); i++) await tx.works.upsert(work(run, i));
    });
  }
}

const store = await openMigratedStore(database);
try {
  // Interleave rounds so drift in machine load hits both sides alike; keep the best of each.
  const rounds = 3;
  let baseline = Infinity;
  let candidate = Infinity;
  for (let round = 0; round < rounds; round++) {
    baseline = Math.min(baseline, await timed(() => oneByOne(store, `base${round}`)));
    candidate = Math.min(candidate, await timed(() => batched(store, `batch${round}`)));
  }
  const rate = (ms: number) => Math.round((total / ms) * 1000);
  console.log(`store-write (${store.dialect}, ${total} work upserts, best of ${rounds})`);
  console.log(`  baseline  autocommit each upsert   ${baseline.toFixed(0).padStart(7)} ms  ${rate(baseline)} upserts/s`);
  console.log(`  candidate ${String(batch).padStart(3)} upserts per transaction ${candidate.toFixed(0).padStart(7)} ms  ${rate(candidate)} upserts/s`);
  console.log(`  ratio     ${(baseline / candidate).toFixed(2)}x faster than the baseline`);
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
