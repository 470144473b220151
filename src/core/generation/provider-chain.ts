// The configured providers in order (GENERATION_PROVIDERS): a run goes to the first; a failure that names
// another provider as the way forward (quota, auth, unavailable, unsupported: GenerationError.fallsBack) moves
// it to the next, after `unavailable` has been retried on the same provider with backoff. Failures that
// another provider would repeat (the task failed, a malformed answer) or a cancellation end the run.
import type { ResolvedGenerationRequest } from './generation-request.ts';
import { GenerationError, type GeneratedImage, type GenerationProvider, type GenerationRunOptions } from './generation-provider.ts';
import { abortableDelay } from './provider-http.ts';

export interface ProviderChainOptions {
  /** Whole-run retries of a provider that failed `unavailable` before falling back (its calls already retried). Default 1. */
  unavailableRetries?: number;
  /** First backoff in ms, doubling (default 1000); a longer Retry-After wins, up to 60 s. */
  retryBaseMs?: number;
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface ChainAttempt {
  provider: string;
  /** The failure, or null for the attempt that served the run. */
  error: GenerationError | null;
}

export interface ChainResult {
  images: GeneratedImage[];
  /** The provider that served the run (for the job's record and the output's recipe). */
  provider: GenerationProvider;
  /** Every attempt in order, the serving one last. */
  attempts: ChainAttempt[];
}

export interface ChainRunOptions extends GenerationRunOptions {
  /** Only these providers (by kind or name), in the chain's order; e.g. the CLI's --provider. */
  only?: readonly string[];
  /** Told before each attempt (for the job's log). */
  onAttempt?: (provider: GenerationProvider, attempt: number) => void;
}

const MAX_RETRY_AFTER_MS = 60_000;

export class ProviderChain {
  readonly providers: readonly GenerationProvider[];
  readonly #unavailableRetries: number;
  readonly #retryBaseMs: number;
  readonly #delay: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(providers: readonly GenerationProvider[], options: ProviderChainOptions = {}) {
    this.providers = providers;
    this.#unavailableRetries = options.unavailableRetries ?? 1;
    this.#retryBaseMs = options.retryBaseMs ?? 1000;
    this.#delay = options.delay ?? abortableDelay;
  }

  /** The providers a run with `only` would try, in order. */
  select(only?: readonly string[]): GenerationProvider[] {
    if (!only || only.length === 0) return [...this.providers];
    return this.providers.filter((p) => only.includes(p.kind) || only.includes(p.name));
  }

  async generate(request: ResolvedGenerationRequest, options: ChainRunOptions): Promise<ChainResult> {
    const providers = this.select(options.only);
    if (providers.length === 0) {
      const configured = this.providers.map((p) => p.kind).join(', ') || '无';
      throw new GenerationError('unavailable', `没有可用的生成服务（已配置：${configured}；请检查 GENERATION_PROVIDERS）`, 'chain');
    }
    const attempts: ChainAttempt[] = [];
    for (const provider of providers) {
      for (let attempt = 0; ; attempt++) {
        if (options.signal.aborted) throw new GenerationError('cancelled', '生成已取消', provider.name);
        options.onAttempt?.(provider, attempt + 1);
        try {
          const images = await provider.generate(request, options);
          attempts.push({ provider: provider.name, error: null });
          return { images, provider, attempts };
        } catch (error) {
          if (!(error instanceof GenerationError)) throw error;
          attempts.push({ provider: provider.name, error });
          if (!error.fallsBack) throw error;
          if (error.kind !== 'unavailable' || attempt >= this.#unavailableRetries) break;
          const wait = Math.max(this.#retryBaseMs * 2 ** attempt, Math.min((error.retryAfterSeconds ?? 0) * 1000, MAX_RETRY_AFTER_MS));
          options.onProgress?.({ progress: 0, message: `${provider.name} 暂时不可用，${Math.ceil(wait / 1000)} 秒后重试` });
          await this.#delay(wait, options.signal);
        }
      }
      const last = attempts.at(-1)!.error!;
      if (provider !== providers.at(-1)) options.onProgress?.({ progress: 0, message: `${provider.name} 失败（${last.message}），改用下一个生成服务` });
    }
    throw chainFailure(attempts);
  }
}

/** All providers failed: the last failure's kind (what happens next), with every provider's reason. */
function chainFailure(attempts: ChainAttempt[]): GenerationError {
  const failures = attempts.filter((a) => a.error !== null);
  const last = failures.at(-1)!.error!;
  if (failures.length === 1) return last;
  // One line per provider, the last try of each.
  const byProvider = new Map(failures.map((a) => [a.provider, a.error!.message]));
  const message = `所有生成服务都失败了：${[...byProvider].map(([p, m]) => `${p}：${m}`).join('；')}`;
  return new GenerationError(last.kind, message, last.provider, last.retryAfterSeconds, { cause: new AggregateError(failures.map((a) => a.error), message) });
}
