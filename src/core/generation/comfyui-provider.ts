// ComfyUI (docs/upstream.md §4.2): the request becomes an API-format graph (comfyui-graph.ts), queued with
// `POST /prompt` under our client_id; progress arrives over the websocket `/ws?clientId=`; `/history/{id}`
// is the source of truth for completion and outputs (polled, and re-read whenever the socket says the
// prompt finished, so a lost socket only slows progress); images come from `/view`. Abort → `/interrupt`
// and the prompt is deleted from the queue if it has not started.
import { randomUUID } from 'node:crypto';
import { detectFormat } from '../media/image-format.ts';
import { buildComfyGraph } from './comfyui-graph.ts';
import type { ResolvedGenerationRequest } from './generation-request.ts';
import { GenerationError, type GeneratedImage, type GenerationProvider, type GenerationRunOptions } from './generation-provider.ts';
import { DEFAULT_PROVIDER_HTTP, malformed, providerFetch, readBytes, readJson, throwIfCancelled, withRetry, type ProviderCall, type ProviderHttpOptions } from './provider-http.ts';

export interface ComfyUIProviderOptions {
  /** e.g. http://127.0.0.1:8188 (COMFYUI_BASE_URL). */
  baseUrl: string;
  http?: Partial<ProviderHttpOptions>;
  /** Between reads of /history while waiting (the socket wakes the wait early). */
  pollIntervalMs?: number;
  /** Longest a prompt may take from queueing to its outputs. */
  runTimeoutMs?: number;
  /** The WebSocket class (the global one of Node ≥ 22 by default). */
  WebSocket?: typeof WebSocket;
}

const AUTH_MESSAGE = 'ComfyUI 拒绝了请求（需要登录）：请检查 COMFYUI_BASE_URL 指向的服务器';

interface HistoryEntry {
  outputs?: Record<string, { images?: Array<{ filename?: unknown; subfolder?: unknown; type?: unknown }> }>;
  status?: { status_str?: unknown; completed?: unknown; messages?: unknown };
}

/** The message of an execution_error in a history entry's status messages, if any. */
function executionError(entry: HistoryEntry): string | null {
  if (entry.status?.status_str !== 'error') return null;
  const messages = Array.isArray(entry.status.messages) ? entry.status.messages : [];
  for (const message of messages) {
    if (Array.isArray(message) && message[0] === 'execution_error') {
      const data = message[1] as { exception_message?: unknown; node_type?: unknown } | undefined;
      return `${typeof data?.node_type === 'string' ? `${data.node_type}：` : ''}${typeof data?.exception_message === 'string' ? data.exception_message : '执行出错'}`;
    }
    if (Array.isArray(message) && message[0] === 'execution_interrupted') return '执行被中断';
  }
  return '执行出错';
}

export class ComfyUIProvider implements GenerationProvider {
  readonly kind = 'comfyui' as const;
  readonly name: string;
  readonly billed = false;
  readonly #base: string;
  readonly #http: ProviderHttpOptions;
  readonly #pollIntervalMs: number;
  readonly #runTimeoutMs: number;
  readonly #WebSocket: typeof WebSocket;

  constructor(options: ComfyUIProviderOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#http = { ...DEFAULT_PROVIDER_HTTP, ...options.http };
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#runTimeoutMs = options.runTimeoutMs ?? 600_000;
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this.name = `comfyui@${new URL(this.#base).host}`;
  }

