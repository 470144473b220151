// Generation jobs: submit (quota, a fixed seed), run (providers in order with fallback, per-provider slots,
// timeout, cancellation, retries of retryable failures only), outputs to the BlobStore, and recovery of jobs
// a restart cut off. The generation_jobs row is the truth; the JobQueue (its own queue: in-process over the
// jobs table, or BullMQ) only carries "run job X", so a duplicate delivery finds the row taken and does
// nothing. Tokens a user pastes live in this process's memory only, for the life of their job.
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { BlobStore } from '../../core/blob/blob-store.ts';
import type { GenerationConfig } from '../../core/env.ts';
import { errorMessage, NotFoundError, RateLimitedError, ConflictError, InvalidInputError, UnavailableError } from '../../core/errors.ts';
import { GenerationError, type GeneratedImage, type GenerationProvider, type GenerationProviderKind } from '../../core/generation/generation-provider.ts';
import { encodeGenerationOutput, generationParameters, generationOutputKey } from '../../core/generation/generation-output.ts';
import { ProviderChain } from '../../core/generation/provider-chain.ts';
import type { GenerationRequest, ResolvedGenerationRequest } from '../../core/generation/generation-request.ts';
import type { GenerationOutput } from '../../core/domain/generation-output.ts';
import type { Logger } from '../../core/log.ts';
import type { GenerationJob, Store, User, WorkModelInput } from '../../core/store/store.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { ProviderSlots } from './provider-slots.ts';

const DAY_MS = 86_400_000;
const LOG_LINES = 50;
const FINAL = new Set(['complete', 'failed', 'cancelled']);

export interface GenerationServiceOptions {
  store: Store;
  blobs: BlobStore;
  log: Logger;
  config: GenerationConfig;
  /** In configured order: the chain a job falls back along. */
  providers: GenerationProvider[];
  /** Set once the queue exists (the queue's handlers call this service). */
  queue?: JobQueue;
  /** Write progress at most this often (ms); a heartbeat is written at least every `heartbeatMs`. */
  progressEveryMs?: number;
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this belongs to a dead process. */
  staleAfterMs?: number;
  /** First backoff between runs of the provider chain after a retryable failure (doubles). */
  retryDelayMs?: number;
  now?: () => Date;
}

interface RunningJob {
  controller: AbortController;
}

export interface DraftSource {
  /** The image's index in the job. */
  index: number;
  externalId: string;
  title: string;
  blobKey: string;
  output: GenerationOutput;
  request: ResolvedGenerationRequest;
  provider: string | null;
  models: WorkModelInput[];
}

export class GenerationService {
  readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly store: Store;
  private readonly blobs: BlobStore;
  private readonly log: Logger;
  private readonly config: GenerationConfig;
  private readonly providers: GenerationProvider[];
  /** The providers behind per-provider slots, as the shared fallback chain (src/core/generation/provider-chain.ts). */
  private readonly chain: ProviderChain;
  private readonly slots: ProviderSlots;
  private readonly running = new Map<string, RunningJob>();
  /** Pasted tokens by job id: memory only, dropped when the job ends. */
  private readonly tokens = new Map<string, string>();
  private readonly changes = new EventEmitter();
  private readonly progressEveryMs: number;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly retryDelayMs: number;
  private readonly now: () => Date;
  private queue: JobQueue | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(options: GenerationServiceOptions) {
    this.store = options.store;
    this.blobs = options.blobs;
    this.log = options.log;
    this.config = options.config;
    this.providers = options.providers;
    this.queue = options.queue;
    this.progressEveryMs = options.progressEveryMs ?? 250;
    this.heartbeatMs = options.heartbeatMs ?? 5000;
    this.staleAfterMs = options.staleAfterMs ?? 60_000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.now = options.now ?? (() => new Date());
    const byName = new Map(this.providers.map((p) => [p.name, p]));
    this.slots = new ProviderSlots((name) => {
      const kind = byName.get(name)?.kind;
      return (kind && this.config.jobs.concurrency.byKind[kind]) || this.config.jobs.concurrency.perProvider;
    });
    this.chain = new ProviderChain(this.providers.map((p) => this.slots.limit(p)), { retryBaseMs: this.retryDelayMs });
    this.changes.setMaxListeners(0);
  }

