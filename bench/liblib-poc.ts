// The seed's POC against the offline fake: the newest 1,000 汽车交通 works with details and all media, at
// the default politeness (4 requests/s per host) with 100 ms latency and light faults.
// Prints: wall time ÷ (requests ÷ rps) (1.00 = the crawler never idles while it has budget; target ≤ 1.10),
// detail coverage (target ≥ 99.5%), media coverage excluding the fake's dead images (target ≥ 99.9%), peak RSS.
//   node bench/liblib-poc.ts [--works 1000] [--rps 4] [--latency 100]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeLiblib } from '../fakes/liblib/server.ts';
import { LocalBlobStore } from '../src/core/blob/local-blob-store.ts';
import { loadConfig } from '../src/core/env.ts';
import { createLogger } from '../src/core/log.ts';
import { openMigratedStore } from '../src/core/store/create-store.ts';
import { runLiblib } from '../ingest/sources/liblib/run-liblib.ts';

const { values } = parseArgs({
  options: { works: { type: 'string', default: '1000' }, rps: { type: 'string', default: '4' }, latency: { type: 'string', default: '100' } },
});
const works = Number(values.works);
const rps = Number(values.rps);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-poc-'));
const fake = await startFakeLiblib({ works: Math.ceil(works * 1.2) });
fake.setFaults({ seed: 5, all: { latencyMs: Number(values.latency), jitterMs: 20, rate5xx: 0.01, rate429: 0.002, retryAfterSeconds: 1, resetRate: 0.003 } });
const config = loadConfig({ LOG_LEVEL: 'error', REPORTS_DIR: path.join(dir, 'reports'), LIBLIB_API_BASE: fake.apiBaseUrl }, dir);
const store = await openMigratedStore({ kind: 'sqlite', file: path.join(dir, 'huaku.db') });
const blobs = new LocalBlobStore({ driver: 'local', dir: path.join(dir, 'blobs'), publicBaseUrl: '/media' });
let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeap = Math.max(peakHeap, usage.heapUsed);
}, 200);

const started = performance.now();
const report = await runLiblib(
  { config, store, blobs, log: createLogger(config) },
  {
    command: 'crawl',
    rps,
    maxAttempts: config.ingest.maxAttempts,
    crawl: {
      category: { name: '汽车交通', tagId: 1773, slug: 'transportation' }, sort: 'latest', keyword: null, mode: 'full',
      pages: { from: 1, to: null }, pageSize: 30, maxWorks: works, incrementalWindow: 30, comments: false, authors: true, pnginfo: false,
      concurrency: { ...config.ingest.concurrency, author: 2, comments: 2 },
    },
  },
);
const wallSeconds = (performance.now() - started) / 1000;
clearInterval(sampler);

const stored = await store.works.list({ source: 'liblib', limit: works * 2 });
const expected = fake.catalogue.newestFirst(1773).slice(0, works);
const storedIds = new Set(stored.map((w) => w.externalId));
const detailCoverage = expected.filter((w) => storedIds.has(w.uuid)).length / expected.length;
let liveImages = 0;
let okImages = 0;
for (const work of stored) {
  const fakeWork = fake.catalogue.workByUuid(work.externalId)!;
  const rows = await store.images.listByWork(work.id);
  fakeWork.images.forEach((image, index) => {
    if (image.dead) return;
    liveImages++;
    if (rows[index]?.status === 'OK') okImages++;
  });
}
const requests = fake.requests.length;
const ideal = requests / rps;
console.log(`liblib POC (${works} newest works, ${rps} req/s, ${values.latency} ms latency, light faults)`);
console.log(`  requests at the fake         ${requests} (client counted ${report.counters.requests}, retries ${report.counters.retries}, 429 waits ${report.counters.rateLimited})`);
console.log(`  wall time                    ${wallSeconds.toFixed(1)} s; ideal at the rate limit ${ideal.toFixed(1)} s`);
console.log(`  ratio wall / ideal           ${(wallSeconds / ideal).toFixed(3)} (target ≤ 1.10)`);
console.log(`  detail coverage              ${(detailCoverage * 100).toFixed(2)}% (target ≥ 99.5%)`);
console.log(`  media coverage (live images) ${((okImages / liveImages) * 100).toFixed(2)}% of ${liveImages} (target ≥ 99.9%)`);
console.log(`  peak RSS                     ${(peakRss / (1 << 20)).toFixed(0)} MiB (JS heap ${(peakHeap / (1 << 20)).toFixed(0)} MiB; the fake runs in this process too)`);
await store.close();
await fake.close();
fs.rmSync(dir, { recursive: true, force: true });
