// Generation jobs and their API, in process (route handlers with injected services; no build): the §9.5
// shapes byte for byte, hostile requests refused with nothing written, cancellation, quota and rate limit,
// retries and fallback, the queue through a restart, and generate → draft → publish.
import { afterEach, describe, expect, it } from 'vitest';
import { createServerServices, type ServerServices } from '../start-up.ts';
import { redisAvailability, testRedisPrefix, testServices } from '../testing/community.ts';
import { serviceGate, testConfig } from '../../core/testing/services.ts';
import { routeClient, scriptedProvider, type ScriptedProvider } from '../testing/generation.ts';
import * as routes from '../http/generation-routes.ts';
import { POST as publishRoute } from '../../pages/api/artworks/[id]/publish.ts';
import type { GenerationJob } from '../../core/store/store.ts';

const redisRuns = serviceGate('Redis (BullMQ generation queue)', await redisAvailability());
const FAST = { progressEveryMs: 0, heartbeatMs: 50, staleAfterMs: 200, retryDelayMs: 1 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(providers: ScriptedProvider[], env: Record<string, string> = {}, options: { startWorkers?: boolean } = {}) {
  const services = await testServices({ GENERATION_CONCURRENCY: '1', ...env }, { generationProviders: providers, generation: FAST, ...options });
  cleanups.push(services.cleanup);
  const user = await services.store.users.create({ username: `gen_${Math.random().toString(36).slice(2, 8)}`, name: '生成者' });
  const { token } = await services.sessions.create(user.id);
  return { services, user, call: routeClient(services, token) };
}

const body = (params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  model_id: 'AI-ModelScope/sdxl',
  task: 'text-to-image-synthesis',
  params: { prompt: '一只猫，水墨画', steps: 20, seed: 42, width: 512, height: 512, ...params },
  output_dir: 'cache/outputs/text-to-image-synthesis/',
  ...extra,
});

