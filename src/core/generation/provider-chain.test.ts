import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeA1111 } from '../../../fakes/a1111/server.ts';
import type { FakeComfyUI } from '../../../fakes/comfyui/server.ts';
import type { FakeModelScopeInference } from '../../../fakes/modelscope-inference/server.ts';
import { startDemoGenerationFakes, type DemoGenerationFakes } from '../../../fakes/generation-demo/server.ts';
import { loadConfig } from '../env.ts';
import { createGenerationProviders, createProviderChain } from './create-generation-providers.ts';
import { contractRequest } from './generation-provider.contract.ts';
import { GenerationError } from './generation-provider.ts';
import { ProviderChain } from './provider-chain.ts';
import { abortableDelay } from './provider-http.ts';

let demo: DemoGenerationFakes;
let modelscope: FakeModelScopeInference;
let a1111: FakeA1111;
let comfy: FakeComfyUI;
const waits: number[] = [];
const tuning = {
  http: { timeoutMs: 10_000, retries: 0, retryBaseMs: 1, delay: (ms: number, s: AbortSignal) => abortableDelay(Math.min(ms, 3), s) },
  pollIntervalMs: 2,
  delay: async (ms: number) => void waits.push(ms),
};
const signal = () => new AbortController().signal;

/** The chain the composition roots build, from environment-style configuration, pointed at the fakes. */
function chain(env: Record<string, string>): ProviderChain {
  const config = loadConfig({
    MODELSCOPE_INFERENCE_BASE: modelscope.baseUrl, A1111_BASE_URL: a1111.baseUrl, COMFYUI_BASE_URL: comfy.baseUrl, ...env,
  });
  return createProviderChain(config.generation, tuning);
}

beforeAll(async () => {
  // The fakes as the offline demo starts them (`npm run start`), with millisecond steps.
  demo = await startDemoGenerationFakes({ stepMs: 1, progressSteps: 2 });
  ({ modelscope, a1111, comfyui: comfy } = demo);
});
afterAll(async () => {
  await demo?.close();
});
beforeEach(() => {
  waits.length = 0;
  for (const fake of [modelscope, a1111, comfy]) fake.reset();
});

describe('provider chain', () => {
  it('builds the providers GENERATION_PROVIDERS lists, in its order', () => {
    const config = loadConfig({ GENERATION_PROVIDERS: 'comfyui,modelscope' });
    expect(createGenerationProviders(config.generation).map((p) => [p.kind, p.billed])).toEqual([['comfyui', false], ['modelscope', true]]);
    expect(loadConfig({ GENERATION_PROVIDERS: 'off' }).generation.providers).toEqual([]);
    expect(() => loadConfig({ GENERATION_PROVIDERS: 'modelscope,midjourney' })).toThrow(/GENERATION_PROVIDERS/);
  });

  it('the demo configuration: the first provider serves when it can; the result says which one', async () => {
    const result = await chain(demo.env).generate(contractRequest(), { signal: signal() });
    expect(result.provider.kind).toBe('modelscope');
    expect(result.attempts).toEqual([{ provider: result.provider.name, error: null }]);
    expect(a1111.jobs).toHaveLength(0);
  });

  it('no ModelScope token (auth) → the next provider; 429 quota → the next one after that', async () => {
    a1111.setFaults({ list: { schedule: ['429'], retryAfterSeconds: 30 } });
    const messages: string[] = [];
    const result = await chain({ GENERATION_PROVIDERS: 'modelscope,a1111,comfyui' }).generate(contractRequest(), { signal: signal(), onProgress: (p) => p.message && messages.push(p.message) });
    expect(result.provider.kind).toBe('comfyui');
    expect(result.attempts.map((a) => a.error?.kind ?? 'served')).toEqual(['auth', 'quota', 'served']);
    expect(messages.some((m) => m.includes('改用下一个生成服务'))).toBe(true);
    expect(waits).toEqual([]); // quota and auth move on at once
  });

  it('unavailable is retried on the same provider with backoff (honouring Retry-After), then falls back', async () => {
    a1111.setFaults({ list: { schedule: ['503', '503'], retryAfterSeconds: 4 } });
    const result = await chain({ GENERATION_PROVIDERS: 'a1111,comfyui' }).generate(contractRequest(), { signal: signal() });
    expect(result.provider.kind).toBe('comfyui');
    expect(result.attempts.map((a) => a.error?.kind ?? 'served')).toEqual(['unavailable', 'unavailable', 'served']);
    expect(waits).toEqual([4000]);

    a1111.setFaults({ list: { schedule: ['503'] } });
    const recovered = await chain({ GENERATION_PROVIDERS: 'a1111,comfyui' }).generate(contractRequest(), { signal: signal() });
    expect(recovered.provider.kind).toBe('a1111');
  });

  it('a failed task or a malformed answer does not fall back; all failing → one error naming each provider', async () => {
    a1111.setOutcomes(['failed']);
    const failed = await chain({ GENERATION_PROVIDERS: 'a1111,comfyui' }).generate(contractRequest(), { signal: signal() }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ kind: 'failed' });
    expect(comfy.prompts).toHaveLength(0);

    comfy.setFaults({ list: { schedule: ['429'] } });
    const all = await chain({ GENERATION_PROVIDERS: 'modelscope,comfyui' }).generate(contractRequest(), { signal: signal() }).catch((e: unknown) => e);
    expect(all).toBeInstanceOf(GenerationError);
    expect((all as GenerationError).kind).toBe('quota');
    expect((all as GenerationError).message).toMatch(/modelscope@.*请配置 API Key.*comfyui@/);
  });

  it('--provider style selection, and a clear error when nothing is left', async () => {
    const c = chain({ GENERATION_PROVIDERS: 'modelscope,a1111,comfyui' });
    const result = await c.generate(contractRequest(), { signal: signal(), only: ['comfyui'] });
    expect(result.provider.kind).toBe('comfyui');
    const none = await c.generate(contractRequest(), { signal: signal(), only: ['nothing'] }).catch((e: unknown) => e);
    expect(none).toMatchObject({ kind: 'unavailable' });
    expect((none as Error).message).toContain('GENERATION_PROVIDERS');
  });
});
