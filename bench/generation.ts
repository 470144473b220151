// How close the generation queue gets to the provider's own limit: N jobs submitted at once through the API
// route, run on the offline ModelScope API-Inference fake (each task takes --latency ms), at most
// --concurrency at once on that provider. The ideal wall time is N × latency ÷ concurrency; the ratio
// wall ÷ ideal is printed for the in-process queue (StoreJobQueue over SQLite) and for BullMQ (with --redis,
// or TEST_REDIS_URL), and against a baseline measured in the same run: the same jobs straight on the provider
// (the fake draws every image in this process, so a busy machine slows both alike). Then the overhead per job: submit and status-poll request times, and the time from
// submit to an observed `complete` minus the provider's latency, one job at a time.
//   node bench/generation.ts [--jobs 200] [--latency 300] [--concurrency 4] [--redis redis://127.0.0.1:6379]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeModelScopeInference } from '../fakes/modelscope-inference/server.ts';
import { LocalBlobStore } from '../src/core/blob/local-blob-store.ts';
import { loadConfig } from '../src/core/env.ts';
import { createGenerationProviders } from '../src/core/generation/create-generation-providers.ts';
import { createLogger } from '../src/core/log.ts';
import { openMigratedStore } from '../src/core/store/create-store.ts';
import * as routes from '../src/server/http/generation-routes.ts';
import { createServerServices, type ServerServices } from '../src/server/start-up.ts';
import { routeClient } from '../src/server/testing/generation.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    latency: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '4' },
    redis: { type: 'string', default: process.env.TEST_REDIS_URL ?? '' },
    'overhead-jobs': { type: 'string', default: '20' },
  },
});
const jobs = Number(values.jobs);
const latency = Number(values.latency);
const concurrency = Number(values.concurrency);
const STEPS = 3;
const POLL_MS = 10;

const fake = await startFakeModelScopeInference({ stepMs: latency / STEPS, progressSteps: STEPS });
const body = (i: number) => ({ model_id: 'demo/sdxl', params: { prompt: `bench ${i}`, steps: 20, width: 256, height: 256, seed: i } });

async function open(redisUrl: string | undefined) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-bench-gen-'));
  const store = await openMigratedStore({ kind: 'sqlite', file: path.join(dir, 'bench.db') });
  const config = loadConfig(
    {
      LOG_LEVEL: 'silent', RATE_LIMIT_GENERATE: 'off', RATE_LIMIT_WRITE: 'off', RATE_LIMIT_IP: 'off', GENERATION_QUOTA_PER_DAY: '0',
      GENERATION_PROVIDERS: 'modelscope', MODELSCOPE_INFERENCE_BASE: fake.baseUrl, MODELSCOPE_API_TOKEN: fake.token,
      GENERATION_CONCURRENCY: String(concurrency), ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `huaku-bench-${process.pid}-${Date.now()}:` } : {}),
    },
    dir,
  );
  const blobs = new LocalBlobStore({ driver: 'local', dir: path.join(dir, 'blobs'), publicBaseUrl: '/media' });
  const services = await createServerServices(
    { config, store, blobs, log: createLogger(config) },
    { generationProviders: createGenerationProviders(config.generation, { pollIntervalMs: POLL_MS }) },
  );
  const user = await store.users.create({ username: 'bench', name: 'bench' });
  const call = routeClient(services, (await services.sessions.create(user.id)).token);
  return {
    services,
    call,
    async close() {
      if (services.redis) {
        const keys = await services.redis.client.keys(`${config.community.redisKeyPrefix}*`);
        if (keys.length > 0) await services.redis.client.del(...keys);
      }
      await services.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function allFinal(services: ServerServices, total: number): Promise<void> {
  for (;;) {
    const counts = await services.store.generationJobs.countByStatus();
    if (counts.failed > 0) throw new Error(`${counts.failed} jobs failed`);
    if (counts.complete + counts.cancelled === total) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The baseline in the same run: the same jobs straight on the provider, `concurrency` at a time (no API, queue, database or blobs). */
async function direct(): Promise<number> {
  const config = loadConfig({ GENERATION_PROVIDERS: 'modelscope', MODELSCOPE_INFERENCE_BASE: fake.baseUrl, MODELSCOPE_API_TOKEN: fake.token });
  const [provider] = createGenerationProviders(config.generation, { pollIntervalMs: POLL_MS });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs) {
        const i = next++;
        const request = { task: 'text-to-image-synthesis' as const, checkpoint: { id: 'demo/sdxl' }, loras: [], prompt: `bench ${i}`, negativePrompt: '', sampler: 'Euler a' as const, steps: 20, cfgScale: 7, width: 256, height: 256, seed: i, batch: 1 };
        await provider!.generate(request, { signal: new AbortController().signal });
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const ideal = (jobs * latency) / 1000 / concurrency;
  console.log(`${'provider alone (baseline)'.padEnd(28)} ${jobs} jobs in ${wall.toFixed(2)} s; ideal ${ideal.toFixed(2)} s; wall ÷ ideal = ${(wall / ideal).toFixed(3)}`);
  return wall;
}

async function throughput(label: string, redisUrl: string | undefined, baseline: number) {
  const run = await open(redisUrl);
  try {
    const started = performance.now();
    for (let i = 0; i < jobs; i++) {
      const reply = await run.call(routes.submitRoute, 'POST', '/api/v1/generate', { json: body(i) });
      if (reply.status !== 202) throw new Error(`submit: ${reply.status} ${reply.text}`);
    }
    await allFinal(run.services, jobs);
    const wall = (performance.now() - started) / 1000;
    const ideal = (jobs * latency) / 1000 / concurrency;
    console.log(`${label.padEnd(28)} ${jobs} jobs in ${wall.toFixed(2)} s; ideal ${ideal.toFixed(2)} s; wall ÷ ideal = ${(wall / ideal).toFixed(3)}; ÷ baseline = ${(wall / baseline).toFixed(3)}`);
    return wall / ideal;
  } finally {
    await run.close();
  }
}

async function overhead() {
  const run = await open(undefined);
  const submit: number[] = [];
  const poll: number[] = [];
  const extra: number[] = [];
  try {
    for (let i = 0; i < Number(values['overhead-jobs']); i++) {
      const t0 = performance.now();
      const reply = await run.call(routes.submitRoute, 'POST', '/api/v1/generate', { json: body(i) });
      submit.push(performance.now() - t0);
      const id = reply.body.job_id as string;
      for (;;) {
        const p0 = performance.now();
        const status = await run.call(routes.statusRoute, 'GET', `/api/v1/generate/${id}`, { params: { job_id: id } });
        poll.push(performance.now() - p0);
        if (status.body.status === 'complete') break;
        if (status.body.status === 'failed') throw new Error(status.text);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      extra.push(performance.now() - t0 - latency);
    }
  } finally {
    await run.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`submit request ${median(submit).toFixed(1)} ms, status poll ${median(poll).toFixed(1)} ms (medians)`);
  console.log(`submit → complete observed, minus the provider's ${latency} ms: ${median(extra).toFixed(1)} ms per job (median of ${extra.length}, polling every 5 ms)`);
}

try {
  console.log(`generation queue: ${jobs} jobs × ${latency} ms on the ModelScope API-Inference fake, provider concurrency ${concurrency} (target ≤ 1.05)`);
  const baseline = await direct();
  await throughput('in-process (StoreJobQueue)', undefined, baseline);
  if (values.redis) await throughput('BullMQ', values.redis, baseline);
  else console.log('BullMQ: skipped (no --redis and no TEST_REDIS_URL)');
  await overhead();
} finally {
  await fake.close();
}
