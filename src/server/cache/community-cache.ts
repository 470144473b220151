// The community server's caches (seed 002's Redis keys) in front of the database, which stays the source of
// truth. Two implementations of one interface: DatabaseCache answers everything from the Store (no Redis
// configured), RedisCache keeps
//   hot_rank              sorted set: published work id → hot score (src/core/domain/hot-score.ts)
//   feed_queue            list: the newest published work ids
//   user:{id}:artworks    list: a user's published work ids, newest first
//   user:{id}:favorites   set: the work ids a user favorited
//   artwork:{id}:likes    string: the like count
// and falls back to DatabaseCache for any read Redis cannot answer.
//
// Consistency: every cached value has a version key (`<key>:v`, `artwork:{id}:v`). A write to the database
// is followed by a bump (INCR the version, DEL the value); a reader that misses notes the version before
// reading the database and fills the value only if the version is unchanged (a Lua script), so a fill can
// never overwrite a newer write with an older read. A like/favorite bumps and then re-reads the counts
// itself, so the counter stays warm. Writes skipped during an outage trigger a rebuild when Redis returns.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/log.ts';
import { hotScore, type ReactionCounts } from '../../core/domain/hot-score.ts';
import type { Store, Work } from '../../core/store/store.ts';
import { allHotScores, hotIdsFromDatabase } from './hot-ranking.ts';
import type { RedisConnection, ScriptedRedis } from './redis-connection.ts';

/** feed_queue and user:{id}:artworks hold at most this many ids; lists beyond it page from the database. */
const LIST_CAP = 1000;
/** user:{id}:favorites is only cached for users with fewer favorites than this. */
const FAVORITES_CAP = 5000;
const COUNT_TTL_S = 86_400;
const LIST_TTL_S = 3600;
/** Ingested works reach feed_queue and hot_rank within these TTLs even without `ingest cache rebuild`. */
const FEED_TTL_S = 600;
const HOT_TTL_S = 3600;
const SENTINEL = '#';

export interface CachedIds {
  ids: number[];
  /** false when the list was cut at LIST_CAP: positions beyond it must come from the database. */
  complete: boolean;
}

export interface RebuildReport {
  backend: 'redis' | 'database';
  invalidated: number;
  hotRanked: number;
  likeCounters: number;
  feedQueue: number;
  ms: number;
}

export interface CommunityCache {
  readonly backend: 'redis' | 'database';
  likeCounts(workIds: number[]): Promise<Map<number, number>>;
  /** After a like or favorite of `work` changed in the database: its fresh counts, cached and ranked. */
  reactionChanged(work: Work): Promise<ReactionCounts>;
  favoritedAmong(userId: number, workIds: number[]): Promise<Set<number>>;
  favoritesChanged(userId: number): Promise<void>;
  /** A user's published work ids, newest first; null: page the database directly. */
  userArtworkIds(userId: number): Promise<CachedIds | null>;
  userArtworksChanged(userId: number): Promise<void>;
  /** The newest published work ids (feed_queue); null: page the database directly. */
  newestIds(): Promise<CachedIds | null>;
  feedChanged(): Promise<void>;
  hotIds(offset: number, limit: number): Promise<number[]>;
  /** Rebuild every key from the database (`ingest cache rebuild`). */
  rebuild(): Promise<RebuildReport>;
}

async function countsFromDatabase(store: Store, workId: number): Promise<ReactionCounts> {
  return (await store.works.reactionCounts(workId)) ?? { likes: 0, favorites: 0 };
}

