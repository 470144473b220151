import { openCommunityCache } from '../../src/server/cache/open-cache.ts';
import { pingRedis } from '../../src/server/cache/ping-redis.ts';
import { createStore } from '../../src/core/store/create-store.ts';
import { UsageError, type CommandRunner } from './command.ts';

/** `cache rebuild`: Redis's community keys (hot_rank, feed_queue, user lists, like counters) from the database. */
export const cacheCommand: CommandRunner = {
  async run({ config, log, positionals, out }) {
    if (positionals[0] !== 'rebuild' || positionals.length !== 1) throw new UsageError('expected: cache rebuild');
    if (!config.redisUrl) {
      // Not an error: without Redis everything is served from the database, so there is nothing to rebuild.
      out('cache: REDIS_URL is not set; nothing to rebuild (the server answers from the database)');
      return 0;
    }
    await pingRedis(config.redisUrl);
    // Only Redis, the store and the cache: no sessions, login, blob store or job workers.
    const store = await createStore(config.database);
    try {
      await store.assertMigrated();
      const { cache, close } = await openCommunityCache({ config, store, log });
      try {
        const report = await cache.rebuild();
        out(
          `cache rebuilt in ${report.ms} ms: ${report.hotRanked} works in hot_rank, ${report.feedQueue} in feed_queue, ` +
            `${report.likeCounters} like counters, ${report.invalidated} cached keys invalidated`,
        );
      } finally {
        await close();
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};
