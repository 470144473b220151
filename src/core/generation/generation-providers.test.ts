// The provider contract against all three providers over their offline fakes, plus what is particular to
// each protocol (where the token goes, the LoRA encodings, the graph ComfyUI receives).
import { describe, expect, it } from 'vitest';
import { startFakeA1111 } from '../../../fakes/a1111/server.ts';
import { startFakeComfyUI } from '../../../fakes/comfyui/server.ts';
import { startFakeModelScopeInference } from '../../../fakes/modelscope-inference/server.ts';
import { A1111Provider } from './a1111-provider.ts';
import { ComfyUIProvider } from './comfyui-provider.ts';
import { contractRequest, generationProviderContract } from './generation-provider.contract.ts';
import { GenerationError } from './generation-provider.ts';
import { ModelScopeInferenceProvider, modelScopeLoras } from './modelscope-inference-provider.ts';
import { abortableDelay, type ProviderHttpOptions } from './provider-http.ts';

/** Millisecond waits: every retry backoff and poll interval capped at 3 ms; timeouts generous (a busy CI machine draws slowly). */
const FAST: Partial<ProviderHttpOptions> = { timeoutMs: 10_000, retries: 2, retryBaseMs: 1, delay: (ms, signal) => abortableDelay(Math.min(ms, 3), signal) };
const TIMING = { http: FAST, runTimeoutMs: 20_000 };
/** For the hang test: calls time out after 150 ms (a blocking A1111 call after 200). */
const IMPATIENT = { http: { ...FAST, timeoutMs: 150 }, runTimeoutMs: 200 };
const signal = () => new AbortController().signal;

generationProviderContract('ModelScope API-Inference', async () => {
  const fake = await startFakeModelScopeInference({ stepMs: 1 });
  const provider = new ModelScopeInferenceProvider({ ...TIMING, baseUrl: fake.baseUrl, apiToken: fake.token, pollIntervalMs: 2 });
  return {
    fake,
    provider,
    impatient: new ModelScopeInferenceProvider({ ...IMPATIENT, baseUrl: fake.baseUrl, apiToken: fake.token, pollIntervalMs: 2 }),
    unauthorized: () => ({ provider: new ModelScopeInferenceProvider({ ...TIMING, baseUrl: fake.baseUrl, apiToken: 'wrong-token' }), undo: () => undefined }),
    upstreamCancels: () => null,
    close: () => fake.close(),
  };
});

generationProviderContract('A1111 / Forge', async () => {
  const fake = await startFakeA1111({ stepMs: 1, apiAuth: 'creator:secret' });
  const base = new URL(fake.baseUrl);
  const withAuth = `http://creator:secret@${base.host}`;
  return {
    fake,
    provider: new A1111Provider({ ...TIMING, baseUrl: withAuth, progressIntervalMs: 2 }),
    impatient: new A1111Provider({ ...IMPATIENT, baseUrl: withAuth, progressIntervalMs: 2 }),
    unauthorized: () => ({ provider: new A1111Provider({ ...TIMING, baseUrl: fake.baseUrl }), undo: () => undefined }),
    upstreamCancels: () => fake.interrupts,
    close: () => fake.close(),
  };
});

generationProviderContract('ComfyUI', async () => {
  const fake = await startFakeComfyUI({ stepMs: 1 });
  return {
    fake,
    provider: new ComfyUIProvider({ ...TIMING, baseUrl: fake.baseUrl, pollIntervalMs: 20 }),
    impatient: new ComfyUIProvider({ ...IMPATIENT, baseUrl: fake.baseUrl, pollIntervalMs: 20 }),
    unauthorized: () => {
      fake.setProxyToken('proxy-secret');
      return { provider: new ComfyUIProvider({ ...TIMING, baseUrl: fake.baseUrl }), undo: () => fake.setProxyToken(null) };
    },
    upstreamCancels: () => fake.interrupts,
    close: () => fake.close(),
  };
});