  async generate(request: ResolvedGenerationRequest, options: GenerationRunOptions): Promise<GeneratedImage[]> {
    const call: ProviderCall = { provider: this.name, signal: options.signal, http: this.#http, authMessage: AUTH_MESSAGE };
    throwIfCancelled(call);
    const { graph, outputs } = buildComfyGraph(request);
    const samplers = new Map(outputs.map((output, i) => [output.sampler, i]));
    const clientId = randomUUID();
    const fractions = new Array<number>(request.batch).fill(0);
    let reported = 0;
    let promptId: string | undefined;
    let wake = new AbortController();

    const socket = await this.#openSocket(clientId, options.signal);
    const onMessage = (event: MessageEvent): void => {
      if (typeof event.data !== 'string') return; // binary frames are previews
      let message: { type?: unknown; data?: { prompt_id?: unknown; node?: unknown; value?: unknown; max?: unknown } };
      try {
        message = JSON.parse(event.data) as typeof message;
      } catch {
        return;
      }
      const data = message.data;
      if (!data || promptId === undefined || data.prompt_id !== promptId) return;
      if (message.type === 'progress' && typeof data.value === 'number' && typeof data.max === 'number' && data.max > 0) {
        const index = samplers.get(String(data.node));
        if (index === undefined) return;
        fractions[index] = Math.max(fractions[index]!, Math.min(1, data.value / data.max));
        const progress = (0.95 * fractions.reduce((a, b) => a + b, 0)) / request.batch;
        if (progress > reported) {
          reported = progress;
          options.onProgress?.({ progress, message: `ComfyUI 采样 ${index + 1}/${request.batch}：${data.value}/${data.max}` });
        }
      } else if ((message.type === 'executing' && data.node === null) || message.type === 'execution_success' || message.type === 'execution_error' || message.type === 'execution_interrupted') {
        wake.abort();
      }
    };
    socket?.addEventListener('message', onMessage);

    const abortUpstream = (): void => {
      const quiet = { signal: AbortSignal.timeout(5000) };
      void this.#http.fetch(`${this.#base}/interrupt`, { method: 'POST', ...quiet }).then((r) => r.body?.cancel()).catch(() => undefined);
      if (promptId !== undefined) {
        void this.#http
          .fetch(`${this.#base}/queue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delete: [promptId] }), ...quiet })
          .then((r) => r.body?.cancel())
          .catch(() => undefined);
      }
    };
    options.signal.addEventListener('abort', abortUpstream, { once: true });
    try {
      const queued = await withRetry(async () => {
        const response = await providerFetch(`${this.#base}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: graph, client_id: clientId }) }, call);
        return readJson(response, call, 'ComfyUI /prompt 的应答');
      }, call);
      const id = (queued as { prompt_id?: unknown } | null)?.prompt_id;
      if (typeof id !== 'string' || id === '') throw malformed(this.name, 'ComfyUI /prompt 的应答里没有 prompt_id');
      promptId = id;
      reported = Math.max(reported, 0.01);
      options.onProgress?.({ progress: reported, message: `ComfyUI 已排队：${id}` });

      const deadline = Date.now() + this.#runTimeoutMs;
      let entry: HistoryEntry | undefined;
      for (;;) {
        const history = (await withRetry(async () => readJson(await providerFetch(`${this.#base}/history/${encodeURIComponent(id)}`, {}, call), call, 'ComfyUI /history 的应答'), call)) as Record<string, HistoryEntry> | null;
        if (history === null || typeof history !== 'object' || Array.isArray(history)) throw malformed(this.name, 'ComfyUI /history 的应答不是对象');
        entry = history[id];
        if (entry && (entry.status?.completed === true || entry.status?.status_str === 'error')) break;
        if (Date.now() > deadline) throw new GenerationError('unavailable', `ComfyUI 任务 ${id} 在 ${Math.round(this.#runTimeoutMs / 1000)} 秒内没有完成`, this.name);
        await this.#http.delay(this.#pollIntervalMs, AbortSignal.any([options.signal, wake.signal]));
        wake = new AbortController();
        throwIfCancelled(call);
      }
      const failure = executionError(entry);
      if (failure !== null) throw new GenerationError('failed', `ComfyUI 任务 ${id} 失败：${failure}`, this.name);
      const images: GeneratedImage[] = [];
      for (const output of outputs) {
        const ref = entry.outputs?.[output.node]?.images?.[0];
        if (!ref || typeof ref.filename !== 'string') throw malformed(this.name, `ComfyUI 任务 ${id} 的 SaveImage 节点 ${output.node} 没有输出图片`);
        const query = new URLSearchParams({ filename: ref.filename, subfolder: typeof ref.subfolder === 'string' ? ref.subfolder : '', type: typeof ref.type === 'string' ? ref.type : 'output' });
        const bytes = await withRetry(async () => readBytes(await providerFetch(`${this.#base}/view?${query}`, {}, call), call, 'ComfyUI 输出图片'), call);
        if (detectFormat(bytes)?.kind !== 'image') throw malformed(this.name, `ComfyUI 任务 ${id} 的输出 ${ref.filename} 不是图片`);
        images.push({ bytes, seed: output.seed });
      }
      options.onProgress?.({ progress: 1, message: `ComfyUI 完成 ${images.length} 张` });
      return images;
    } finally {
      options.signal.removeEventListener('abort', abortUpstream);
      socket?.removeEventListener('message', onMessage);
      socket?.close();
    }
  }

  /** The progress socket, or null when it cannot be opened (the run still completes by polling /history). */
  async #openSocket(clientId: string, signal: AbortSignal): Promise<WebSocket | null> {
    const url = new URL(`${this.#base}/ws`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('clientId', clientId);
    let socket: WebSocket;
    try {
      socket = new this.#WebSocket(url);
    } catch {
      return null;
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), Math.min(this.#http.timeoutMs, 10_000));
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        socket.removeEventListener('open', onOpen);
        socket.removeEventListener('error', onError);
        signal.removeEventListener('abort', onError);
        if (!ok) socket.close();
        resolve(ok ? socket : null);
      };
      const onOpen = (): void => finish(true);
      const onError = (): void => finish(false);
      socket.addEventListener('open', onOpen);
      socket.addEventListener('error', onError);
      signal.addEventListener('abort', onError, { once: true });
    });
  }
}
