// The one place providers are built from configuration: the server's start-up and the `ingest generate`
// command call it (composition roots), so both run the same providers in the same order.
import type { GenerationConfig } from '../env.ts';
import { A1111Provider } from './a1111-provider.ts';
import { ComfyUIProvider } from './comfyui-provider.ts';
import type { GenerationProvider } from './generation-provider.ts';
import { ModelScopeInferenceProvider } from './modelscope-inference-provider.ts';
import { ProviderChain, type ProviderChainOptions } from './provider-chain.ts';
import type { ProviderHttpOptions } from './provider-http.ts';

export interface ProviderTuning {
  /** Overrides of the HTTP behaviour (tests shrink the retry backoff). */
  http?: Partial<ProviderHttpOptions>;
  /** Poll intervals in ms: ModelScope tasks, A1111 progress, ComfyUI history (tests and the demo shorten them). */
  pollIntervalMs?: number;
}

/** The configured providers, in GENERATION_PROVIDERS order. */
export function createGenerationProviders(config: GenerationConfig, tuning: ProviderTuning = {}): GenerationProvider[] {
  const http = { timeoutMs: config.timeoutMs, ...tuning.http };
  const common = { http, runTimeoutMs: config.runTimeoutMs };
  return config.providers.map((kind): GenerationProvider => {
    switch (kind) {
      case 'modelscope':
        return new ModelScopeInferenceProvider({ ...common, baseUrl: config.modelscope.baseUrl, apiToken: config.modelscope.apiToken, pollIntervalMs: tuning.pollIntervalMs });
      case 'a1111':
        return new A1111Provider({ ...common, baseUrl: config.a1111.baseUrl, progressIntervalMs: tuning.pollIntervalMs });
      case 'comfyui':
        return new ComfyUIProvider({ ...common, baseUrl: config.comfyui.baseUrl, pollIntervalMs: tuning.pollIntervalMs });
    }
  });
}

/** The configured providers as a fallback chain. */
export function createProviderChain(config: GenerationConfig, tuning: ProviderTuning & ProviderChainOptions = {}): ProviderChain {
  return new ProviderChain(createGenerationProviders(config, tuning), tuning);
}
