// ModelScope API-Inference (docs/upstream.md §2.4): submit `POST /v1/images/generations` in async mode, poll
// `GET /v1/tasks/{task_id}` until SUCCEED or FAILED, download `output_images`. One task per batch image
// (the API has no batch size), each with its own seed. The token goes only to the API host, as a Bearer
// header, never into a URL, a message or a log line.
import { detectFormat } from '../media/image-format.ts';
import type { ResolvedGenerationRequest } from './generation-request.ts';
import { GenerationError, type GeneratedImage, type GenerationProvider, type GenerationRunOptions } from './generation-provider.ts';
import { DEFAULT_PROVIDER_HTTP, malformed, providerFetch, readBytes, readJson, throwIfCancelled, withRetry, type ProviderCall, type ProviderHttpOptions } from './provider-http.ts';

const MODELSCOPE_INFERENCE_BASE = 'https://api-inference.modelscope.cn';
/** Seeds the API accepts: 0 … 2^31-1 (docs/upstream.md §2.4). Larger seeds wrap into it. */
const MODELSCOPE_MAX_SEED = 2 ** 31 - 1;
/** The API's guidance range. */
const GUIDANCE = { min: 1.5, max: 20 } as const;
/** At most this many LoRAs per task. */
const MAX_LORAS = 6;

const MODELSCOPE_AUTH_MESSAGE = '请配置 API Key：设置 MODELSCOPE_API_TOKEN，或在生成页填入你的 ModelScope 访问令牌（仅本次使用）';

export interface ModelScopeInferenceOptions {
  /** `https://api-inference.modelscope.cn` (MODELSCOPE_INFERENCE_BASE); the fake's origin in tests and the demo. */
  baseUrl?: string;
  /** The server's token (MODELSCOPE_API_TOKEN); a run's `apiToken` overrides it. */
  apiToken?: string;
  http?: Partial<ProviderHttpOptions>;
  /** Between polls of a task (the official MCP server waits 5 s). */
  pollIntervalMs?: number;
  /** Longest a task may take from submit to SUCCEED before the run gives up as `unavailable`. */
  runTimeoutMs?: number;
}

/** The `loras` body field: one id as a string, several as {id: weight} with weights summing to 1 (the API's rule). */
export function modelScopeLoras(request: Pick<ResolvedGenerationRequest, 'loras'>, provider: string): { loras?: string | Record<string, number>; note?: string } {
  const loras = request.loras;
  if (loras.length === 0) return {};
  if (loras.length > MAX_LORAS) throw new GenerationError('unsupported', `ModelScope 每次最多 ${MAX_LORAS} 个 LoRA`, provider);
  if (loras.some((l) => l.weight <= 0)) throw new GenerationError('unsupported', 'ModelScope 不支持 0 或负数权重的 LoRA，请调整权重或改用本地 A1111/ComfyUI', provider);
  if (loras.length === 1) {
    const only = loras[0]!;
    return { loras: only.id, note: only.weight === 1 ? undefined : `ModelScope 单个 LoRA 不接受权重，按 1.0 使用（请求为 ${only.weight}）` };
  }
  const sum = loras.reduce((total, l) => total + l.weight, 0);
  const weights: Record<string, number> = {};
  for (const l of loras) weights[l.id] = Math.round((l.weight / sum) * 1000) / 1000;
  // Rounding may leave the sum a thousandth off 1; the last LoRA absorbs it.
  const last = loras.at(-1)!.id;
  weights[last] = Math.round((1 - Object.entries(weights).filter(([id]) => id !== last).reduce((t, [, w]) => t + w, 0)) * 1000) / 1000;
  const unchanged = Math.abs(sum - 1) < 1e-9;
  return { loras: weights, note: unchanged ? undefined : `ModelScope 要求 LoRA 权重之和为 1，已按比例换算：${Object.entries(weights).map(([id, w]) => `${id}:${w}`).join(', ')}` };
}

function taskBody(request: ResolvedGenerationRequest, seed: number, loras: string | Record<string, number> | undefined): Record<string, unknown> {
  return {
    model: request.checkpoint.id,
    prompt: request.prompt,
    ...(request.negativePrompt ? { negative_prompt: request.negativePrompt } : {}),
    size: `${request.width}x${request.height}`,
    seed,
    steps: request.steps,
    guidance: Math.min(GUIDANCE.max, Math.max(GUIDANCE.min, request.cfgScale)),
    ...(loras === undefined ? {} : { loras }),
  };
}

export class ModelScopeInferenceProvider implements GenerationProvider {
  readonly kind = 'modelscope' as const;
  readonly name: string;
  readonly billed = true;
  readonly #baseUrl: string;
  readonly #token: string | undefined;
  readonly #http: ProviderHttpOptions;
  readonly #pollIntervalMs: number;
  readonly #runTimeoutMs: number;

  constructor(options: ModelScopeInferenceOptions = {}) {
    this.#baseUrl = (options.baseUrl ?? MODELSCOPE_INFERENCE_BASE).replace(/\/+$/, '');
    this.#token = options.apiToken || undefined;
    this.#http = { ...DEFAULT_PROVIDER_HTTP, ...options.http };
    this.#pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.#runTimeoutMs = options.runTimeoutMs ?? 600_000;
    this.name = `modelscope@${new URL(this.#baseUrl).host}`;
  }