  /** Queue workers for generation: one slot per provider's concurrency, at least one. */
  get workerCount(): number {
    const { concurrency } = this.config.jobs;
    const total = this.providers.reduce((n, p) => n + ((concurrency.byKind[p.kind] ?? 0) || concurrency.perProvider), 0);
    return Math.max(1, total);
  }

  setQueue(queue: JobQueue): void {
    this.queue = queue;
  }

  /** What the form shows before a submission: the providers in order (a billed one asks to confirm, §9.6) and the quota. */
  providerInfo() {
    return {
      providers: this.providers.map((p) => ({ kind: p.kind, name: p.name, billed: p.billed })),
      quota_per_day: this.config.jobs.quotaPerDay,
    };
  }

  // ── Submitting ────────────────────────────────────────────────────────────────────────────────

  async submit(
    viewer: User,
    request: GenerationRequest,
    options: { provider?: GenerationProviderKind | null; apiToken?: string | undefined } = {},
  ): Promise<GenerationJob> {
    if (this.providers.length === 0) throw new UnavailableError('在线生成未开启：服务器没有配置生成服务（GENERATION_PROVIDERS）', { code: 'generation_off' });
    await this.checkQuota(viewer);
    if (options.provider && !this.providers.some((p) => p.kind === options.provider)) {
      throw new InvalidInputError(`provider: 服务器未配置 ${options.provider}，可用：${this.providers.map((p) => p.kind).join('、') || '无'}`, { code: 'invalid_input' });
    }
    // A random seed is fixed now, so the recipe the job keeps (and a rerun) reproduces the image.
    const resolved: ResolvedGenerationRequest = { ...request, seed: request.seed === -1 ? randomInt(0, 2 ** 32 - 1) : request.seed };
    const id = randomUUID();
    if (options.apiToken) this.tokens.set(id, options.apiToken);
    try {
      const job = await this.store.generationJobs.create({
        id,
        userId: viewer.id,
        task: resolved.task,
        request: resolved,
        requestedProvider: options.provider ?? null,
        log: [this.line(`已排队（种子 ${resolved.seed}）`)],
      });
      await this.enqueue(job);
      return job;
    } catch (error) {
      this.tokens.delete(id);
      throw error;
    }
  }

  async rerun(viewer: User, jobId: string, options: { randomSeed?: boolean; apiToken?: string | undefined } = {}): Promise<GenerationJob> {
    const job = await this.owned(viewer, jobId);
    const request = job.request as ResolvedGenerationRequest;
    return this.submit(viewer, options.randomSeed ? { ...request, seed: -1 } : request, {
      provider: job.requestedProvider as GenerationProviderKind | null,
      apiToken: options.apiToken,
    });
  }

  private async checkQuota(viewer: User): Promise<void> {
    const quota = this.config.jobs.quotaPerDay;
    if (quota === null) return;
    const now = this.now();
    const { count, oldest } = await this.store.generationJobs.countCreatedSince(viewer.id, new Date(now.getTime() - DAY_MS));
    if (count < quota) return;
    const retryAfterMs = Math.max(1000, (oldest ? oldest.getTime() + DAY_MS : now.getTime() + DAY_MS) - now.getTime());
    throw new RateLimitedError(`生成次数已达上限（每 24 小时 ${quota} 次），请约 ${Math.ceil(retryAfterMs / 3_600_000)} 小时后再试`, retryAfterMs, {
      code: 'generation_quota',
    });
  }

  private async enqueue(job: GenerationJob): Promise<void> {
    if (!this.queue) throw new Error('generation queue is not set');
    // One queue id per claim round: delivering it twice, or re-enqueueing at start-up, runs the job once.
    await this.queue.enqueue('generate', { generationId: job.id }, { jobId: `generate-${job.id}-${job.attempts}`, userId: job.userId, maxAttempts: 1 });
  }

  // ── Reading ───────────────────────────────────────────────────────────────────────────────────

