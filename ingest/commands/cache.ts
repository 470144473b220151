import { createBlobStore } from '../../src/core/blob/create-blob-store.ts';
import { createCommunityServices } from '../../src/server/community/services.ts';
import { pingRedis } from '../../src/server/cache/ping-redis.ts';
import { createStore } from '../../src/core/store/create-store.ts';
import { UsageError, type Command } from './command.ts';

/** `cache rebuild`: Redis's community keys (hot_rank, feed_queue, user lists, like counters) from the database. */
export const cacheCommand: Command = {
  name: 'cache',
  summary: 'rebuild the Redis caches (hot_rank, feed_queue, user:{id}:*, artwork:{id}:likes) from the database',
  usage: 'npm run ingest -- cache rebuild',
  options: {},
  async run({ config, log, positionals, out }) {
    if (positionals[0] !== 'rebuild' || positionals.length !== 1) throw new UsageError('expected: cache rebuild');
    if (!config.redisUrl) {
      // Not an error: without Redis everything is served from the database, so there is nothing to rebuild.
      out('cache: REDIS_URL is not set; nothing to rebuild (the server answers from the database)');
      return 0;
    }
    await pingRedis(config.redisUrl);
    const store = await createStore(config.database);
    const blobs = createBlobStore(config.blob);
    const services = await createCommunityServices({ config, store, blobs, log }, { startWorkers: false });
    try {
      await store.assertMigrated();
      const report = await services.cache.rebuild();
      out(
        `cache rebuilt in ${report.ms} ms: ${report.hotRanked} works in hot_rank, ${report.feedQueue} in feed_queue, ` +
          `${report.likeCounters} like counters, ${report.invalidated} cached keys invalidated`,
      );
      return 0;
    } finally {
      await services.close();
      await store.close();
      await blobs.close();
    }
  },
};
