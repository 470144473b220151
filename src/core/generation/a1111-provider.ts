// AUTOMATIC1111 / Forge WebUI started with --api (docs/upstream.md §4.1): one blocking
// `POST /sdapi/v1/txt2img` (LoRAs written into the prompt as <lora:name:weight>, the checkpoint as an
// override setting), `GET /sdapi/v1/progress` polled beside it, `POST /sdapi/v1/interrupt` when the run is
// aborted. What a creator runs on their own GPU: no token, not billed.
import { detectFormat } from '../media/image-format.ts';
import type { ResolvedGenerationRequest } from './generation-request.ts';
import { GenerationError, type GeneratedImage, type GenerationProvider, type GenerationRunOptions } from './generation-provider.ts';
import { DEFAULT_PROVIDER_HTTP, malformed, providerFetch, readJson, throwIfCancelled, withRetry, type ProviderCall, type ProviderHttpOptions } from './provider-http.ts';

export interface A1111ProviderOptions {
  /** e.g. http://127.0.0.1:7860 (A1111_BASE_URL). */
  baseUrl: string;
  http?: Partial<ProviderHttpOptions>;
  /** Between polls of /sdapi/v1/progress. */
  progressIntervalMs?: number;
  /** Longest the blocking txt2img call may take (it lasts as long as the images take to draw). */
  runTimeoutMs?: number;
}

const AUTH_MESSAGE = 'A1111 要求登录（--api-auth）：请在服务器配置里把账号写进 A1111_BASE_URL（http://user:pass@host:7860）';

/** The prompt with each LoRA appended as A1111's extra-network tag. */
function a1111Prompt(request: Pick<ResolvedGenerationRequest, 'prompt' | 'loras'>, provider: string): string {
  const tags = request.loras.map((lora) => {
    // A name with ':' '<' or '>' would break the tag's syntax (and could smuggle another one in).
    if (/[<>:]/.test(lora.id)) throw new GenerationError('unsupported', `LoRA 名称 ${JSON.stringify(lora.id)} 含有 A1111 提示词语法字符（: < >）`, provider);
    return `<lora:${lora.id}:${lora.weight}>`;
  });
  return tags.length === 0 ? request.prompt : `${request.prompt}, ${tags.join(', ')}`;
}

/** The txt2img body for a request (the fields of docs/upstream.md §4.1; nothing the client sent verbatim). */
function a1111Txt2ImgBody(request: ResolvedGenerationRequest, provider: string): Record<string, unknown> {
  return {
    prompt: a1111Prompt(request, provider),
    negative_prompt: request.negativePrompt,
    seed: request.seed,
    sampler_name: request.sampler,
    steps: request.steps,
    cfg_scale: request.cfgScale,
    width: request.width,
    height: request.height,
    batch_size: request.batch,
    n_iter: 1,
    override_settings: { sd_model_checkpoint: request.checkpoint.id },
    override_settings_restore_afterwards: true,
    send_images: true,
    save_images: false,
  };
}

