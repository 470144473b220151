// The Redis cache against a real Redis (shared; every test uses its own key prefix), compared with what
// the database says. Without TEST_REDIS_URL: skipped locally, a failure under REQUIRE_SERVICES=1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerServices } from '../start-up.ts';
import { hotScore } from '../../core/domain/hot-score.ts';
import { hotIdsFromDatabase } from './hot-ranking.ts';
import { redisAvailability, testRedisPrefix, testServices } from '../testing/community.ts';
import { serviceGate, testConfig } from '../../core/testing/services.ts';
import type { Work } from '../../core/store/store.ts';
import type { RedisCache } from './community-cache.ts';

const runs = serviceGate('Redis (community cache)', await redisAvailability());

describe.runIf(runs)('Redis community cache', () => {
  let services: ServerServices & { cleanup(): Promise<void> };
  let cache: RedisCache;
  let prefix: string;
  const works: Work[] = [];
  const users: number[] = [];
  const redis = () => services.redis!.client;

  beforeAll(async () => {
    prefix = testRedisPrefix();
    services = await testServices({ REDIS_URL: testConfig.testing.redisUrl!, REDIS_KEY_PREFIX: prefix }, { startWorkers: false });
    cache = services.cache as RedisCache;
    const { store } = services;
    for (let i = 0; i < 6; i++) users.push((await store.users.create({ username: `cache_user_${i}`, name: `u${i}` })).id);
    for (let i = 0; i < 8; i++) {
      works.push(
        await store.works.upsert({
          source: i % 2 ? 'community' : 'liblib', externalId: `w${i}`, slug: `w${i}`, status: i === 7 ? 'draft' : 'published',
          publishedAt: i === 7 ? null : new Date(Date.UTC(2026, 0, 1, i)), ownerUserId: i % 2 ? users[0]! : null,
        }),
      );
    }
    // Reactions straight into the database: work 0 gets 5 likes, work 2 gets 3 favorites.
    for (const user of users.slice(0, 5)) await store.likes.add(user, works[0]!.id);
    for (const user of users.slice(0, 3)) await store.favorites.add(user, works[2]!.id);
  });
  afterAll(async () => {
    const keys = await redis().keys(`${prefix}*`);
    if (keys.length > 0) await redis().del(...keys);
    await services.cleanup();
  });

  it('reads like counts cache-aside and fills them from the database', async () => {
    const ids = works.map((w) => w.id);
    const counts = await cache.likeCounts(ids);
    expect(counts.get(works[0]!.id)).toBe(5);
    expect(counts.get(works[1]!.id)).toBe(0);
    expect(await redis().get(`${prefix}artwork:${works[0]!.id}:likes`)).toBe('5');
    await redis().set(`${prefix}artwork:${works[0]!.id}:likes`, '42'); // a cached value is used as is
    expect((await cache.likeCounts([works[0]!.id])).get(works[0]!.id)).toBe(42);
    await redis().del(`${prefix}artwork:${works[0]!.id}:likes`);
  });

  it('never lets an older read overwrite a newer write (versioned fills)', async () => {
    const key = `${prefix}artwork:${works[1]!.id}:likes`;
    const versionKey = `${prefix}artwork:${works[1]!.id}:v`;
    const seen = (await redis().get(versionKey)) ?? '0'; // a reader notes the version, then reads the database…
    await services.store.likes.add(users[0]!, works[1]!.id); // …a writer commits…
    const counts = await cache.reactionChanged(works[1]!); // …and bumps and stores the new count
    expect(counts.likes).toBe(1);
    expect(await redis().huakuFillString(key, versionKey, seen, 0, 60)).toBe(0); // the late reader's stale 0 is refused
    expect(await redis().get(key)).toBe('1');
  });

  it('ranks works in hot_rank as the database would, rebuilding it when missing', async () => {
    await redis().del(`${prefix}hot_rank`);
    const fromDb = await hotIdsFromDatabase(services.store, 0, 20);
    expect(await cache.hotIds(0, 20)).toEqual(fromDb); // answered from the database meanwhile
    await expect.poll(() => redis().exists(`${prefix}hot_rank`)).toBe(1);
    expect(await cache.hotIds(0, 20)).toEqual(fromDb);
    expect(fromDb).not.toContain(works[7]!.id); // drafts are never ranked
    // 3 favorites (weight 2) outrank 5 likes; both outrank up to 6 hours newer works without reactions.
    expect(fromDb.slice(0, 2)).toEqual([works[2]!.id, works[0]!.id]);
    // A new like moves the work in place, with the score the formula gives.
    await services.store.likes.add(users[5]!, works[6]!.id);
    await cache.reactionChanged(works[6]!);
    expect(Number(await redis().zscore(`${prefix}hot_rank`, String(works[6]!.id)))).toBeCloseTo(hotScore(works[6]!.publishedAt, { likes: 1, favorites: 0 }), 6);
    expect(await cache.hotIds(0, 20)).toEqual(await hotIdsFromDatabase(services.store, 0, 20));
  });

  it('caches favorites per user and forgets them on change', async () => {
    const ids = works.map((w) => w.id);
    expect(await cache.favoritedAmong(users[1]!, ids)).toEqual(new Set([works[2]!.id]));
    expect(await redis().sismember(`${prefix}user:${users[1]}:favorites`, String(works[2]!.id))).toBe(1);
    await services.store.favorites.add(users[1]!, works[4]!.id);
    await cache.favoritesChanged(users[1]!);
    expect(await cache.favoritedAmong(users[1]!, ids)).toEqual(new Set([works[2]!.id, works[4]!.id]));
    expect(await cache.favoritedAmong(users[5]!, ids)).toEqual(new Set()); // an empty set is cached too
    expect(await redis().exists(`${prefix}user:${users[5]}:favorites`)).toBe(1);
  });

  it('keeps feed_queue and user:{id}:artworks newest first, invalidated on publish', async () => {
    const newest = await cache.newestIds();
    const expected = (await services.store.works.list({ status: 'published', order: 'newest', limit: 100 })).map((w) => w.id);
    expect(newest).toEqual({ ids: expected, complete: true });
    expect(await redis().lrange(`${prefix}feed_queue`, 0, -1)).toEqual(['#', ...expected.map(String)]);
    const mine = await cache.userArtworkIds(users[0]!);
    expect(mine?.ids).toEqual(expected.filter((id) => works.find((w) => w.id === id)?.ownerUserId === users[0]));
    await services.store.works.publish(works[7]!.id);
    await Promise.all([cache.feedChanged(), cache.userArtworksChanged(users[0]!)]);
    expect((await cache.newestIds())?.ids[0]).toBe(works[7]!.id);
    expect((await cache.userArtworkIds(users[0]!))?.ids[0]).toBe(works[7]!.id);
  });

  it('rebuilds every key from the database', async () => {
    await redis().set(`${prefix}artwork:${works[0]!.id}:likes`, '999');
    await redis().zadd(`${prefix}hot_rank`, 1e9, String(works[5]!.id));
    await redis().rpush(`${prefix}feed_queue`, '123456');
    const report = await cache.rebuild();
    expect(report).toMatchObject({ backend: 'redis', hotRanked: 8, likeCounters: 3, feedQueue: 8 }); // works 0, 1 and 6 have likes
    expect(await redis().get(`${prefix}artwork:${works[0]!.id}:likes`)).toBe('5');
    expect(await redis().lrange(`${prefix}feed_queue`, 0, -1)).not.toContain('123456');
    expect(await cache.hotIds(0, 20)).toEqual(await hotIdsFromDatabase(services.store, 0, 20));
    expect(await redis().ttl(`${prefix}hot_rank`)).toBeGreaterThan(0);
  });
});
