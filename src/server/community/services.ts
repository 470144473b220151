// Everything the community routes use, created once per server process from the configuration: sessions,
// Google login, rate limiter, caches (Redis or database) and the job queue (BullMQ or in-process).
import { GoogleLogin } from '../auth/google.ts';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../auth/rate-limit.ts';
import { SessionManager } from '../auth/sessions.ts';
import type { BlobStore } from '../../core/blob/blob-store.ts';
import type { Config } from '../../core/env.ts';
import { BullJobQueue } from '../jobs/bullmq-job-queue.ts';
import { createJobHandlers } from '../jobs/handlers.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { StoreJobQueue } from '../jobs/store-job-queue.ts';
import type { Logger } from '../../core/log.ts';
import { DatabaseCache, RedisCache, type CommunityCache } from '../cache/community-cache.ts';
import { RedisConnection } from '../cache/redis-connection.ts';
import type { Store } from '../../core/store/store.ts';

export interface CoreServices {
  config: Config;
  store: Store;
  blobs: BlobStore;
  log: Logger;
}

export interface CommunityServices extends CoreServices {
  sessions: SessionManager;
  google: GoogleLogin | null;
  limiter: RateLimiter;
  cache: CommunityCache;
  jobs: JobQueue;
  redis: RedisConnection | null;
  /** Stop workers and close Redis (not the store or blobs, which the caller owns). */
  close(): Promise<void>;
}

export async function createCommunityServices(core: CoreServices, options: { startWorkers?: boolean } = {}): Promise<CommunityServices> {
  const { config, store, blobs, log } = core;
  const community = config.community;
  let redis: RedisConnection | null = null;
  if (config.redisUrl) {
    redis = new RedisConnection(config.redisUrl, { prefix: community.redisKeyPrefix, log: log.child({ service: 'redis' }) });
    await redis.waitUntilReady();
  }
  const cache: CommunityCache = redis ? new RedisCache(redis, store, log) : new DatabaseCache(store);
  const handlers = createJobHandlers({ store, blobs, cache, log: log.child({ service: 'jobs' }) });
  const storeQueue = new StoreJobQueue({ store, handlers, log: log.child({ service: 'jobs' }) });
  const jobs: JobQueue =
    config.redisUrl !== undefined
      ? new BullJobQueue({ redisUrl: config.redisUrl, keyPrefix: community.redisKeyPrefix, handlers, fallback: storeQueue, log: log.child({ service: 'jobs' }) })
      : storeQueue;
  if (options.startWorkers !== false) jobs.start();
  return {
    ...core,
    sessions: new SessionManager(store),
    google: community.google ? new GoogleLogin(community.google) : null,
    limiter: redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter(),
    cache,
    jobs,
    redis,
    async close() {
      await jobs.close();
      await redis?.close();
    },
  };
}