  /** The viewer's job; anyone else's is "not found" (its existence is not disclosed). */
  async owned(viewer: User, jobId: string): Promise<GenerationJob> {
    const job = await this.store.generationJobs.get(jobId);
    if (!job || job.userId !== viewer.id) throw new NotFoundError('生成任务不存在', { code: 'not_found' });
    return job;
  }

  async list(viewer: User, limit: number, cursor?: string): Promise<{ items: GenerationJob[]; nextCursor: string | null }> {
    let after: { createdAt: Date; id: string } | undefined;
    if (cursor) {
      const match = /^(\d{1,15})_([0-9a-f-]{36})$/.exec(cursor);
      if (!match) throw new InvalidInputError('cursor 无效', { code: 'invalid_cursor' });
      after = { createdAt: new Date(Number(match[1])), id: match[2]! };
    }
    const rows = await this.store.generationJobs.listByUser(viewer.id, limit + 1, after);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? `${last.createdAt.getTime()}_${last.id}` : null };
  }

  /** Resolves when job `jobId` changed in this process, or after `timeoutMs` (a change elsewhere is seen by re-reading). */
  waitForChange(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.changes.off(jobId, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.changes.on(jobId, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  static isFinal(job: GenerationJob): boolean {
    return FINAL.has(job.status);
  }

  // ── Cancelling ────────────────────────────────────────────────────────────────────────────────

  /** queued → cancelled (never started), running → cancelled (its provider call aborted); a finished job is left as it is. */
  async cancel(viewer: User, jobId: string): Promise<GenerationJob> {
    const job = await this.owned(viewer, jobId);
    if (FINAL.has(job.status)) return job;
    const cancelled = (await this.store.generationJobs.cancel(job.id, this.bounded([...job.log, this.line('已取消')]), this.now()))!;
    this.running.get(job.id)?.controller.abort(new GenerationError('cancelled', '已取消', 'user'));
    this.tokens.delete(job.id);
    this.changes.emit(job.id);
    return cancelled;
  }

  // ── Drafts ────────────────────────────────────────────────────────────────────────────────────

  /** The images of a complete job of the viewer's, as draft inputs carrying the recipe (the route makes the drafts). */
  async draftSources(viewer: User, jobId: string, indexes?: number[], title?: string): Promise<DraftSource[]> {
    const job = await this.owned(viewer, jobId);
    if (job.status !== 'complete') throw new ConflictError('任务尚未完成，完成后才能保存为草稿', { code: 'not_complete' });
    const wanted = indexes ?? job.outputs.map((_, i) => i);
    const missing = wanted.filter((i) => !job.outputs[i]);
    if (missing.length > 0) throw new InvalidInputError(`images: 任务没有第 ${missing.join('、')} 张图（共 ${job.outputs.length} 张，从 0 起）`, { code: 'invalid_input' });
    const request = job.request as ResolvedGenerationRequest;
    const models: WorkModelInput[] = [
      { modelType: 'CHECKPOINT', modelName: request.checkpoint.name ?? request.checkpoint.id, externalModelId: request.checkpoint.id },
      ...request.loras.map((l) => ({ modelType: 'LORA' as const, modelName: l.name ?? l.id, externalModelId: l.id })),
    ];
    return [...new Set(wanted)].map((index) => ({
      index,
      externalId: `gen-${job.id}-${index}`,
      title: title ?? [...request.prompt].slice(0, 40).join(''),
      blobKey: job.outputs[index]!.key,
      output: job.outputs[index]!,
      request: { ...request, seed: job.outputs[index]!.seed },
      provider: job.provider,
      models,
    }));
  }

  // ── Running (the `generate` job handler) ──────────────────────────────────────────────────────

  async run(generationId: string): Promise<unknown> {
    if (this.closing) throw new Error('generation service is stopping');
    const job = await this.store.generationJobs.claim(generationId, this.workerId, this.now());
    if (!job) return { skipped: 'not queued (cancelled, finished or taken)' };
    const controller = new AbortController();
    this.running.set(job.id, { controller });
    const request = job.request as ResolvedGenerationRequest;
    const log = [...job.log, this.line(job.attempts > 1 ? `开始运行（第 ${job.attempts} 次）` : '开始运行')];
    let progress = 0;
    let provider: string | null = null;
    let lastWrite = 0;
    const write = async (force = false) => {
      if (!force && Date.now() - lastWrite < this.progressEveryMs) return;
      lastWrite = Date.now();
      const held = await this.store.generationJobs.heartbeat(job.id, this.workerId, { progress, log: this.bounded(log), provider }, this.now());
      this.changes.emit(job.id);
      // The row was cancelled (perhaps through another process): stop the provider.
      if (!held && !controller.signal.aborted) controller.abort(new GenerationError('cancelled', '已取消', 'user'));
    };
    const heartbeat = setInterval(() => void write(true).catch(() => undefined), this.heartbeatMs);
    try {
      // The claim wrote status and heartbeat; the first log lines go with the first progress write.
      const only = job.requestedProvider ? [job.requestedProvider] : undefined;
      if (this.chain.select(only).length === 0) return await this.fail(job, log, 'no_provider', '服务器未配置可用的生成服务');
      const timeout = AbortSignal.timeout(this.config.runTimeoutMs);
      const signal = AbortSignal.any([controller.signal, timeout]);
      const token = this.tokens.get(job.id);
      for (let attempt = 1; ; attempt++) {
        let failure: GenerationError;
        try {
          const result = await this.chain.generate(request, {
            signal,
            ...(only ? { only } : {}),
            ...(token ? { apiToken: token } : {}),
            onAttempt: (p) => {
              provider = p.name;
              log.push(this.line(`提交到 ${p.name}`));
              void write().catch(() => undefined);
            },
            onProgress: (update) => {
              progress = Math.max(progress, Math.min(1, update.progress));
              if (update.message) log.push(this.line(update.message));
              void write().catch(() => undefined);
            },
          });
          if (signal.aborted) throw new GenerationError('cancelled', '已取消', result.provider.name);
          return await this.complete(job, request, result.provider.name, result.images, log, controller.signal);
        } catch (error) {
          failure = error instanceof GenerationError ? error : new GenerationError('unavailable', errorMessage(error), provider ?? 'chain', undefined, { cause: error });
        }
        if (this.closing && controller.signal.aborted) return { requeued: true };
        if (controller.signal.aborted) return { cancelled: true };
        if (timeout.aborted) return await this.fail(job, log, 'timeout', `生成超时（超过 ${Math.round(this.config.runTimeoutMs / 1000)} 秒）`, provider);
        if (!failure.retryable || attempt >= this.config.jobs.maxAttempts) return await this.fail(job, log, failure.kind, failure.message, provider);
        const delay = this.retryDelayMs * 2 ** (attempt - 1);
        log.push(this.line(`${failure.message}；${Math.round(delay / 100) / 10} 秒后重试（${attempt + 1}/${this.config.jobs.maxAttempts}）`));
        await write(true);
        await abortableDelay(delay, signal);
      }
    } finally {
      clearInterval(heartbeat);
      this.running.delete(job.id);
      if (!this.closing) this.tokens.delete(job.id);
      this.changes.emit(job.id);
    }
  }

  private async complete(job: GenerationJob, request: ResolvedGenerationRequest, provider: string, images: GeneratedImage[], log: string[], signal: AbortSignal): Promise<unknown> {
    const outputs: GenerationOutput[] = [];
    try {
      for (const [index, image] of images.entries()) {
        const png = await encodeGenerationOutput(image.bytes, generationParameters(request, image.seed, [['Huaku provider', provider]]));
        // encodeGenerationOutput returns a PNG: its size is in the IHDR chunk (no decode).
        const width = png.readUInt32BE(16);
        const height = png.readUInt32BE(20);
        const key = generationOutputKey({ task: request.task, date: job.createdAt, jobId: job.id, index });
        const sha256 = createHash('sha256').update(png).digest('hex');
        await this.blobs.put(key, png, { contentType: 'image/png', metadata: { sha256, job: job.id } });
        outputs.push({ key, seed: image.seed, width, height, sha256, sizeBytes: png.length });
      }
    } catch (error) {
      await this.deleteOutputs(outputs);
      return this.fail(job, log, 'malformed', `${provider} 返回的图片无法读取：${errorMessage(error)}`, provider);
    }
    log.push(this.line(`完成：${outputs.length} 张图`));
    const finished = !signal.aborted && (await this.store.generationJobs.finish(job.id, this.workerId, { status: 'complete', outputs, log: this.bounded(log) }, this.now()));
    if (!finished) {
      // Cancelled while the images were being written: nothing of it is kept.
      await this.deleteOutputs(outputs);
      return { cancelled: true };
    }
    this.log.info({ job: job.id, provider, images: outputs.length }, 'generation complete');
    return { images: outputs.length, provider };
  }

  private async fail(job: GenerationJob, log: string[], kind: string, message: string, provider: string | null = null): Promise<unknown> {
    log.push(this.line(`失败：${message}`));
    await this.store.generationJobs.finish(job.id, this.workerId, { status: 'failed', errorKind: kind, errorMessage: message, log: this.bounded(log) }, this.now());
    this.log.warn({ job: job.id, kind, provider, err: message }, 'generation failed');
    return { failed: kind };
  }

  private async deleteOutputs(outputs: GenerationOutput[]): Promise<void> {
    await Promise.all(outputs.map((o) => this.blobs.delete(o.key).catch(() => undefined)));
  }

  // ── Restarts ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Running jobs whose process died (heartbeat older than `staleAfterMs`) are requeued while attempts remain,
   * else failed with the reason. At start-up (`sweepQueued`) every queued job is enqueued again too: the queue
   * ids are per claim round, so one that is still queued is not run twice.
   */
  async recover(options: { sweepQueued?: boolean } = {}): Promise<{ requeued: number; failed: number; enqueued: number }> {
    const counts = { requeued: 0, failed: 0, enqueued: 0 };
    const staleBefore = new Date(this.now().getTime() - this.staleAfterMs);
    for (const job of await this.store.generationJobs.listStale(staleBefore, 500)) {
      if (this.running.has(job.id)) continue;
      if (job.attempts < this.config.jobs.maxAttempts) {
        if (await this.store.generationJobs.requeue(job.id, null, this.bounded([...job.log, this.line('任务被服务重启中断，重新排队')]))) {
          counts.requeued++;
          if (!options.sweepQueued) await this.enqueue(job);
        }
      } else {
        const message = `任务被服务重启中断 ${job.attempts} 次，已停止`;
        const log = this.bounded([...job.log, this.line(`失败：${message}`)]);
        if (await this.store.generationJobs.failStale(job.id, staleBefore, { errorKind: 'interrupted', errorMessage: message, log }, this.now())) counts.failed++;
      }
    }
    if (options.sweepQueued) {
      for (const job of await this.store.generationJobs.listQueued(5000)) {
        await this.enqueue(job);
        counts.enqueued++;
      }
    }
    if (counts.requeued + counts.failed > 0) this.log.warn(counts, 'generation jobs cut off by a restart');
    return counts;
  }

  /** Recover now (every queued job enqueued again) and then watch for dead workers' jobs (the queue's workers must be running). */
  start(): void {
    const recover = (sweepQueued: boolean) =>
      void this.recover({ sweepQueued }).catch((error: unknown) => this.log.warn({ err: errorMessage(error) }, 'generation recovery failed; retrying later'));
    recover(true);
    this.recoveryTimer ??= setInterval(() => recover(false), Math.max(1000, this.staleAfterMs / 2));
    this.recoveryTimer.unref();
  }

  /** Stop: running jobs go back to the queue (resumed by the next start), their provider calls aborted. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.recoveryTimer);
    await Promise.all(
      [...this.running.entries()].map(async ([id, { controller }]) => {
        const job = await this.store.generationJobs.get(id);
        if (job) await this.store.generationJobs.requeue(id, this.workerId, this.bounded([...job.log, this.line('服务重启，任务重新排队')]));
        controller.abort(new GenerationError('cancelled', 'server stopping', 'server'));
      }),
    );
    this.tokens.clear();
  }

  private line(text: string): string {
    return `${this.now().toISOString().slice(11, 19)} ${text}`;
  }

  private bounded(log: string[]): string[] {
    return log.length > LOG_LINES ? log.slice(-LOG_LINES) : log;
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
