// The community server's one composition root: configuration parsed once, the Store, the BlobStore, a
// logger, and the services built on them (sessions, Google login, rate limits, the cache, the job queue and
// its workers). Routes and on-demand pages get them from getServerServices(); tests build their own with
// createServerServices(). Nothing below src/server/http/ imports this module: each service takes only
// what it uses.
import { createBlobStore } from '../core/blob/create-blob-store.ts';
import type { BlobStore } from '../core/blob/blob-store.ts';
import { loadConfig, type Config } from '../core/env.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { selectFfBinaries } from '../core/media/ffmpeg-binaries.ts';
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
import { GenerationService } from './generation/generation-service.ts';
import type { GenerationProvider } from '../core/generation/generation-provider.ts';
import { createGenerationProviders } from '../core/generation/create-generation-providers.ts';

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
  generation: GenerationService;
  /** Stop workers and close Redis (not the store or blobs, which the caller owns). */
  close(): Promise<void>;
}

export interface ServerServiceOptions {
  startWorkers?: boolean;
  /** Generation providers in fallback order (tests and benchmarks pass theirs; otherwise from configuration). */
  generationProviders?: GenerationProvider[];
  /** Timing of generation jobs (tests shorten them). */
  generation?: Pick<ConstructorParameters<typeof GenerationService>[0], 'progressEveryMs' | 'heartbeatMs' | 'staleAfterMs' | 'retryDelayMs'>;
}

export async function createServerServices(core: CoreServices, options: ServerServiceOptions = {}): Promise<ServerServices> {
  const { config, store, blobs, log } = core;
  const community = config.community;
  const { cache, redis, close: closeCache } = await openCommunityCache({ config, store, log });
  const jobLog = log.child({ service: 'jobs' });
  const handlers = createJobHandlers({ store, blobs, cache, log: jobLog, videoLimits: config.video });
  const storeQueue = new StoreJobQueue({ store, handlers, log: jobLog });
  const jobs: JobQueue =
    config.redisUrl !== undefined
      ? new BullJobQueue({ redisUrl: config.redisUrl, keyPrefix: community.redisKeyPrefix, handlers, fallback: storeQueue, log: jobLog })
      : storeQueue;
  // Generation runs on a queue of its own (its own workers, one per provider slot), so a long generation never
  // holds up a thumbnail; the handler only names the job, the generation_jobs row holds the rest.
  const generationLog = log.child({ service: 'generation' });
  const generation = new GenerationService({
    store, blobs, log: generationLog, config: config.generation,
    providers: options.generationProviders ?? createGenerationProviders(config.generation), ...options.generation,
  });
  const generationHandlers = { generate: ({ generationId }: { generationId: string }) => generation.run(generationId) };
  const generationStoreQueue = new StoreJobQueue({ store, handlers: generationHandlers, log: generationLog, concurrency: generation.workerCount });
  const generationQueue: JobQueue =
    config.redisUrl !== undefined
      ? new BullJobQueue({
          redisUrl: config.redisUrl, keyPrefix: community.redisKeyPrefix, handlers: generationHandlers, fallback: generationStoreQueue,
          log: generationLog, concurrency: generation.workerCount, queueName: 'generation',
        })
      : generationStoreQueue;
  generation.setQueue(generationQueue);
  if (options.startWorkers !== false) {
    jobs.start();
    generationQueue.start();
    generation.start();
  }
  return {
    ...core,
    sessions: new SessionManager(store),
    google: community.google ? new GoogleLogin(community.google) : null,
    limiter: redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter(),
    cache,
    jobs,
    redis,
    generation,
    async close() {
      await generation.close();
      await generationQueue.close();
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
    selectFfBinaries(config.video.binaries);
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