/** Splits a base URL's user:pass (for --api-auth) from the URL fetch is given. */
function splitAuth(baseUrl: string): { base: string; authorization: string | undefined } {
  const url = new URL(baseUrl);
  const authorization = url.username ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` : undefined;
  url.username = '';
  url.password = '';
  return { base: url.href.replace(/\/+$/, ''), authorization };
}

export class A1111Provider implements GenerationProvider {
  readonly kind = 'a1111' as const;
  readonly name: string;
  readonly billed = false;
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #http: ProviderHttpOptions;
  readonly #progressIntervalMs: number;
  readonly #runTimeoutMs: number;

  constructor(options: A1111ProviderOptions) {
    const { base, authorization } = splitAuth(options.baseUrl);
    this.#base = base;
    this.#headers = authorization ? { authorization } : {};
    this.#http = { ...DEFAULT_PROVIDER_HTTP, ...options.http };
    this.#progressIntervalMs = options.progressIntervalMs ?? 500;
    this.#runTimeoutMs = options.runTimeoutMs ?? 600_000;
    this.name = `a1111@${new URL(base).host}`;
  }

  async generate(request: ResolvedGenerationRequest, options: GenerationRunOptions): Promise<GeneratedImage[]> {
    const call: ProviderCall = { provider: this.name, signal: options.signal, http: this.#http, authMessage: AUTH_MESSAGE };
    throwIfCancelled(call);
    const body = JSON.stringify(a1111Txt2ImgBody(request, this.name));

    // Abort → interrupt the sampler upstream (best effort), and the blocking call below is aborted too.
    const interrupt = (): void => {
      void this.#http
        .fetch(`${this.#base}/sdapi/v1/interrupt`, { method: 'POST', headers: this.#headers, signal: AbortSignal.timeout(5000) })
        .then((r) => r.body?.cancel())
        .catch(() => undefined);
    };
    options.signal.addEventListener('abort', interrupt, { once: true });
    const polling = new AbortController();
    let reported = 0;
    const pollProgress = async (): Promise<void> => {
      const pollSignal = AbortSignal.any([polling.signal, options.signal]);
      while (!pollSignal.aborted) {
        await this.#http.delay(this.#progressIntervalMs, pollSignal);
        if (pollSignal.aborted) return;
        try {
          const response = await this.#http.fetch(`${this.#base}/sdapi/v1/progress?skip_current_image=true`, { headers: this.#headers, signal: AbortSignal.any([pollSignal, AbortSignal.timeout(this.#http.timeoutMs)]) });
          if (!response.ok) {
            await response.body?.cancel();
            continue;
          }
          const state = (await response.json()) as { progress?: unknown; state?: { sampling_step?: unknown; sampling_steps?: unknown } };
          const progress = typeof state.progress === 'number' ? Math.min(0.99, Math.max(0, state.progress)) : 0;
          if (progress > reported && !polling.signal.aborted) {
            reported = progress;
            const step = state.state?.sampling_step;
            const steps = state.state?.sampling_steps;
            options.onProgress?.({ progress, message: typeof step === 'number' && typeof steps === 'number' ? `A1111 采样 ${step}/${steps}` : undefined });
          }
        } catch {
          // Progress is advisory: a failed poll never fails the run.
        }
      }
    };
    const poller = pollProgress();
    try {
      const result = await withRetry(async () => {
        const response = await providerFetch(`${this.#base}/sdapi/v1/txt2img`, { method: 'POST', headers: { ...this.#headers, 'content-type': 'application/json' }, body }, { ...call, timeoutMs: this.#runTimeoutMs, refine: (status, text) => this.#taskFailure(status, text) });
        return readJson(response, call, 'A1111 txt2img 的应答');
      }, call);
      throwIfCancelled(call);
      const images = this.#images(result, request);
      options.onProgress?.({ progress: 1, message: `A1111 完成 ${images.length} 张` });
      return images;
    } finally {
      polling.abort();
      options.signal.removeEventListener('abort', interrupt);
      await poller;
    }
  }

  /**
   * A1111 answers an exception raised while generating (out of memory, a missing model) with HTTP 500 and
   * its middleware's JSON {error, detail, body, errors}: the task failed, and running it again would too.
   * A 5xx without that body is the server or a proxy, worth retrying.
   */
  #taskFailure(status: number, text: string): GenerationError | null {
    if (status !== 500) return null;
    try {
      const body = JSON.parse(text) as { error?: unknown; errors?: unknown };
      if (typeof body.error !== 'string') return null;
      return new GenerationError('failed', `A1111 生成失败：${body.error}${typeof body.errors === 'string' && body.errors ? `（${body.errors.slice(0, 200)}）` : ''}`, this.name);
    } catch {
      return null;
    }
  }

  #images(result: unknown, request: ResolvedGenerationRequest): GeneratedImage[] {
    const { images, info } = (result ?? {}) as { images?: unknown; info?: unknown };
    if (!Array.isArray(images) || !images.every((i) => typeof i === 'string')) throw malformed(this.name, 'A1111 txt2img 的应答里没有 images 数组');
    let parsed: { all_seeds?: unknown; index_of_first_image?: unknown } = {};
    if (typeof info === 'string') {
      try {
        parsed = JSON.parse(info) as typeof parsed;
      } catch {
        throw malformed(this.name, 'A1111 txt2img 的 info 不是 JSON');
      }
    }
    // With batch > 1 A1111 may put a grid first; info says where the images start.
    const first = typeof parsed.index_of_first_image === 'number' ? parsed.index_of_first_image : Math.max(0, images.length - request.batch);
    const picked = (images as string[]).slice(first, first + request.batch);
    if (picked.length < request.batch) {
      throw new GenerationError('failed', `A1111 只返回了 ${picked.length}/${request.batch} 张图（生成被中断？）`, this.name);
    }
    const seeds = Array.isArray(parsed.all_seeds) ? parsed.all_seeds : [];
    return picked.map((b64, i) => {
      const bytes = new Uint8Array(Buffer.from(b64.replace(/^data:image\/\w+;base64,/, ''), 'base64'));
      if (detectFormat(bytes)?.kind !== 'image') throw malformed(this.name, `A1111 返回的第 ${i + 1} 张不是图片`);
      const seed = seeds[i];
      return { bytes, seed: typeof seed === 'number' && Number.isInteger(seed) ? seed : request.seed + i };
    });
  }
}