export class DatabaseCache implements CommunityCache {
  readonly backend = 'database' as const;
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  likeCounts(workIds: number[]): Promise<Map<number, number>> {
    return this.store.likes.countByWorks(workIds);
  }
  reactionChanged(work: Work): Promise<ReactionCounts> {
    return countsFromDatabase(this.store, work.id);
  }
  favoritedAmong(userId: number, workIds: number[]): Promise<Set<number>> {
    return this.store.favorites.filterWorkIds(userId, workIds);
  }
  async favoritesChanged(): Promise<void> {}
  async userArtworkIds(): Promise<null> {
    return null;
  }
  async userArtworksChanged(): Promise<void> {}
  async newestIds(): Promise<null> {
    return null;
  }
  async feedChanged(): Promise<void> {}
  hotIds(offset: number, limit: number): Promise<number[]> {
    return hotIdsFromDatabase(this.store, offset, limit);
  }
  async rebuild(): Promise<RebuildReport> {
    return { backend: 'database', invalidated: 0, hotRanked: 0, likeCounters: 0, feedQueue: 0, ms: 0 };
  }
}

export class RedisCache implements CommunityCache {
  readonly backend = 'redis' as const;
  private readonly redis: RedisConnection;
  private readonly store: Store;
  private readonly log: Logger;
  private readonly db: DatabaseCache;
  private hotRebuild: Promise<unknown> | undefined;
  private fullRebuild: Promise<unknown> | undefined;

  constructor(redis: RedisConnection, store: Store, log: Logger) {
    this.redis = redis;
    this.store = store;
    this.log = log;
    this.db = new DatabaseCache(store);
    redis.onRecoveredAfterMissedWrites(() => {
      this.fullRebuild ??= this.rebuild()
        .then((report) => this.log.info({ report }, 'Redis caches rebuilt after the outage'))
        .catch((error: unknown) => this.log.warn({ err: error }, 'Redis cache rebuild after the outage failed'))
        .finally(() => (this.fullRebuild = undefined));
    });
  }

  private k(name: string): string {
    return this.redis.key(name);
  }

  async likeCounts(workIds: number[]): Promise<Map<number, number>> {
    const ids = [...new Set(workIds)];
    if (ids.length === 0) return new Map();
    const keys = ids.map((id) => this.k(`artwork:${id}:likes`));
    const versionKeys = ids.map((id) => this.k(`artwork:${id}:v`));
    // Versions first: a fill must be based on a database read made after the version was seen.
    const cached = await this.redis.attempt('like counts', async (client) => {
      const [values, versions] = await Promise.all([client.mget(...keys), client.mget(...versionKeys)]);
      return { values, versions };
    });
    if (!cached) return this.db.likeCounts(ids);
    const counts = new Map<number, number>();
    const missing: number[] = [];
    ids.forEach((id, i) => {
      const value = cached.values[i];
      if (value === null || value === undefined) missing.push(id);
      else counts.set(id, Number(value));
    });
    if (missing.length > 0) {
      const loaded = await this.store.likes.countByWorks(missing);
      await this.redis.attempt('fill like counts', async (client) => {
        const pipeline = client.pipeline() as unknown as ScriptedRedis;
        for (const id of missing) {
          const i = ids.indexOf(id);
          pipeline.huakuFillString(keys[i]!, versionKeys[i]!, cached.versions[i] ?? '0', loaded.get(id) ?? 0, COUNT_TTL_S);
        }
        await (pipeline as unknown as { exec(): Promise<unknown> }).exec();
      });
      for (const id of missing) counts.set(id, loaded.get(id) ?? 0);
    }
    return counts;
  }

  async reactionChanged(work: Work): Promise<ReactionCounts> {
    const likesKey = this.k(`artwork:${work.id}:likes`);
    const versionKey = this.k(`artwork:${work.id}:v`);
    const version = await this.redis.attempt('invalidate like count', (c) => c.huakuBump(likesKey, versionKey), { write: true });
    const counts = await countsFromDatabase(this.store, work.id);
    if (version !== undefined) {
      const score = work.status === 'published' ? hotScore(work.publishedAt, counts) : '';
      await this.redis.attempt(
        'store like count and hot score',
        (c) => c.huakuApplyReaction(likesKey, versionKey, this.k('hot_rank'), version, counts.likes, COUNT_TTL_S, score, work.id),
        { write: true },
      );
    }
    return counts;
  }

