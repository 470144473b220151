// Fixed-window rate limits: "at most N requests per window" for a bucket such as `login:ip:1.2.3.4`.
// In memory by default (per process); in Redis when REDIS_URL is set, so every server replica shares the
// count. While Redis is unreachable the Redis limiter counts in memory instead (limits then hold per
// replica) rather than letting everything through or refusing everything.
import type { RateLimitRule } from '../../core/env.ts';
import type { RedisConnection } from '../cache/redis-connection.ts';

/**
 * Login attempts per (account, address), derived from RATE_LIMIT_LOGIN (N per window W): N per W, N per
 * 15 W, 2 N per 60 W. Each tier must allow an attempt, so a guesser who keeps going waits longer and
 * longer (with 10/1m: a burst of 10, then a quarter of an hour, then the rest of the hour), while the
 * account's owner, at another address, has buckets of their own: nobody can lock a user out from
 * elsewhere. Every address is also held to N per W across all accounts (`login:ip:<address>`).
 */
export function loginBackoffRules(rule: RateLimitRule | null): RateLimitRule[] {
  if (!rule) return [];
  return [
    { limit: rule.limit, windowMs: rule.windowMs },
    { limit: rule.limit, windowMs: rule.windowMs * 15 },
    { limit: rule.limit * 2, windowMs: rule.windowMs * 60 },
  ];
}

export interface RateLimitResult {
  allowed: boolean;
  /** Requests left in this window after this one. */
  remaining: number;
  /** Until the window resets (what Retry-After says when refused). */
  retryAfterMs: number;
}

export interface RateLimiter {
  hit(bucket: string, rule: RateLimitRule): Promise<RateLimitResult>;
}

function result(count: number, rule: RateLimitRule, msLeft: number): RateLimitResult {
  return { allowed: count <= rule.limit, remaining: Math.max(0, rule.limit - count), retryAfterMs: Math.max(0, msLeft) };
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  async hit(bucket: string, rule: RateLimitRule): Promise<RateLimitResult> {
    const now = this.now();
    this.sweep(now);
    const key = `${bucket}/${rule.windowMs}`;
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + rule.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return result(window.count, rule, window.resetAt - now);
  }

  /** Drop finished windows now and then, so memory stays bounded by the active buckets. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: RedisConnection;
  private readonly fallback: MemoryRateLimiter;

  constructor(redis: RedisConnection, fallback = new MemoryRateLimiter()) {
    this.redis = redis;
    this.fallback = fallback;
  }

  async hit(bucket: string, rule: RateLimitRule): Promise<RateLimitResult> {
    const key = this.redis.key(`ratelimit:${bucket}:${rule.windowMs}`);
    const answer = await this.redis.attempt('rate limit', (client) => client.huakuRateHit(key, rule.windowMs));
    if (!answer) return this.fallback.hit(bucket, rule);
    return result(Number(answer[0]), rule, Number(answer[1]));
  }
}
