import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.ts';
import { RedisConnection } from '../cache/redis-connection.ts';
import { closedPort } from '../../core/testing/net.ts';
import { redisAvailability, testRedisPrefix } from '../testing/community.ts';
import { serviceGate, testConfig } from '../../core/testing/services.ts';
import { MemoryRateLimiter, RedisRateLimiter } from './rate-limit.ts';

const log = createLogger({ logLevel: 'silent' });
const rule = { limit: 3, windowMs: 1000 };
const redisRuns = serviceGate('Redis (rate limits)', await redisAvailability());

describe('rate limits', () => {
  it('in memory: N per window per bucket, then refuses with the time left', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.hit('login:ip:1.2.3.4', rule));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ remaining: 0, retryAfterMs: 1000 });
    expect((await limiter.hit('login:ip:5.6.7.8', rule)).allowed).toBe(true); // other bucket
    now = 400;
    expect((await limiter.hit('login:ip:1.2.3.4', rule)).retryAfterMs).toBe(600);
    now = 1000;
    expect((await limiter.hit('login:ip:1.2.3.4', rule)).allowed).toBe(true); // new window
  });

  it('with Redis down: counts in memory instead of failing open or closed', async () => {
    const redis = new RedisConnection(`redis://127.0.0.1:${await closedPort()}`, { prefix: 'x:', log });
    try {
      await redis.waitUntilReady(200);
      const limiter = new RedisRateLimiter(redis);
      const allowed = [];
      for (let i = 0; i < 4; i++) allowed.push((await limiter.hit('upload:user:1', rule)).allowed);
      expect(allowed).toEqual([true, true, true, false]);
    } finally {
      await redis.close();
    }
  });

  describe.runIf(redisRuns)('in Redis', () => {
    const connections: RedisConnection[] = [];
    afterAll(async () => Promise.all(connections.map((c) => c.close())));

    it('shares one count between server replicas and expires the window', async () => {
      const prefix = testRedisPrefix();
      const open = async () => {
        const connection = new RedisConnection(testConfig.testing.redisUrl!, { prefix, log });
        connections.push(connection);
        await connection.waitUntilReady();
        return new RedisRateLimiter(connection);
      };
      const [a, b] = await Promise.all([open(), open()]);
      const short = { limit: 3, windowMs: 300 };
      const results = await Promise.all([a, b, a, b].map((limiter) => limiter.hit('write:user:7', short)));
      expect(results.filter((r) => r.allowed)).toHaveLength(3);
      expect(results.find((r) => !r.allowed)!.retryAfterMs).toBeLessThanOrEqual(300);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await a.hit('write:user:7', short)).allowed).toBe(true);
    });
  });
});
