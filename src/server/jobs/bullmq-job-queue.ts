// BullMQ on Redis (when REDIS_URL is set): the same typed handlers, workers in every server process (and on
// any other machine that runs them). Enqueueing must never make an upload or a publish fail because Redis
// is down: an enqueue that Redis does not accept within a second goes to the database-backed queue
// instead, whose in-process workers always run beside BullMQ's.
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { retryDelayMs, type EnqueueOptions, type JobHandlers, type JobName, type JobPayloads, type JobQueue } from './job-queue.ts';
import type { StoreJobQueue } from './store-job-queue.ts';

const ENQUEUE_TIMEOUT_MS = 1000;

export class BullJobQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private readonly handlers: JobHandlers;
  private readonly fallback: StoreJobQueue;
  private readonly log: Logger;
  private readonly connection: ConnectionOptions;
  private readonly prefix: string;
  private readonly concurrency: number;
  private readonly queueName: string;
  private workerErrorLogged = false;

  constructor(options: {
    redisUrl: string;
    keyPrefix: string;
    handlers: JobHandlers;
    fallback: StoreJobQueue;
    log: Logger;
    concurrency?: number;
    /** BullMQ queue name: `community` (thumbnails, feed) or `generation`, each with its own workers. */
    queueName?: string;
  }) {
    this.handlers = options.handlers;
    this.fallback = options.fallback;
    this.log = options.log;
    this.concurrency = options.concurrency ?? 2;
    this.queueName = options.queueName ?? 'community';
    this.prefix = `${options.keyPrefix}bull`;
    this.connection = { url: options.redisUrl, maxRetriesPerRequest: null };
    // The producer fails fast while Redis is away (the fallback queue takes the job).
    this.queue = new Queue(this.queueName, {
      connection: { url: options.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: (times: number) => Math.min(times * 200, 2000) },
      prefix: this.prefix,
    });
    this.queue.on('error', (error: Error) => this.log.debug({ err: error }, 'BullMQ queue connection error'));
  }

  async enqueue<K extends JobName>(name: K, payload: JobPayloads[K], options: EnqueueOptions = {}): Promise<string> {
    const attempts = options.maxAttempts ?? 5;
    let timer: NodeJS.Timeout | undefined;
    try {
      const job = await Promise.race([
        this.queue.add(name, payload, {
          // BullMQ ids may not contain ':'.
          ...(options.jobId ? { jobId: options.jobId.replaceAll(':', '-') } : {}),
          attempts,
          ...(options.delayMs ? { delay: options.delayMs } : {}),
          backoff: { type: 'exponential', delay: retryDelayMs(1) / 2 },
          removeOnComplete: 1000,
          removeOnFail: 5000,
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis did not accept the job within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
        }),
      ]);
      return job.id ?? '';
    } catch (error) {
      this.log.warn({ job: name, err: errorMessage(error) }, 'BullMQ unavailable: job queued in the database instead');
      return this.fallback.enqueue(name, payload, options);
    } finally {
      clearTimeout(timer);
    }
  }

  start(): void {
    this.fallback.start();
    if (this.worker) return;
    this.worker = new Worker(
      this.queueName,
      async (job) => {
        const handler = this.handlers[job.name as JobName] as ((payload: unknown, context: { jobId: string; attempt: number }) => Promise<unknown>) | undefined;
        if (!handler) throw new Error(`no handler for job ${job.name}`);
        return handler(job.data, { jobId: job.id ?? '', attempt: job.attemptsMade + 1 });
      },
      { connection: this.connection, prefix: this.prefix, concurrency: this.concurrency },
    );
    this.worker.on('failed', (job, error) => this.log.warn({ job: job?.id, name: job?.name, err: error }, 'job failed'));
    this.worker.on('error', (error) => {
      if (this.workerErrorLogged) return;
      this.workerErrorLogged = true;
      this.log.warn({ err: errorMessage(error) }, 'BullMQ worker cannot reach Redis; it keeps retrying (the database queue keeps working)');
    });
    this.worker.on('ready', () => (this.workerErrorLogged = false));
  }

  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) break;
      if (Date.now() > deadline) throw new Error(`BullMQ jobs still pending after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await this.fallback.drain(Math.max(1000, deadline - Date.now()));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.worker?.close(), this.queue.close(), this.fallback.close()]);
  }
}
