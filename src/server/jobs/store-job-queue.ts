// In-process job workers over the Store's jobs table: a job is a row (queued → running → succeeded or
// failed), claimed atomically (FOR UPDATE SKIP LOCKED on MySQL), retried with backoff, and picked up again
// after a restart. Several server processes on one database share the queue safely.
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../../core/store/store.ts';
import { retryDelayMs, type EnqueueOptions, type JobHandlers, type JobName, type JobPayloads, type JobQueue } from './job-queue.ts';

const IDLE_POLL_MS = 1000;
/** A running job whose worker has not finished it in this long is assumed dead and requeued. */
const STALE_AFTER_MS = 10 * 60_000;

export class StoreJobQueue implements JobQueue {
  readonly kind = 'store' as const;
  private readonly store: Store;
  private readonly handlers: JobHandlers;
  private readonly log: Logger;
  private readonly concurrency: number;
  /** The job names this queue claims: those it has handlers for. */
  private readonly names: JobName[];
  private readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private running = false;
  private active = 0;
  private wake: (() => void) | undefined;
  private loops: Promise<void>[] = [];
  private lastStaleCheck = 0;

  constructor(options: { store: Store; handlers: JobHandlers; log: Logger; concurrency?: number }) {
    this.store = options.store;
    this.handlers = options.handlers;
    this.log = options.log;
    this.concurrency = options.concurrency ?? 2;
    this.names = (Object.keys(options.handlers) as JobName[]).filter((name) => options.handlers[name] !== undefined);
  }

  async enqueue<K extends JobName>(name: K, payload: JobPayloads[K], options: EnqueueOptions = {}): Promise<string> {
    const id = options.jobId ?? randomUUID();
    try {
      await this.store.jobs.enqueue({ id, name, payload, userId: options.userId ?? null, maxAttempts: options.maxAttempts ?? 5, ...(options.delayMs ? { runAt: new Date(Date.now() + options.delayMs) } : {}) });
    } catch (error) {
      // An idempotent enqueue of a job that already exists is fine; anything else is not.
      if (!options.jobId || !(await this.store.jobs.get(id))) throw error;
    }
    this.wake?.();
    return id;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < this.concurrency; i++) this.loops.push(this.loop());
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let claimed = false;
      try {
        await this.requeueStale();
        const job = await this.store.jobs.claimNext(this.workerId, this.names);
        if (job) {
          claimed = true;
          this.active++;
          try {
            const handler = this.handlers[job.name as JobName] as (payload: unknown, context: { jobId: string; attempt: number }) => Promise<unknown>;
            const result = await handler(job.payload, { jobId: job.id, attempt: job.attempts });
            await this.store.jobs.complete(job.id, result ?? null);
          } catch (error) {
            const failed = await this.store.jobs.fail(job.id, errorMessage(error).slice(0, 2000), new Date(Date.now() + retryDelayMs(job.attempts)));
            this.log.warn({ job: job.id, name: job.name, attempt: job.attempts, status: failed?.status, err: error }, 'job failed');
          } finally {
            this.active--;
          }
        }
      } catch (error) {
        this.log.warn({ err: error }, 'job worker: cannot reach the jobs table; retrying');
      }
      if (!claimed && this.running) await this.sleep(IDLE_POLL_MS);
    }
  }

  private async requeueStale(): Promise<void> {
    if (Date.now() - this.lastStaleCheck < 60_000) return;
    this.lastStaleCheck = Date.now();
    const requeued = await this.store.jobs.requeueStale(new Date(Date.now() - STALE_AFTER_MS));
    if (requeued > 0) this.log.warn({ requeued }, 'requeued jobs whose worker stopped');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const previous = this.wake;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      // Every sleeping loop wakes on enqueue.
      this.wake = () => {
        done();
        previous?.();
      };
    });
  }

  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = { queued: 0, running: 0 };
      for (const name of this.names) {
        const byStatus = await this.store.jobs.countByStatus(name);
        counts.queued += byStatus.queued;
        counts.running += byStatus.running;
      }
      if (counts.queued === 0 && counts.running === 0 && this.active === 0) return;
      if (Date.now() > deadline) throw new Error(`jobs still pending after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
      this.wake?.();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    this.running = false;
    this.wake?.();
    await Promise.all(this.loops);
    this.loops = [];
  }
}
