// The community cache on its own: Redis (when REDIS_URL is set) and the cache over the Store, nothing else
// (no sessions, login or job workers). The server's start-up wires it in; `ingest cache rebuild` uses it
// alone.
import type { Config } from '../../core/env.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../../core/store/store.ts';
import { DatabaseCache, RedisCache, type CommunityCache } from './community-cache.ts';
import { RedisConnection } from './redis-connection.ts';

export interface OpenCache {
  cache: CommunityCache;
  redis: RedisConnection | null;
  /** Close Redis (not the store, which the caller owns). */
  close(): Promise<void>;
}

export async function openCommunityCache({ config, store, log }: { config: Config; store: Store; log: Logger }): Promise<OpenCache> {
  let redis: RedisConnection | null = null;
  if (config.redisUrl) {
    redis = new RedisConnection(config.redisUrl, { prefix: config.community.redisKeyPrefix, log: log.child({ service: 'redis' }) });
    await redis.waitUntilReady();
  }
  const cache: CommunityCache = redis ? new RedisCache(redis, store, log) : new DatabaseCache(store);
  return {
    cache,
    redis,
    async close() {
      await redis?.close();
    },
  };
}
