// The server's one Redis connection (when REDIS_URL is set). Redis is an accelerator, never the source of
// truth: every command fails fast while Redis is unreachable (no offline queue, no per-command retries,
// a short timeout), callers fall back to the database, and the outage is logged once when it starts and
// once when it ends. Reconnection runs in the background with capped backoff.
import { Redis } from 'ioredis';
import { maskUrlPassword } from '../../core/env.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';

const COMMAND_TIMEOUT_MS = 1000;

/** Lua: stop (returning 0) unless the version key KEYS[2] still holds ARGV[1] (a missing key is version 0). */
const IF_VERSION = `if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end`;
/** Lua: refill KEYS[1] as a collection with `command` ('#' sentinel first, so an empty one still exists). */
const FILL_COLLECTION = (command: 'RPUSH' | 'SADD') => `${IF_VERSION}
          redis.call('DEL', KEYS[1]) redis.call('${command}', KEYS[1], '#')
          for i = 3, #ARGV, 500 do redis.call('${command}', KEYS[1], unpack(ARGV, i, math.min(i + 499, #ARGV))) end
          redis.call('EXPIRE', KEYS[1], ARGV[2]) return 1`;

/** Lua scripts loaded once per connection and called by name (EVALSHA, falling back to EVAL). */
const SCRIPTS = {
  /** Invalidate a cached value: new version, value deleted. KEYS: value, version. Returns the new version. */
  huakuBump: {
    numberOfKeys: 2,
    lua: `local v = redis.call('INCR', KEYS[2]) redis.call('DEL', KEYS[1]) return v`,
  },
  /** Fill a string if its version is still ARGV[1]. KEYS: value, version. ARGV: version, value, ttl s. */
  huakuFillString: {
    numberOfKeys: 2,
    lua: `${IF_VERSION} redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1`,
  },
  /** Fill a list (a '#' sentinel first, so an empty list still exists). ARGV: version, ttl s, items… */
  huakuFillList: { numberOfKeys: 2, lua: FILL_COLLECTION('RPUSH') },
  /** Fill a set (with a '#' sentinel member). ARGV: version, ttl s, members… */
  huakuFillSet: { numberOfKeys: 2, lua: FILL_COLLECTION('SADD') },
  /**
   * A work's reactions changed: store its like count and move it in hot_rank (only when hot_rank exists:
   * a partial hot_rank would hide every other work), if no newer change was applied meanwhile.
   * KEYS: likes, version, hot_rank. ARGV: version, likes, ttl s, score ('' = not ranked), member.
   */
  huakuApplyReaction: {
    numberOfKeys: 3,
    lua: `${IF_VERSION}
          redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
          if ARGV[4] ~= '' and redis.call('EXISTS', KEYS[3]) == 1 then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5]) end
          return 1`,
  },
  /** Replace a key with a staged copy if the version is unchanged. KEYS: staged, live, version. ARGV: version, ttl s. */
  huakuSwap: {
    numberOfKeys: 3,
    lua: `if (redis.call('GET', KEYS[3]) or '0') ~= ARGV[1] then redis.call('DEL', KEYS[1]) return 0 end
          if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('DEL', KEYS[2]) return 1 end
          redis.call('RENAME', KEYS[1], KEYS[2]) redis.call('EXPIRE', KEYS[2], ARGV[2]) return 1`,
  },
  /** Fixed-window counter. KEYS: counter. ARGV: window ms. Returns {count, ms until reset}. */
  huakuRateHit: {
    numberOfKeys: 1,
    lua: `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
          local ttl = redis.call('PTTL', KEYS[1]) if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
          return {n, ttl}`,
  },
} as const;

type Arg = string | number;
export interface ScriptedRedis extends Redis {
  huakuBump(value: string, version: string): Promise<number>;
  huakuFillString(value: string, version: string, v: Arg, data: Arg, ttl: Arg): Promise<number>;
  huakuFillList(value: string, version: string, v: Arg, ttl: Arg, ...items: Arg[]): Promise<number>;
  huakuFillSet(value: string, version: string, v: Arg, ttl: Arg, ...members: Arg[]): Promise<number>;
  huakuApplyReaction(likes: string, version: string, hot: string, v: Arg, count: Arg, ttl: Arg, score: Arg, member: Arg): Promise<number>;
  huakuSwap(staged: string, live: string, version: string, v: Arg, ttl: Arg): Promise<number>;
  huakuRateHit(counter: string, windowMs: Arg): Promise<[number, number]>;
}

export class RedisConnection {
  readonly client: ScriptedRedis;
  readonly prefix: string;
  private readonly log: Logger;
  private down = false;
  /** A write was skipped while Redis was unreachable: cached values may be stale when it returns. */
  private missedWrites = false;
  private readonly recoveryListeners: Array<() => void> = [];

  constructor(url: string, options: { prefix: string; log: Logger }) {
    this.prefix = options.prefix;
    this.log = options.log;
    const client = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    for (const [name, definition] of Object.entries(SCRIPTS)) client.defineCommand(name, definition);
    this.client = client as ScriptedRedis;
    const target = maskUrlPassword(url);
    client.on('error', (error: Error) => this.markDown(`connection to ${target} failed: ${errorMessage(error)}`));
    client.on('ready', () => {
      if (!this.down) return;
      this.down = false;
      this.log.info({ redis: target }, 'Redis is reachable again: caches back in use');
      if (this.missedWrites) {
        this.missedWrites = false;
        for (const listener of this.recoveryListeners) listener();
      }
    });
  }

  /** Resolve when connected, or after `timeoutMs` (the server then starts degraded and keeps retrying). */
  async waitUntilReady(timeoutMs = 1500): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        this.markDown('not reachable at startup');
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.client.once('ready', onReady);
    });
  }

  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  get available(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Run Redis commands; on any failure log it (once per outage) and return `undefined` so the caller falls
   * back to the database. `write` marks the attempt as a cache update whose loss makes caches stale.
   */
  async attempt<T>(what: string, fn: (client: ScriptedRedis) => Promise<T>, options: { write?: boolean } = {}): Promise<T | undefined> {
    if (this.client.status !== 'ready') {
      if (options.write) this.missedWrites = true;
      this.markDown(`not connected (${this.client.status})`, what);
      return undefined;
    }
    try {
      return await fn(this.client);
    } catch (error) {
      if (options.write) this.missedWrites = true;
      this.markDown(errorMessage(error), what);
      return undefined;
    }
  }

  /** One round trip (PING): true when Redis answered (for /api/health). */
  async ping(): Promise<boolean> {
    return (await this.attempt('health check', (client) => client.ping())) === 'PONG';
  }

  /** Called once Redis is back after writes were skipped (the cache schedules a rebuild). */
  onRecoveredAfterMissedWrites(listener: () => void): void {
    this.recoveryListeners.push(listener);
  }

  private markDown(reason: string, what?: string): void {
    if (this.down) return;
    this.down = true;
    this.log.warn({ reason, during: what }, 'Redis unavailable: serving from the database until it returns');
  }

  async close(): Promise<void> {
    this.client.removeAllListeners('error');
    this.client.on('error', () => undefined);
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