describe('ModelScope API-Inference specifics', () => {
  it('sends the token only to the API (never with the output download); a run token overrides the server’s; no token → auth without a call', async () => {
    const fake = await startFakeModelScopeInference({ stepMs: 1, progressSteps: 2 });
    try {
      const provider = new ModelScopeInferenceProvider({ ...TIMING, baseUrl: fake.baseUrl, apiToken: 'stale-server-token', pollIntervalMs: 2 });
      const [image] = await provider.generate(contractRequest(), { signal: signal(), apiToken: fake.token });
      expect(image!.seed).toBe(1234);
      const api = fake.requests.filter((r) => r.kind !== 'image');
      expect(api.every((r) => r.authorization === `Bearer ${fake.token}`)).toBe(true);
      expect(fake.requests.filter((r) => r.kind === 'image').map((r) => r.authorization)).toEqual([null]);
      const task = [...fake.tasks.values()][0]!;
      expect(task.body).toMatchObject({ model: 'demo/checkpoint-xl', size: '256x320', seed: 1234, steps: 6, guidance: 7, loras: { 'demo/lora-ink': 0.6, 'demo/lora-car': 0.4 } });

      fake.reset();
      const anonymous = new ModelScopeInferenceProvider({ ...TIMING, baseUrl: fake.baseUrl });
      const error = await anonymous.generate(contractRequest(), { signal: signal() }).catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'auth' });
      expect((error as Error).message).toContain('请配置 API Key');
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('encodes LoRAs as the API wants: one as its id, several with weights summing to 1; negative weights are unsupported', () => {
    expect(modelScopeLoras({ loras: [{ id: 'a/b', weight: 0.8 }] }, 'p').loras).toBe('a/b');
    const several = modelScopeLoras({ loras: [{ id: 'a', weight: 0.8 }, { id: 'b', weight: 0.8 }, { id: 'c', weight: 0.4 }] }, 'p');
    expect(several.loras).toEqual({ a: 0.4, b: 0.4, c: 0.2 });
    expect(several.note).toContain('权重之和为 1');
    expect(() => modelScopeLoras({ loras: [{ id: 'a', weight: -0.5 }] }, 'p')).toThrow(GenerationError);
  });
});

describe('A1111 and ComfyUI specifics', () => {
  it('A1111 gets LoRAs as prompt tags and the checkpoint as an override setting; ComfyUI gets the node graph', async () => {
    const a1111 = await startFakeA1111({ stepMs: 1, progressSteps: 2 });
    const comfy = await startFakeComfyUI({ stepMs: 1, progressSteps: 2 });
    try {
      await new A1111Provider({ ...TIMING, baseUrl: a1111.baseUrl }).generate(contractRequest(), { signal: signal() });
      expect(a1111.jobs[0]).toMatchObject({
        prompt: '水墨山水，远山与孤舟, masterpiece, <lora:demo/lora-ink:0.6>, <lora:demo/lora-car:0.4>',
        override_settings: { sd_model_checkpoint: 'demo/checkpoint-xl' }, sampler_name: 'DPM++ 2M Karras', seed: 1234, batch_size: 1,
      });
      await new ComfyUIProvider({ ...TIMING, baseUrl: comfy.baseUrl, pollIntervalMs: 20 }).generate(contractRequest({ batch: 2 }), { signal: signal() });
      const classes = Object.values(comfy.prompts[0]!).map((n) => n.class_type);
      expect(classes).toEqual([
        'CheckpointLoaderSimple', 'LoraLoader', 'LoraLoader', 'CLIPTextEncode', 'CLIPTextEncode',
        'EmptyLatentImage', 'KSampler', 'VAEDecode', 'SaveImage', 'EmptyLatentImage', 'KSampler', 'VAEDecode', 'SaveImage',
      ]);
      await expect.poll(() => comfy.socketCount).toBe(0); // the progress socket is closed after the run
    } finally {
      await Promise.all([a1111.close(), comfy.close()]);
    }
  });
});