  async generate(request: ResolvedGenerationRequest, options: GenerationRunOptions): Promise<GeneratedImage[]> {
    // The batch's tasks share one signal: the first failure stops the others' polling (the API has no cancel).
    const sibling = new AbortController();
    const signal = AbortSignal.any([options.signal, sibling.signal]);
    const call: ProviderCall = { provider: this.name, signal, http: this.#http, authMessage: MODELSCOPE_AUTH_MESSAGE };
    throwIfCancelled(call);
    const token = options.apiToken || this.#token;
    // No token: ModelScope would answer 401; say so without a network call.
    if (!token) throw new GenerationError('auth', MODELSCOPE_AUTH_MESSAGE, this.name);
    const { loras, note } = modelScopeLoras(request, this.name);
    if (note) options.onProgress?.({ progress: 0, message: note });
    if (request.cfgScale < GUIDANCE.min || request.cfgScale > GUIDANCE.max) {
      options.onProgress?.({ progress: 0, message: `ModelScope 的 guidance 范围是 ${GUIDANCE.min}–${GUIDANCE.max}，CFG ${request.cfgScale} 已调整` });
    }

    // Progress: the API reports none, so each task's share moves submit → polls → download, never backwards.
    const shares = new Array<number>(request.batch).fill(0);
    let reported = 0;
    const report = (index: number, share: number, message?: string): void => {
      shares[index] = Math.max(shares[index]!, share);
      const progress = shares.reduce((a, b) => a + b, 0) / request.batch;
      if (progress > reported || message) {
        reported = Math.max(reported, progress);
        options.onProgress?.({ progress: reported, message });
      }
    };

    const headers = { authorization: `Bearer ${token}` };
    const runOne = async (index: number): Promise<GeneratedImage> => {
      const seed = (request.seed + index) % (MODELSCOPE_MAX_SEED + 1);
      const submitted = await withRetry(async () => {
        const response = await providerFetch(`${this.#baseUrl}/v1/images/generations`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'x-modelscope-async-mode': 'true' },
          body: JSON.stringify(taskBody(request, seed, loras)),
        }, call);
        return readJson(response, call, 'ModelScope 提交任务的应答');
      }, call);
      const taskId = (submitted as { task_id?: unknown } | null)?.task_id;
      if (typeof taskId !== 'string' || taskId === '') throw malformed(this.name, 'ModelScope 提交任务的应答里没有 task_id');
      report(index, 0.05, `ModelScope 任务已提交：${taskId}`);

      const deadline = Date.now() + this.#runTimeoutMs;
      let lastStatus = '';
      for (let poll = 1; ; poll++) {
        const task = (await withRetry(async () => {
          const response = await providerFetch(`${this.#baseUrl}/v1/tasks/${encodeURIComponent(taskId)}`, {
            headers: { ...headers, 'x-modelscope-task-type': 'image_generation' },
          }, call);
          return readJson(response, call, 'ModelScope 任务状态');
        }, call)) as { task_status?: unknown; output_images?: unknown; errors?: { message?: unknown } } | null;
        const status = task?.task_status;
        if (typeof status !== 'string') throw malformed(this.name, `ModelScope 任务 ${taskId} 的应答里没有 task_status`);
        if (status === 'SUCCEED') {
          const url = Array.isArray(task!.output_images) ? task!.output_images[0] : undefined;
          if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw malformed(this.name, `ModelScope 任务 ${taskId} 成功了，但 output_images 里没有图片地址`);
          report(index, 0.9, `ModelScope 任务 ${taskId} 完成，下载图片`);
          const bytes = await withRetry(async () => readBytes(await providerFetch(url, {}, call), call, 'ModelScope 输出图片'), call);
          if (detectFormat(bytes)?.kind !== 'image') throw malformed(this.name, `ModelScope 任务 ${taskId} 的输出不是图片`);
          report(index, 1);
          return { bytes, seed };
        }
        if (status === 'FAILED') {
          const reason = typeof task!.errors?.message === 'string' ? task!.errors.message : '未说明原因';
          throw new GenerationError('failed', `ModelScope 任务 ${taskId} 失败：${reason}`, this.name);
        }
        // Any other status is "still working" (the non-terminal values are not documented).
        if (Date.now() > deadline) {
          throw new GenerationError('unavailable', `ModelScope 任务 ${taskId} 在 ${Math.round(this.#runTimeoutMs / 1000)} 秒内没有完成（状态 ${status}）`, this.name);
        }
        report(index, 0.05 + 0.8 * (1 - 0.85 ** poll), status !== lastStatus ? `ModelScope 任务 ${taskId}：${status}` : undefined);
        lastStatus = status;
        await this.#http.delay(this.#pollIntervalMs, signal);
        throwIfCancelled(call);
      }
    };
    // Batch tasks run side by side; one failure fails the run and stops the rest.
    try {
      return await Promise.all(Array.from({ length: request.batch }, (_, i) => runOne(i)));
    } catch (error) {
      sibling.abort();
      throw error;
    }
  }
}