  async favoritedAmong(userId: number, workIds: number[]): Promise<Set<number>> {
    const ids = [...new Set(workIds)];
    if (ids.length === 0) return new Set();
    const key = this.k(`user:${userId}:favorites`);
    const versionKey = `${key}:v`;
    const cached = await this.redis.attempt('favorites', async (client) => {
      const [version, exists, members] = await Promise.all([client.get(versionKey), client.exists(key), client.smismember(key, ...ids)]);
      return { version: version ?? '0', exists: exists === 1, members };
    });
    if (!cached) return this.db.favoritedAmong(userId, ids);
    if (cached.exists) return new Set(ids.filter((_, i) => cached.members[i] === 1));
    const all = await this.store.favorites.listWorkIdsByUser(userId, FAVORITES_CAP);
    if (all.length >= FAVORITES_CAP) return this.db.favoritedAmong(userId, ids);
    await this.redis.attempt('fill favorites', (c) => c.huakuFillSet(key, versionKey, cached.version, LIST_TTL_S, ...all));
    const set = new Set(all);
    return new Set(ids.filter((id) => set.has(id)));
  }

  async favoritesChanged(userId: number): Promise<void> {
    await this.bump(`user:${userId}:favorites`);
  }

  userArtworkIds(userId: number): Promise<CachedIds | null> {
    return this.cachedList(`user:${userId}:artworks`, LIST_TTL_S, async () =>
      (await this.store.works.list({ ownerUserId: userId, status: 'published', order: 'newest', limit: LIST_CAP })).map((w) => w.id),
    );
  }

  async userArtworksChanged(userId: number): Promise<void> {
    await this.bump(`user:${userId}:artworks`);
  }

  newestIds(): Promise<CachedIds | null> {
    return this.cachedList('feed_queue', FEED_TTL_S, async () =>
      (await this.store.works.list({ status: 'published', order: 'newest', limit: LIST_CAP })).map((w) => w.id),
    );
  }

  async feedChanged(): Promise<void> {
    await this.bump('feed_queue');
  }

  async hotIds(offset: number, limit: number): Promise<number[]> {
    const hot = this.k('hot_rank');
    const cached = await this.redis.attempt('hot_rank', async (client) => {
      const [exists, ids] = await Promise.all([client.exists(hot), client.zrevrange(hot, offset, offset + limit - 1)]);
      return exists === 1 ? ids : null;
    });
    if (cached) return cached.filter((id) => id !== SENTINEL).map(Number);
    if (cached === null) this.rebuildHotInBackground();
    return this.db.hotIds(offset, limit);
  }

  async rebuild(): Promise<RebuildReport> {
    const started = performance.now();
    let invalidated = 0;
    for (const pattern of ['artwork:*:likes', 'user:*:artworks', 'user:*:favorites']) {
      for await (const keys of this.scan(this.k(pattern))) {
        await this.required('invalidate', async (client) => {
          const pipeline = client.pipeline() as unknown as ScriptedRedis;
          for (const key of keys) pipeline.huakuBump(key, this.versionKeyOf(key));
          await (pipeline as unknown as { exec(): Promise<unknown> }).exec();
        });
        invalidated += keys.length;
      }
    }
    await this.bump('feed_queue', true);
    const feed = await this.newestIds();
    const hotRanked = await this.rebuildHot();
    // Warm the counters of every work that has likes (the rest read as 0 from a miss).
    const liked = await this.store.likes.topWorks(1_000_000);
    for (let i = 0; i < liked.length; i += 500) await this.likeCounts(liked.slice(i, i + 500).map((t) => t.workId));
    return {
      backend: 'redis',
      invalidated,
      hotRanked,
      likeCounters: liked.length,
      feedQueue: feed?.ids.length ?? 0,
      ms: Math.round(performance.now() - started),
    };
  }

