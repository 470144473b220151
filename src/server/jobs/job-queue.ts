// Background jobs of the community server: typed payloads per job name, one handler per name, and a queue
// interface with two implementations that run the same handlers: StoreJobQueue (in-process workers over
// the jobs table, the default, survives restarts) and BullJobQueue (BullMQ on Redis when REDIS_URL is set,
// workers on any number of machines).

export interface JobPayloads {
  /** Make the WebP thumbnails of an uploaded original (src/core/media/thumbnails.ts: thumbs/{width}/{original key}.webp). */
  thumbnail: { workId: number; imageId: number };
  /** A work was published: warm the feed and its owner's list, rank it. */
  'feed.update': { workId: number };
  /** Run generation job `generationId` (src/server/generation/: the generation_jobs row holds the request and its state). */
  generate: { generationId: string };
  /** A deleted work's files (originals and thumbnails), removed once the grace period is over. */
  'blobs.delete': { keys: string[] };
}

export type JobName = keyof JobPayloads;

interface JobContext {
  jobId: string;
  /** 1 on the first run. */
  attempt: number;
}

/** A queue runs the jobs it has handlers for (and claims no other): generation has a queue of its own. */
export type JobHandlers = { [K in JobName]?: (payload: JobPayloads[K], context: JobContext) => Promise<unknown> };

export interface EnqueueOptions {
  /** A stable id makes enqueueing idempotent (the same job is not queued twice). */
  jobId?: string;
  userId?: number | null;
  maxAttempts?: number;
  /** Run no earlier than this many milliseconds from now (a delayed job counts as pending for drain()). */
  delayMs?: number;
}

export interface JobQueue {
  readonly kind: 'store' | 'bullmq';
  enqueue<K extends JobName>(name: K, payload: JobPayloads[K], options?: EnqueueOptions): Promise<string>;
  /** Start the workers of this process. */
  start(): void;
  /** Resolve once no job is queued or running here (tests and one-shot commands). */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Exponential backoff between attempts: 2 s, 4 s, 8 s… capped at 5 minutes. */
export function retryDelayMs(attempt: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(1, attempt));
}