async function until(services: ServerServices, id: string, done: (job: GenerationJob) => boolean): Promise<GenerationJob> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const job = (await services.store.generationJobs.get(id))!;
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} stuck at ${job.status}: ${job.log.join(' | ')}`);
    await services.generation.waitForChange(id, 50);
  }
}
const final = (job: GenerationJob) => ['complete', 'failed', 'cancelled'].includes(job.status);

describe('generation API', () => {
  it('answers seed 001 §9.5 byte for byte, and writes the PNG with its recipe at generations/{task}/{yyyy}/{mm}/{job_id}/{n}.png', async () => {
    const provider = scriptedProvider({});
    const { services, call } = await setUp([provider]);
    const submitted = await call(routes.submitRoute, 'POST', '/api/v1/generate', {
      json: body({ loras: [{ id: 'o/ink', name: '水墨', weight: 0.8 }] }),
      headers: { 'X-ModelScope-Token': 'ms-pasted-secret' },
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.job_id as string;
    expect(submitted.text).toBe(`{"job_id":"${id}","status":"queued"}`);
    const job = await until(services, id, final);
    expect(job.status).toBe('complete');
    const yyyy = job.createdAt.getUTCFullYear();
    const mm = String(job.createdAt.getUTCMonth() + 1).padStart(2, '0');
    const key = `generations/text-to-image-synthesis/${yyyy}/${mm}/${id}/0.png`;
    const status = await call(routes.statusRoute, 'GET', `/api/v1/generate/${id}`, { params: { job_id: id } });
    expect(status.text).toBe(JSON.stringify({ job_id: id, status: 'complete', progress: 1, result: { image_url: `/media/${key}` }, log: job.log }));
    expect(job.log.at(-1)).toMatch(/完成：1 张图$/);
    // The pasted token reached the provider and nothing else: not the row, not the queue's payload.
    expect(provider.tokens).toEqual(['ms-pasted-secret']);
    expect(JSON.stringify(job)).not.toContain('ms-pasted-secret');
    expect(JSON.stringify(await services.store.jobs.get(`generate-${id}-0`))).not.toContain('ms-pasted-secret');
    const stored = (await services.blobs.get(key))!;
    expect(stored.contentType).toBe('image/png');
    const chunks: Buffer[] = [];
    for await (const chunk of stored.body) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toContain('parameters');
    expect(text).toContain('一只猫，水墨画, <lora:o/ink:0.8>\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model: AI-ModelScope/sdxl');
    expect(provider.calls[0]).toMatchObject({ seed: 42, checkpoint: { id: 'AI-ModelScope/sdxl' }, loras: [{ id: 'o/ink', weight: 0.8 }] });
    // Another user: as if the job did not exist.
    const stranger = await services.store.users.create({ username: 'stranger', name: 's' });
    const other = routeClient(services, (await services.sessions.create(stranger.id)).token);
    expect((await other(routes.statusRoute, 'GET', `/api/v1/generate/${id}`, { params: { job_id: id } })).status).toBe(404);
    expect((await other(routes.cancelRoute, 'POST', `/api/v1/generate/${id}/cancel`, { params: { job_id: id } })).status).toBe(404);
    expect((await routeClient(services)(routes.submitRoute, 'POST', '/api/v1/generate', { json: body() })).status).toBe(401);
    // Events: the view now, ending at the final status.
    const events = await call(routes.eventsRoute, 'GET', `/api/v1/generate/${id}/events`, { params: { job_id: id } });
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(events.text).toMatch(/^event: job\ndata: \{"job_id":"[^"]+","status":"complete"/);
  });

  it('refuses hostile requests with a clear 400 and writes nothing', async () => {
    const provider = scriptedProvider({});
    const { services, call } = await setUp([provider]);
    const cases: Array<[string, unknown, RegExp]> = [
      ['a path in output_dir', body({}, { output_dir: '../../etc/' }), /output_dir 只能是 cache\/outputs\/text-to-image-synthesis\//],
      ['an absolute output_dir', body({}, { output_dir: '/tmp/x/' }), /output_dir/],
      ['a huge size', body({ width: 100_000, height: 100_000 }), /^params\.width: /],
      ['pixels over the cap', body({ width: 2048, height: 2048 }), /^params\.width: width × height/],
      ['negative steps', body({ steps: -5 }), /^params\.steps: /],
      ['an unknown field', body({}, { shell: 'rm -rf /' }), /shell/],
      ['an unknown param', body({ hires_fix_script: 'x' }), /hires_fix_script/],
      ['an unknown task', body({}, { task: 'text-to-video' }), /^task: /],
      ['a 1 MB prompt', body({ prompt: 'x'.repeat(1024 * 1024) }), /^params\.prompt: /],
      ['no model', { ...body(), model_id: '' }, /^model_id: /],
    ];
    for (const [name, json, message] of cases) {
      const reply = await call(routes.submitRoute, 'POST', '/api/v1/generate', { json });
      expect(reply.status, name).toBe(400);
      expect(reply.body.error.message, name).toMatch(message);
    }
    expect(await services.store.generationJobs.countByStatus()).toMatchObject({ queued: 0, running: 0, complete: 0 });
    expect(await services.store.jobs.countByStatus('generate')).toMatchObject({ queued: 0, succeeded: 0 });
    expect(provider.calls).toEqual([]);
  });

  it('quota per day and rate limit answer 429 with Retry-After', async () => {
    const quota = await setUp([scriptedProvider({})], { GENERATION_QUOTA_PER_DAY: '2' });
    for (let i = 0; i < 2; i++) expect((await quota.call(routes.submitRoute, 'POST', '/api/v1/generate', { json: body() })).status).toBe(202);
    const over = await quota.call(routes.submitRoute, 'POST', '/api/v1/generate', { json: body() });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('generation_quota');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(80_000);
    const rate = await setUp([scriptedProvider({})], { RATE_LIMIT_GENERATE: '1/1m' });
    expect((await rate.call(routes.submitRoute, 'POST', '/api/v1/generate', { json: body() })).status).toBe(202);
    const limited = await rate.call(routes.submitRoute, 'POST', '/api/v1/generate', { json: body() });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('generation jobs', () => {
  it('cancel: a queued job never starts; a running one is aborted', async () => {
    const provider = scriptedProvider({ script: ['hang', 'ok'] });
    const { services, user } = await setUp([provider]);
    const running = await services.generation.submit(user, (await import('./api-request.ts')).parseSubmitBody(body()).request);
    const waiting = await services.generation.submit(user, (await import('./api-request.ts')).parseSubmitBody(body()).request);
    await until(services, running.id, (j) => j.status === 'running' && provider.signals.length === 1);
    // GENERATION_CONCURRENCY=1: the second waits; cancelled now, it must never reach the provider.
    expect((await services.generation.cancel(user, waiting.id)).status).toBe('cancelled');
    expect((await services.generation.cancel(user, running.id)).status).toBe('cancelled');
    expect(provider.signals[0]!.aborted).toBe(true);
    await until(services, running.id, () => provider.signals.length >= 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(provider.calls).toHaveLength(1);
    expect((await services.store.generationJobs.get(waiting.id))!.startedAt).toBeNull();
    expect((await services.store.generationJobs.get(running.id))!.log.at(-1)).toMatch(/已取消$/);
  });

  it('retries only retryable failures, and falls back to the next provider', async () => {
    const flaky = scriptedProvider({ name: 'flaky', script: ['unavailable', 'ok'] });
    const { services, user } = await setUp([flaky]);
    const { parseSubmitBody } = await import('./api-request.ts');
    const retried = await until(services, (await services.generation.submit(user, parseSubmitBody(body()).request)).id, final);
    expect(retried).toMatchObject({ status: 'complete', provider: 'flaky' });
    expect(flaky.calls).toHaveLength(2);

    const broken = scriptedProvider({ name: 'broken', script: ['failed'] });
    const second = await setUp([broken]);
    const failed = await until(second.services, (await second.services.generation.submit(second.user, parseSubmitBody(body()).request)).id, final);
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'failed' });
    expect(broken.calls).toHaveLength(1);

    const quota = scriptedProvider({ name: 'remote', script: ['quota'] });
    const local = scriptedProvider({ name: 'local', kind: 'a1111' });
    const chain = await setUp([quota, local]);
    const fellBack = await until(chain.services, (await chain.services.generation.submit(chain.user, parseSubmitBody(body()).request)).id, final);
    expect(fellBack).toMatchObject({ status: 'complete', provider: 'local' });
    expect(fellBack.log.some((line) => line.includes('remote 失败（quota (scripted)）'))).toBe(true);
  });

  it('through a restart: a graceful stop requeues and the next process finishes; a dead worker’s job resumes or fails with its reason', async () => {
    const hanging = scriptedProvider({ script: ['hang'] });
    const first = await setUp([hanging], { GENERATION_MAX_ATTEMPTS: '2' });
    const { parseSubmitBody } = await import('./api-request.ts');
    const job = await first.services.generation.submit(first.user, parseSubmitBody(body()).request);
    await until(first.services, job.id, (j) => j.status === 'running');
    // Stop the workers, keep the store (the "restart").
    const { store, blobs, config, log } = first.services;
    await first.services.generation.close();
    expect(await store.generationJobs.get(job.id)).toMatchObject({ status: 'queued' });
    const healthy = scriptedProvider({});
    const second = await createServerServices({ config, store, blobs, log }, { generationProviders: [healthy], generation: FAST });
    cleanups.push(() => second.close());
    const resumed = await until(second, job.id, final);
    expect(resumed.status).toBe('complete');
    expect(resumed.log.some((line) => line.includes('服务重启，任务重新排队'))).toBe(true);

    // A worker that died mid-run (SIGKILL): its row stays running with an old heartbeat.
    const dead = await store.generationJobs.create({ id: crypto.randomUUID(), userId: first.user.id, task: 'text-to-image-synthesis', request: resumed.request });
    await store.generationJobs.claim(dead.id, 'dead-worker', new Date(Date.now() - 60_000));
    const exhausted = await store.generationJobs.create({ id: crypto.randomUUID(), userId: first.user.id, task: 'text-to-image-synthesis', request: resumed.request });
    for (let i = 0; i < 2; i++) {
      await store.generationJobs.claim(exhausted.id, 'dead-worker', new Date(Date.now() - 60_000));
      if (i === 0) await store.generationJobs.requeue(exhausted.id, null, []);
    }
    await second.generation.recover({ sweepQueued: false });
    expect(await until(second, dead.id, final)).toMatchObject({ status: 'complete' });
    expect(await store.generationJobs.get(exhausted.id)).toMatchObject({ status: 'failed', errorKind: 'interrupted' });
  });

  it('generate → draft with the recipe → publish; saving again gives the same draft', async () => {
    const { services, call } = await setUp([scriptedProvider({})]);
    const submitted = await call(routes.submitRoute, 'POST', '/api/v1/generate', {
      json: body({ batch: 2, checkpoint: { name: 'SDXL 1.0' }, negativePrompt: 'lowres', loras: [{ id: 'o/ink', name: '水墨', weight: 0.6 }] }),
    });
    const id = submitted.body.job_id as string;
    await until(services, id, final);
    const saved = await call(routes.draftsRoute, 'POST', '/api/artworks/generate', { json: { job_id: id, images: [1] } });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ status: 'draft', url: expect.stringMatching(new RegExp(`/media/generations/.+/${id}/1\\.png$`)), artworks: [{ image: 1 }] });
    const work = (await services.store.works.get(saved.body.artwork_id))!;
    expect(work).toMatchObject({ status: 'draft', prompt: '一只猫，水墨画', negativePrompt: 'lowres', steps: 20, cfgScale: 7, seed: '43', width: 32, sampler: 'Euler a' });
    expect((await services.store.works.listModels(work.id)).map((m) => [m.modelType, m.modelName, m.externalModelId])).toEqual([
      ['CHECKPOINT', 'SDXL 1.0', 'AI-ModelScope/sdxl'],
      ['LORA', '水墨', 'o/ink'],
    ]);
    const again = await call(routes.draftsRoute, 'POST', '/api/artworks/generate', { json: { job_id: id, images: [1] } });
    expect(again.body.artwork_id).toBe(saved.body.artwork_id);
    const published = await call(publishRoute as never, 'POST', `/api/artworks/${work.id}/publish`, { params: { id: String(work.id) } });
    expect(published.body).toMatchObject({ status: 'published', changed: true });
    expect((await call(routes.draftsRoute, 'POST', '/api/artworks/generate', { json: { job_id: id, images: [5] } })).status).toBe(400);
  });

  it.runIf(redisRuns)('BullMQ: jobs run on the generation queue of their own', async () => {
    const prefix = testRedisPrefix();
    const { services, user } = await setUp([scriptedProvider({})], { REDIS_URL: testConfig.testing.redisUrl!, REDIS_KEY_PREFIX: prefix });
    cleanups.push(async () => {
      const keys = await services.redis!.client.keys(`${prefix}*`);
      if (keys.length > 0) await services.redis!.client.del(...keys);
    });
    const { parseSubmitBody } = await import('./api-request.ts');
    const job = await services.generation.submit(user, parseSubmitBody(body()).request);
    expect(await until(services, job.id, final)).toMatchObject({ status: 'complete' });
    expect(await services.redis!.client.exists(`${prefix}bullgeneration:generation:generate-${job.id}-0`, `${prefix}bull:generation:generate-${job.id}-0`)).toBe(1);
    expect(await services.store.jobs.countByStatus('generate')).toMatchObject({ queued: 0, succeeded: 0 }); // none fell back
  });
});