  /** Rebuild hot_rank into a staging key and swap it in, unless a newer rebuild claimed it meanwhile. */
  private async rebuildHot(): Promise<number> {
    const live = this.k('hot_rank');
    const staged = this.k(`hot_rank:staging:${randomUUID()}`);
    const version = await this.required('claim hot_rank', (c) => c.incr(`${live}:v`));
    let ranked = 0;
    try {
      await this.required('stage hot_rank', (c) => c.zadd(staged, '-inf', SENTINEL));
      for await (const page of allHotScores(this.store)) {
        await this.required('stage hot_rank', (c) => c.zadd(staged, ...page.flatMap((w) => [w.score, String(w.id)])));
        ranked += page.length;
      }
      await this.required('swap hot_rank', (c) => c.huakuSwap(staged, live, `${live}:v`, version, HOT_TTL_S));
    } finally {
      await this.redis.attempt('drop staged hot_rank', (c) => c.del(staged));
    }
    return ranked;
  }

  private rebuildHotInBackground(): void {
    if (this.hotRebuild) return;
    const lock = this.k('hot_rank:lock');
    this.hotRebuild = (async () => {
      // One replica rebuilds; the others keep answering from the database meanwhile.
      const acquired = await this.redis.attempt('lock hot_rank rebuild', (c) => c.set(lock, '1', 'PX', 120_000, 'NX'));
      if (acquired !== 'OK') return;
      try {
        const ranked = await this.rebuildHot();
        this.log.info({ ranked }, 'hot_rank rebuilt from the database');
      } finally {
        await this.redis.attempt('unlock hot_rank rebuild', (c) => c.del(lock));
      }
    })()
      .catch((error: unknown) => this.log.warn({ err: error }, 'hot_rank rebuild failed; the database keeps answering'))
      .finally(() => (this.hotRebuild = undefined));
  }

  /** A cached id list (with its '#' sentinel first), filled from the database on a miss. */
  private async cachedList(name: string, ttl: number, load: () => Promise<number[]>): Promise<CachedIds | null> {
    const key = this.k(name);
    const cached = await this.redis.attempt(name, async (client) => {
      const [version, items] = await Promise.all([client.get(`${key}:v`), client.lrange(key, 0, -1)]);
      return { version: version ?? '0', items };
    });
    if (!cached) return null;
    if (cached.items[0] === SENTINEL) {
      const ids = cached.items.slice(1).map(Number);
      return { ids, complete: ids.length < LIST_CAP };
    }
    const ids = await load();
    await this.redis.attempt(`fill ${name}`, (c) => c.huakuFillList(key, `${key}:v`, cached.version, ttl, ...ids));
    return { ids, complete: ids.length < LIST_CAP };
  }

  private async bump(name: string, required = false): Promise<void> {
    const key = this.k(name);
    if (required) await this.required(`invalidate ${name}`, (c) => c.huakuBump(key, `${key}:v`));
    else await this.redis.attempt(`invalidate ${name}`, (c) => c.huakuBump(key, `${key}:v`), { write: true });
  }

  /** `artwork:{id}:likes` is versioned by `artwork:{id}:v`; list and set keys by `<key>:v`. */
  private versionKeyOf(key: string): string {
    return key.endsWith(':likes') ? `${key.slice(0, -':likes'.length)}:v` : `${key}:v`;
  }

  private async *scan(pattern: string): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, keys] = await this.required('scan', (c) => c.scan(cursor, 'MATCH', pattern, 'COUNT', 500));
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }

  /** For the rebuild: a Redis failure is an error (the command reports it), not a silent fallback. */
  private async required<T>(what: string, fn: (client: ScriptedRedis) => Promise<T>): Promise<T> {
    if (this.redis.client.status !== 'ready') throw new Error(`Redis is not connected (${this.redis.client.status}) during ${what}`);
    return fn(this.redis.client);
  }
}
