// The community server's one composition root: configuration parsed once, the Store, the BlobStore, a
// logger, and the services built on them (sessions, Google login, rate limits, the cache, the job queue and
// its workers). Routes and on-demand pages get them from getServerServices(); tests build their own with
// createServerServices(). Nothing below src/server/http/ imports this module: each service takes only
// what it uses.
import { createBlobStore } from '../core/blob/create-blob-store.ts';
import type { BlobStore } from '../core/blob/blob-store.ts';
import { loadConfig, type Config } from '../core/env.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { createStore } from '../core/store/create-store.ts';
import type { Store } from '../core/store/store.ts';
import { GoogleLogin } from './auth/google.ts';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './auth/rate-limit.ts';
import { SessionManager } from './auth/sessions.ts';
import type { CommunityCache } from './cache/community-cache.ts';
import { openCommunityCache } from './cache/open-cache.ts';
import type { RedisConnection } from './cache/redis-connection.ts';
import { BullJobQueue } from './jobs/bullmq-job-queue.ts';
import { createJobHandlers } from './jobs/handlers.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import { StoreJobQueue } from './jobs/store-job-queue.ts';

export interface CoreServices {
  config: Config;
  store: Store;
  blobs: BlobStore;
  log: Logger;
}

export interface ServerServices extends CoreServices {
  sessions: SessionManager;
  google: GoogleLogin | null;
  limiter: RateLimiter;
  cache: CommunityCache;
  jobs: JobQueue;
  redis: RedisConnection | null;
  /** Stop workers and close Redis (not the store or blobs, which the caller owns). */
  close(): Promise<void>;
}

export async function createServerServices(core: CoreServices, options: { startWorkers?: boolean } = {}): Promise<ServerServices> {
  const { config, store, blobs, log } = core;
  const community = config.community;
  const { cache, redis, close: closeCache } = await openCommunityCache({ config, store, log });
  const jobLog = log.child({ service: 'jobs' });
  const handlers = createJobHandlers({ store, blobs, cache, log: jobLog });
  const storeQueue = new StoreJobQueue({ store, handlers, log: jobLog });
  const jobs: JobQueue =
    config.redisUrl !== undefined
      ? new BullJobQueue({ redisUrl: config.redisUrl, keyPrefix: community.redisKeyPrefix, handlers, fallback: storeQueue, log: jobLog })
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
      await closeCache();
    },
  };
}

let services: Promise<ServerServices> | undefined;
let base: { config: Config; log: Logger; blobs: BlobStore } | undefined;
let lastStartFailureLogged = 0;

/** Configuration, logger and BlobStore: what needs no database, made once. */
function serverBase(): { config: Config; log: Logger; blobs: BlobStore } {
  if (!base) {
    const config = loadConfig();
    base = { config, log: createLogger(config, { component: 'server' }), blobs: createBlobStore(config.blob) };
  }
  return base;
}

/** The server's configuration, parsed once (the middleware needs it on every request, before any service). */
export function serverConfig(): Config {
  return serverBase().config;
}

/** The BlobStore alone: /media serves published files with the database down. */
export function getBlobStore(): BlobStore {
  return serverBase().blobs;
}

/** The server's services, created from the environment on the first request and shared by every on-demand route. */
export function getServerServices(): Promise<ServerServices> {
  services ??= (async () => {
    const { config, log, blobs } = serverBase();
    const store = await createStore(config.database);
    return createServerServices({ config, store, blobs, log });
  })().catch((error: unknown) => {
    // Do not cache a failed start (a database file briefly unopenable): the next request tries again.
    services = undefined;
    // Every request retries while the database is down: log the failure at most every 10 s.
    if (Date.now() - lastStartFailureLogged > 10_000) {
      lastStartFailureLogged = Date.now();
      serverBase().log.error({ err: error }, 'server services could not start (database unavailable?)');
    }
    throw error;
  });
  return services;
}
