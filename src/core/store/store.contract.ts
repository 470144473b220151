// One contract suite for every Store implementation (SQLite and MySQL/MariaDB run the same assertions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserFacingError } from '../errors.ts';
import { emptyRecipe, emptyResource } from '../recipe/recipe.ts';
import type { Store } from './store.ts';

export interface StoreFixture {
  store: Store;
  /** A second, never-migrated database of the same dialect, for the missing-migration check. */
  openUnmigrated(): Promise<Store>;
  cleanup(): Promise<void>;
}

const BIG_ID = '18446744073709551615123'; // beyond 2^64, let alone 2^53: ids are strings end to end

export function describeStoreContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    let counter = 0;
    const unique = (prefix: string) => `${prefix}-${++counter}`;

    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    it('reports its health and that it is migrated', async () => {
      const health = await store.ping();
      expect(health.dialect).toBe(store.dialect);
      expect(health.ms).toBeGreaterThanOrEqual(0);
      await expect(store.assertMigrated()).resolves.toBeUndefined();
    });

    it('refuses an unmigrated database with a message that says to run migrate', async () => {
      const bare = await fixture.openUnmigrated();
      try {
        const error = await bare.assertMigrated().then(() => null, (e: unknown) => e);
        expect(error).toBeInstanceOf(UserFacingError);
        expect((error as UserFacingError).format()).toMatch(/missing \d+ migration.*0000_init[\s\S]*npm run migrate/);
      } finally {
        await bare.close();
      }
    });

    it('upserts authors by (source, external id), keeping ids beyond 2^53 exact', async () => {
      const first = await store.authors.upsert({ source: 'liblib', externalId: BIG_ID, name: '车迷阿明' });
      const again = await store.authors.upsert({ source: 'liblib', externalId: BIG_ID, name: '车迷阿明 2', avatarUrl: 'https://x/a.png' });
      expect(again.id).toBe(first.id);
      expect(again.externalId).toBe(BIG_ID);
      expect(again.name).toBe('车迷阿明 2');
      expect(again.avatarUrl).toBe('https://x/a.png');
      const other = await store.authors.upsert({ source: 'civitai', externalId: BIG_ID, name: 'same id, other source' });
      expect(other.id).not.toBe(first.id);
      expect(await store.authors.get(first.id)).toMatchObject({ name: '车迷阿明 2' });
      expect(await store.authors.findByExternalId('liblib', 'nope')).toBeNull();
      // The stored avatar round-trips, and a later upsert (which never carries it) keeps it.
      expect(again.avatar).toBeNull();
      const avatar = { from: 'https://x/a.png', key: 'avatars/liblib/0123456789abcdef.png', width: 64, height: 64, thumbnails: [{ key: 'thumbs/48/avatars/liblib/0123456789abcdef.webp', width: 48 }] };
      await store.authors.setAvatar(first.id, avatar);
      await store.authors.upsert({ source: 'liblib', externalId: BIG_ID, name: '车迷阿明 3', avatarUrl: 'https://x/a.png' });
      expect((await store.authors.get(first.id))?.avatar).toEqual(avatar);
    });

    it('upserts works idempotently and round-trips every field', async () => {
      const author = await store.authors.upsert({ source: 'liblib', externalId: unique('a'), name: '作者' });
      const input = {
        source: 'liblib' as const,
        externalId: BIG_ID,
        slug: 'c0ffee00aa',
        title: '赛博朋克概念车 Cyberpunk concept car',
        titleEn: 'Concept car',
        publishedAt: new Date('2025-03-04T05:06:07.890Z'),
        tags: ['汽车交通', 'car'],
        prompt: '一辆未来感跑车，超高清，电影感',
        negativePrompt: 'lowres, 模糊',
        sampler: 'DPM++ 2M Karras',
        steps: 30,
        cfgScale: 7.5,
        width: 1024,
        height: 768,
        seed: '3849201938475610293',
        likeCount: 12,
        favoriteCount: 3,
        commentCount: 1,
        sourceUrl: 'https://www.liblib.art/imageinfo/c0ffee00aa',
        authorId: author.id,
      };
      const work = await store.works.upsert(input);
      const again = await store.works.upsert(input);
      expect(again.id).toBe(work.id);
      expect(again).toMatchObject({ ...input, status: 'published', ownerUserId: null });
      expect(again.publishedAt?.toISOString()).toBe('2025-03-04T05:06:07.890Z');
      expect(await store.works.count({ source: 'liblib' })).toBeGreaterThanOrEqual(1);
      const updated = await store.works.upsert({ ...input, title: '新标题', likeCount: 13 });
      expect(updated).toMatchObject({ id: work.id, title: '新标题', likeCount: 13 });
      expect(await store.works.findByExternalId('liblib', BIG_ID)).toMatchObject({ id: work.id });
      expect(await store.works.existingExternalIds('liblib', [BIG_ID, 'unknown'])).toEqual(new Set([BIG_ID]));
      expect(await store.works.existingExternalIds('liblib', [])).toEqual(new Set());
    });

    it('stores an NSFW level per work, None unless given', async () => {
      const plain = await store.works.upsert({ source: 'liblib', externalId: unique('nsfw'), slug: 'n' });
      expect(plain.nsfwLevel).toBe('None');
      const rated = await store.works.upsert({ source: 'liblib', externalId: unique('nsfw'), slug: 'n', nsfwLevel: 'Mature' });
      expect(rated.nsfwLevel).toBe('Mature');
      const again = await store.works.upsert({ source: 'liblib', externalId: rated.externalId, slug: 'n', nsfwLevel: 'Soft' });
      expect(again).toMatchObject({ id: rated.id, nsfwLevel: 'Soft' });
      expect((await store.works.getMany([rated.id]))[0]!.nsfwLevel).toBe('Soft');
    });

    it('reads authors, users and model references of many ids at once, with LoRA links', async () => {
      const a = await store.authors.upsert({ source: 'liblib', externalId: unique('many'), name: 'A' });
      const b = await store.authors.upsert({ source: 'civitai', externalId: unique('many'), name: 'B' });
      expect((await store.authors.getMany([b.id, a.id, a.id, 987_654_321])).map((x) => x.name).sort()).toEqual(['A', 'B']);
      expect(await store.authors.getMany([])).toEqual([]);
      const u = await store.users.create({ username: unique('many_user'), name: 'U' });
      expect((await store.users.getMany([u.id, 987_654_321])).map((x) => x.id)).toEqual([u.id]);
      expect((await store.users.listByUsernames([u.username, 'nobody-here'])).map((x) => x.id)).toEqual([u.id]);
      expect(await store.users.listByUsernames([])).toEqual([]);

      const w1 = await store.works.upsert({ source: 'liblib', externalId: unique('wm'), slug: 'w' });
      const w2 = await store.works.upsert({ source: 'liblib', externalId: unique('wm'), slug: 'w' });
      await store.works.replaceModels(w2.id, [{ modelType: 'LORA', modelName: 'linked' }, { modelType: 'CHECKPOINT', modelName: 'ckpt' }]);
      await store.works.replaceModels(w1.id, [{ modelType: 'LORA', modelName: 'unlinked' }]);
      const lora = await store.loras.upsert({ source: 'modelscope', externalId: unique('owner/linked') });
      const [linked] = await store.works.listModels(w2.id);
      await store.loras.replaceLinks([lora.id], [{ loraId: lora.id, workModelId: linked!.id, method: 'name', matched: 'linked' }]);
      const refs = await store.works.listModelsByWorks([w2.id, w1.id]);
      expect(refs.map((r) => [r.workId, r.modelName, r.loraId])).toEqual([
        [w1.id, 'unlinked', null],
        [w2.id, 'linked', lora.id],
        [w2.id, 'ckpt', null],
      ]);
      expect(await store.works.listModelsByWorks([])).toEqual([]);
    });

    it('lists works newest first with stable keyset pagination and filters', async () => {
      const source = 'civitai' as const;
      const base = Date.parse('2024-01-01T00:00:00Z');
      const ids: number[] = [];
      for (let i = 0; i < 7; i++) {
        // two works share a timestamp and one has none: ties and NULLs must not break the cursor
        const publishedAt = i === 6 ? null : new Date(base + Math.min(i, 4) * 60_000);
        const work = await store.works.upsert({ source, externalId: unique('list'), slug: `s${i}`, publishedAt });
        ids.push(work.id);
      }
      const seen: number[] = [];
      let after: { publishedAt: Date | null; id: number } | undefined;
      for (;;) {
        const page = await store.works.list({ source, limit: 3, after });
        if (page.length === 0) break;
        seen.push(...page.map((w) => w.id));
        const last = page.at(-1)!;
        after = { publishedAt: last.publishedAt, id: last.id };
      }
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
      expect(seen.at(-1)).toBe(ids[6]); // NULL published_at last
      const all = await store.works.list({ source, limit: 100 });
      expect(all.map((w) => w.id)).toEqual(seen);
      const times = all.filter((w) => w.publishedAt).map((w) => w.publishedAt!.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const oldest = await store.works.list({ source, limit: 100, order: 'oldest' });
      expect(oldest[0]!.publishedAt!.getTime()).toBe(base);
      // oldest first pages the same way, undated works last too
      const oldestPaged: number[] = [];
      let from: { publishedAt: Date | null; id: number } | undefined;
      for (;;) {
        const page = await store.works.list({ source, limit: 2, after: from, order: 'oldest' });
        if (page.length === 0) break;
        oldestPaged.push(...page.map((w) => w.id));
        from = { publishedAt: page.at(-1)!.publishedAt, id: page.at(-1)!.id };
      }
      expect(oldestPaged).toEqual(oldest.map((w) => w.id));
      expect(oldestPaged).toHaveLength(7);
      expect(oldestPaged.at(-1)).toBe(ids[6]);
    });

    it('keeps community drafts apart from published works and flips status', async () => {
      const user = await store.users.create({ username: unique('owner'), name: '画师' });
      const draft = await store.works.upsert({
        source: 'community', externalId: unique('c'), slug: 'draft', status: 'draft', ownerUserId: user.id,
      });
      expect(await store.works.list({ ownerUserId: user.id, status: 'published', limit: 10 })).toHaveLength(0);
      expect(await store.works.list({ ownerUserId: user.id, limit: 10 })).toHaveLength(1);
      const published = await store.works.setStatus(draft.id, 'published');
      expect(published?.status).toBe('published');
      expect(await store.works.count({ source: 'community', status: 'published' })).toBeGreaterThanOrEqual(1);
      expect(await store.works.setStatus(999_999_999, 'published')).toBeNull();
    });

    it('publishes a draft once, atomically, keeping an existing publish date', async () => {
      const user = await store.users.create({ username: unique('pub'), name: '画师' });
      const draft = await store.works.upsert({
        source: 'community', externalId: unique('p'), slug: 'p', status: 'draft', ownerUserId: user.id,
      });
      const at = new Date('2025-06-01T02:03:04.567Z');
      const results = await Promise.all([store.works.publish(draft.id, at), store.works.publish(draft.id, at), store.works.publish(draft.id, at)]);
      expect(results.filter((r) => r?.changed)).toHaveLength(1);
      expect(results.every((r) => r?.work.status === 'published' && r.work.publishedAt?.getTime() === at.getTime())).toBe(true);
      expect((await store.works.publish(draft.id, new Date()))).toMatchObject({ changed: false, work: { publishedAt: at } });
      const dated = await store.works.upsert({
        source: 'community', externalId: unique('p'), slug: 'p', status: 'draft', ownerUserId: user.id, publishedAt: at,
      });
      expect(await store.works.publish(dated.id, new Date())).toMatchObject({ changed: true, work: { status: 'published', publishedAt: at } });
      expect(await store.works.publish(999_999_999)).toBeNull();
      const many = await store.works.getMany([draft.id, dated.id, draft.id, 999_999_999]);
      expect(many.map((w) => w.id).sort()).toEqual([draft.id, dated.id].sort());
      expect(await store.works.getMany([])).toEqual([]);
      const fan = await store.users.create({ username: unique('fan'), name: 'fan' });
      await store.likes.add(fan.id, draft.id);
      await store.likes.add(user.id, draft.id);
      await store.favorites.add(fan.id, draft.id);
      expect(await store.works.reactionCounts(draft.id)).toEqual({ likes: 2, favorites: 1 });
      expect(await store.works.reactionCounts(dated.id)).toEqual({ likes: 0, favorites: 0 });
      expect(await store.works.reactionCounts(999_999_999)).toBeNull();
      // Deleting takes its images, model references and reactions with it.
      const image = await store.images.ensure(draft.id, 0, 'upload:x');
      await store.works.replaceModels(draft.id, [{ modelType: 'LORA', modelName: 'Car LoRA' }]);
      expect(await store.works.delete(draft.id)).toBe(true);
      expect(await store.works.get(draft.id)).toBeNull();
      expect(await store.images.listByWork(draft.id)).toEqual([]);
      expect(await store.works.listModels(draft.id)).toEqual([]);
      expect(await store.likes.has(fan.id, draft.id)).toBe(false);
      expect(await store.favorites.countByWorks([draft.id])).toEqual(new Map());
      expect(await store.works.delete(draft.id)).toBe(false);
      expect(image.workId).toBe(draft.id);
    });

    it('replaces model references of a work', async () => {
      const work = await store.works.upsert({ source: 'liblib', externalId: unique('m'), slug: 'm' });
      await store.works.replaceModels(work.id, [
        { modelType: 'CHECKPOINT', modelName: 'majicMIX realistic 麦橘写实', modelUrl: 'https://x/m' },
        { modelType: 'LORA', modelName: 'Car LoRA', isVip: true },
      ]);
      await store.works.replaceModels(work.id, [
        { modelType: 'CHECKPOINT', modelName: 'majicMIX realistic 麦橘写实' },
        { modelType: 'LORA', modelName: 'Car LoRA v2', externalModelId: 'owner/car' },
      ]);
      const models = await store.works.listModels(work.id);
      expect(models.map((m) => [m.modelType, m.modelName, m.isVip])).toEqual([
        ['CHECKPOINT', 'majicMIX realistic 麦橘写实', false],
        ['LORA', 'Car LoRA v2', false],
      ]);
      expect(models[1]!.externalModelId).toBe('owner/car');
    });

    it('lists model references of one type across works, with the work source, in keyset pages', async () => {
      const name = unique('Ref LoRA');
      const a = await store.works.upsert({ source: 'liblib', externalId: unique('ra'), slug: 'ra' });
      const b = await store.works.upsert({ source: 'civitai', externalId: unique('rb'), slug: 'rb' });
      await store.works.replaceModels(a.id, [
        { modelType: 'CHECKPOINT', modelName: `${name} base` },
        { modelType: 'LORA', modelName: `${name} 1`, externalModelId: 'e626211f79' },
      ]);
      await store.works.replaceModels(b.id, [{ modelType: 'LORA', modelName: `${name} 2`, modelUrl: 'https://civitai.com/models/1' }]);
      const all = [];
      let afterId = 0;
      for (;;) {
        const page = await store.works.listModelRefs({ modelType: 'LORA', afterId, limit: 1 });
        if (page.length === 0) break;
        all.push(...page);
        afterId = page[page.length - 1]!.id;
      }
      const mine = all.filter((ref) => ref.modelName.startsWith(name));
      expect(mine.map((ref) => [ref.modelName, ref.workSource, ref.workId, ref.externalModelId])).toEqual([
        [`${name} 1`, 'liblib', a.id, 'e626211f79'],
        [`${name} 2`, 'civitai', b.id, null],
      ]);
      expect(all.every((ref) => ref.modelType === 'LORA')).toBe(true);
      expect(all.map((ref) => ref.id)).toEqual([...all.map((ref) => ref.id)].sort((x, y) => x - y));
    });

    it('tracks images PENDING → OK/FAILED without resetting finished ones', async () => {
      const work = await store.works.upsert({ source: 'liblib', externalId: unique('i'), slug: 'i' });
      const image = await store.images.ensure(work.id, 0, 'https://img/0.png');
      const second = await store.images.ensure(work.id, 1, 'https://img/1.png');
      expect(image.status).toBe('PENDING');
      const hash = 'a'.repeat(64);
      await store.images.markOk(image.id, {
        blobKey: 'liblib/transportation/2025/03/04/i/0_aaaa.png', width: 1024, height: 768, format: 'png',
        contentHash: hash, sizeBytes: 123_456, thumbnails: { '320': 'thumb/320.webp' },
      });
      await store.images.markFailed(second.id);
      const again = await store.images.ensure(work.id, 0, 'https://img/0.png');
      expect(again).toMatchObject({ id: image.id, status: 'OK', contentHash: hash, sizeBytes: 123_456, format: 'png' });
      expect(again.thumbnails).toEqual({ '320': 'thumb/320.webp' });
      expect(again.downloadedAt).toBeInstanceOf(Date);
      expect((await store.images.listByWork(work.id)).map((i) => i.status)).toEqual(['OK', 'FAILED']);
      expect((await store.images.findOkByHash(hash))?.id).toBe(image.id);
      expect(await store.images.findOkByHash('b'.repeat(64))).toBeNull();
      expect((await store.images.listByStatus('FAILED', 100)).map((i) => i.id)).toContain(second.id);
    });

    it('keeps a recipe per image (ids and seeds beyond 2^53 exact), and clears it', async () => {
      const work = await store.works.upsert({ source: 'liblib', externalId: unique('r'), slug: 'r' });
      await store.images.ensure(work.id, 0, 'https://img/r0.png');
      await store.images.ensure(work.id, 1, 'https://img/r1.png');
      const recipe = {
        ...emptyRecipe(BIG_ID), prompt: '红色跑车', seed: '18446744073709551615', steps: 30, cfgScale: 7.5,
        resources: [{ ...emptyResource('LORA'), modelName: 'Car', versionName: 'v1', modelId: 'm', versionId: 'v', weight: 0.65, autoV2: '0123456789' }],
      };
      await store.images.setRecipe(work.id, 0, recipe);
      expect((await store.images.listByWork(work.id)).map((i) => i.recipe)).toEqual([recipe, null]);
      await store.images.setRecipe(work.id, 0, null);
      expect((await store.images.listByWork(work.id))[0]!.recipe).toBeNull();
    });

    it('upserts comments by (work, external id)', async () => {
      const work = await store.works.upsert({ source: 'liblib', externalId: unique('cm'), slug: 'cm' });
      await store.comments.upsert(work.id, { externalId: '1', commenterName: '路人', content: '好看' });
      await store.comments.upsert(work.id, { externalId: '1', commenterName: '路人', content: '太好看了' });
      await store.comments.upsert(work.id, { externalId: '2', content: null, commentedAt: new Date('2025-01-01T00:00:00Z') });
      const list = await store.comments.listByWork(work.id);
      expect(list.map((c) => c.content)).toEqual(['太好看了', null]);
      expect((await store.comments.listByWorks([work.id, work.id])).map((c) => c.externalId)).toEqual(['1', '2']);
    });

    it('accumulates run counters and failures by kind', async () => {
      const runRow = await store.runs.start('liblib', 'crawl');
      expect(runRow.status).toBe('RUNNING');
      await store.runs.increment(runRow.id, { pagesFetched: 2, requests: 10, failures: { network: 1 } });
      await Promise.all([
        store.runs.increment(runRow.id, { requests: 5, retries: 1, failures: { network: 2, contract: 1 } }),
        store.runs.increment(runRow.id, { requests: 5, rateLimited: 3 }),
      ]);
      const done = await store.runs.finish(runRow.id, 'SUCCESS', { bytesDownloaded: 5_000_000_000 });
      expect(done).toMatchObject({
        status: 'SUCCESS', pagesFetched: 2, requests: 20, retries: 1, rateLimited: 3, bytesDownloaded: 5_000_000_000,
        failures: { network: 3, contract: 1 },
      });
      expect(done.endedAt).toBeInstanceOf(Date);
      expect((await store.runs.latest('liblib', 1))[0]!.id).toBe(runRow.id);
    });

    it('marks runs whose heartbeat stopped ABORTED, and only those', async () => {
      const hour = 3_600_000;
      const dead = await store.runs.start('liblib', 'crawl:incremental', new Date(Date.now() - 2 * hour));
      const alive = await store.runs.start('liblib', 'crawl:incremental', new Date(Date.now() - 2 * hour));
      await store.runs.heartbeat(alive.id);
      const finished = await store.runs.start('civitai', 'images:crawl', new Date(Date.now() - 2 * hour));
      await store.runs.finish(finished.id, 'SUCCESS');
      const aborted = await store.runs.abortAbandoned(new Date(Date.now() - hour / 2), 'abandoned');
      expect(aborted.map((r) => r.id)).toEqual([dead.id]);
      expect(aborted[0]).toMatchObject({ status: 'ABORTED', errorSummary: 'abandoned' });
      expect(aborted[0]!.endedAt).toBeInstanceOf(Date);
      expect((await store.runs.get(alive.id))?.status).toBe('RUNNING');
      expect((await store.runs.get(finished.id))?.status).toBe('SUCCESS');
      await store.runs.finish(alive.id, 'SUCCESS');
    });

    it('creates users with unique usernames and finds them by Google subject', async () => {
      const username = unique('alice');
      const user = await store.users.create({ username, name: '爱丽丝', googleSub: unique('sub'), email: `${username}@example.com` });
      await expect(store.users.create({ username, name: 'dup' })).rejects.toThrow();
      expect(await store.users.findByUsername(username)).toMatchObject({ id: user.id });
      expect(await store.users.findByGoogleSub(user.googleSub!)).toMatchObject({ id: user.id });
      expect(await store.users.update(user.id, { name: '新名字' })).toMatchObject({ name: '新名字' });
      expect(await store.users.get(-1)).toBeNull();
    });

    it('stores sessions by token hash with expiry, and invalidates one or all', async () => {
      const user = await store.users.create({ username: unique('sess'), name: 's' });
      const expiresAt = new Date(Date.now() + 30 * 86_400_000);
      const ids = [unique('h'.repeat(60)), unique('k'.repeat(60)), unique('z'.repeat(60))];
      for (const id of ids.slice(0, 2)) await store.sessions.create({ id, userId: user.id, expiresAt });
      await store.sessions.create({ id: ids[2]!, userId: user.id, expiresAt: new Date(Date.now() - 1000) });
      const found = await store.sessions.getWithUser(ids[0]!);
      expect(found?.user.id).toBe(user.id);
      expect(found?.session.expiresAt.getTime()).toBe(expiresAt.getTime());
      const later = new Date(expiresAt.getTime() + 86_400_000);
      await store.sessions.setExpiry(ids[0]!, later);
      expect((await store.sessions.getWithUser(ids[0]!))?.session.expiresAt.getTime()).toBe(later.getTime());
      expect(await store.sessions.deleteExpired(new Date())).toBeGreaterThanOrEqual(1);
      expect(await store.sessions.getWithUser(ids[2]!)).toBeNull();
      await store.sessions.delete(ids[0]!);
      expect(await store.sessions.getWithUser(ids[0]!)).toBeNull();
      await store.sessions.deleteAllForUser(user.id);
      expect(await store.sessions.getWithUser(ids[1]!)).toBeNull();
    });

    for (const kind of ['likes', 'favorites'] as const) {
      it(`keeps ${kind} unique per user and work`, async () => {
        const user = await store.users.create({ username: unique(kind), name: kind });
        const other = await store.users.create({ username: unique(kind), name: kind });
        const a = await store.works.upsert({ source: 'liblib', externalId: unique('r'), slug: 'r' });
        const b = await store.works.upsert({ source: 'community', externalId: unique('r'), slug: 'r' });
        const repo = store[kind];
        expect(await repo.add(user.id, a.id)).toBe(true);
        expect(await repo.add(user.id, a.id)).toBe(false);
        expect(await repo.add(other.id, a.id)).toBe(true);
        expect(await repo.add(user.id, b.id)).toBe(true);
        expect(await repo.count(a.id)).toBe(2);
        expect(await repo.has(user.id, a.id)).toBe(true);
        expect(new Set(await repo.listWorkIdsByUser(user.id, 10))).toEqual(new Set([a.id, b.id]));
        expect(await repo.remove(user.id, a.id)).toBe(true);
        expect(await repo.remove(user.id, a.id)).toBe(false);
        expect(await repo.has(user.id, a.id)).toBe(false);
        expect(await repo.count(a.id)).toBe(1);
        // a reaction to a work that does not exist is an error, never silently dropped
        await expect(repo.add(user.id, 999_999_999)).rejects.toThrow();
      });

      it(`pages, counts and filters ${kind} in batches`, async () => {
        const user = await store.users.create({ username: unique(kind), name: kind });
        const other = await store.users.create({ username: unique(kind), name: kind });
        const list = [];
        for (let i = 0; i < 5; i++) list.push(await store.works.upsert({ source: 'community', externalId: unique('b'), slug: 'b' }));
        const repo = store[kind];
        for (const work of list) await repo.add(user.id, work.id);
        await repo.add(other.id, list[0]!.id);
        const ids = list.map((w) => w.id);
        const counts = await repo.countByWorks([...ids, 999_999_999]);
        expect(counts.get(ids[0]!)).toBe(2);
        expect(counts.get(ids[1]!)).toBe(1);
        expect(counts.has(999_999_999)).toBe(false);
        expect(await repo.filterWorkIds(other.id, ids)).toEqual(new Set([ids[0]]));
        expect(await repo.filterWorkIds(other.id, [])).toEqual(new Set());
        const top = await repo.topWorks(1000);
        expect(top.find((t) => t.workId === ids[0])?.count).toBe(2);
        expect(top.findIndex((t) => t.workId === ids[0])).toBeLessThan(top.findIndex((t) => t.workId === ids[1]));
        // Keyset pages cover every reaction once, most recent first (same-millisecond ties by work id).
        const seen: number[] = [];
        let after;
        for (;;) {
          const page = await repo.pageByUser(user.id, 2, after);
          if (page.length === 0) break;
          seen.push(...page.map((p) => p.workId));
          after = page.at(-1);
        }
        expect([...seen].sort()).toEqual([...ids].sort());
        expect(seen.slice(0, 2)).toEqual((await repo.pageByUser(user.id, 2)).map((p) => p.workId));
      });
    }

    it('upserts LoRAs and lists them by task, most downloaded first', async () => {
      const task = unique('text-to-image-synthesis');
      const lora = await store.loras.upsert({
        source: 'modelscope', externalId: 'owner/墨韵山水', titleCn: '墨韵山水', downloads: 10, task,
        tagsCn: ['山水'], triggerWords: ['ink'], baseModels: ['SDXL'], upstreamUpdatedAt: new Date('2025-01-01T00:00:00Z'),
      });
      await store.loras.upsert({ source: 'modelscope', externalId: 'owner/car', downloads: 99, task });
      const again = await store.loras.upsert({ source: 'modelscope', externalId: 'owner/墨韵山水', downloads: 11, task });
      expect(again.id).toBe(lora.id);
      expect(again.tagsCn).toEqual(['山水']);
      const list = await store.loras.list({ task, limit: 10 });
      expect(list.map((l) => [l.externalId, l.downloads])).toEqual([['owner/car', 99], ['owner/墨韵山水', 11]]);
      expect(await store.loras.count()).toBeGreaterThanOrEqual(2);

      // links from works' LoRA references, replaced as a whole, gone with the reference
      const work = await store.works.upsert({ source: 'liblib', externalId: unique('uses-lora'), slug: 'u' });
      await store.works.replaceModels(work.id, [{ modelType: 'LORA', modelName: '墨韵山水' }, { modelType: 'LORA', modelName: 'car' }]);
      const [ink, car] = await store.works.listModels(work.id);
      await store.loras.replaceLinks([lora.id], [{ loraId: lora.id, workModelId: ink!.id, method: 'name', matched: '墨韵山水' }]);
      await store.loras.replaceLinks([lora.id, list[0]!.id], [
        { loraId: lora.id, workModelId: ink!.id, method: 'hash', matched: 'abcdef0123' },
        { loraId: list[0]!.id, workModelId: car!.id, method: 'id', matched: 'owner/car' },
      ]);
      expect((await store.loras.listLinks(lora.id)).map((l) => [l.workId, l.method, l.matched])).toEqual([[work.id, 'hash', 'abcdef0123']]);
      await store.loras.replaceLinks([lora.id], []); // other LoRAs' links stay
      expect(await store.loras.listLinks(list[0]!.id)).toHaveLength(1);
      await store.loras.replaceLinks([lora.id], [{ loraId: lora.id, workModelId: ink!.id, method: 'name', matched: '墨韵山水' }]);
      await store.works.replaceModels(work.id, []);
      expect(await store.loras.listLinks(lora.id)).toEqual([]);
    });

    it('claims each job once, retries failures up to the limit, and cancels', async () => {
      const name = unique('thumbnail');
      const past = new Date(Date.now() - 1000);
      await store.jobs.enqueue({ id: crypto.randomUUID(), name, payload: { key: '作品/1' }, maxAttempts: 2, runAt: past });
      const claims = await Promise.all([
        store.jobs.claimNext('w1', [name]),
        store.jobs.claimNext('w2', [name]),
        store.jobs.claimNext('w3', [name]),
      ]);
      const won = claims.filter((c) => c !== null);
      expect(won).toHaveLength(1);
      const job = won[0]!;
      expect(job).toMatchObject({ status: 'running', attempts: 1, payload: { key: '作品/1' } });
      await store.jobs.setProgress(job.id, 0.5);
      expect((await store.jobs.get(job.id))?.progress).toBe(0.5);
      const retried = await store.jobs.fail(job.id, 'boom', past);
      expect(retried).toMatchObject({ status: 'queued', error: 'boom' });
      const second = await store.jobs.claimNext('w1', [name]);
      expect(second?.attempts).toBe(2);
      expect((await store.jobs.fail(job.id, 'boom again', past))?.status).toBe('failed');
      expect(await store.jobs.claimNext('w1', [name])).toBeNull();

      const later = await store.jobs.enqueue({ id: crypto.randomUUID(), name, payload: {}, runAt: new Date(Date.now() + 60_000) });
      expect(await store.jobs.claimNext('w1', [name])).toBeNull(); // not due yet
      expect(await store.jobs.cancel(later.id)).toBe(true);
      expect(await store.jobs.cancel(later.id)).toBe(false);
      const done = await store.jobs.enqueue({ id: crypto.randomUUID(), name, payload: {}, runAt: past });
      await store.jobs.claimNext('w1', [name]);
      await store.jobs.complete(done.id, { url: '/media/x.webp' });
      expect(await store.jobs.get(done.id)).toMatchObject({ status: 'succeeded', progress: 1, result: { url: '/media/x.webp' } });
      expect(await store.jobs.countByStatus(name)).toEqual({ queued: 0, running: 0, succeeded: 1, failed: 1, cancelled: 1 });
    });

    it('requeues running jobs whose worker stopped answering', async () => {
      const name = unique('stale');
      const job = await store.jobs.enqueue({ id: crypto.randomUUID(), name, payload: {}, runAt: new Date(Date.now() - 1000) });
      await store.jobs.claimNext('dead-worker', [name]);
      expect(await store.jobs.requeueStale(new Date(Date.now() - 60_000))).toBe(0);
      expect(await store.jobs.requeueStale(new Date(Date.now() + 1000))).toBeGreaterThanOrEqual(1);
      expect(await store.jobs.get(job.id)).toMatchObject({ status: 'queued', lockedBy: null });
      expect((await store.jobs.claimNext('w2', [name]))?.attempts).toBe(2);
    });

    it('moves generation jobs queued → running → final once each, and keeps presets per user', async () => {
      const user = await store.users.create({ username: unique('gen'), name: '生成' });
      const job = (id = crypto.randomUUID()) => store.generationJobs.create({ id, userId: user.id, task: 'text-to-image-synthesis', request: { prompt: '猫' } });
      const a = await job();
      expect(a).toMatchObject({ status: 'queued', progress: 0, log: [], outputs: [], attempts: 0, startedAt: null });
      const [first, second] = await Promise.all([store.generationJobs.claim(a.id, 'w1'), store.generationJobs.claim(a.id, 'w2')]);
      expect([first, second].filter(Boolean)).toHaveLength(1); // one claim wins
      const holder = (first ?? second)!.workerId!;
      expect(await store.generationJobs.heartbeat(a.id, holder, { progress: 0.5, log: ['半'], provider: 'p' })).toBe(true);
      expect(await store.generationJobs.heartbeat(a.id, 'someone-else', { progress: 0.9 })).toBe(false);
      const output = { key: 'generations/t/2026/12/x/0.png', seed: 1, width: 8, height: 8, sha256: 'ab', sizeBytes: 3 };
      expect(await store.generationJobs.finish(a.id, holder, { status: 'complete', outputs: [output], log: ['完成'] })).toBe(true);
      expect(await store.generationJobs.get(a.id)).toMatchObject({ status: 'complete', progress: 1, provider: 'p', outputs: [output], attempts: 1 });
      expect((await store.generationJobs.cancel(a.id, ['x']))!.status).toBe('complete'); // final stays final
      // A cancelled job is never claimed; a stale running one is listed, requeued or failed.
      const b = await job();
      expect((await store.generationJobs.cancel(b.id, ['已取消']))!.status).toBe('cancelled');
      expect(await store.generationJobs.claim(b.id, 'w1')).toBeNull();
      const c = await job();
      await store.generationJobs.claim(c.id, 'dead', new Date(Date.now() - 120_000));
      const staleBefore = new Date(Date.now() - 60_000);
      expect((await store.generationJobs.listStale(staleBefore, 10)).map((j) => j.id)).toContain(c.id);
      expect(await store.generationJobs.failStale(c.id, staleBefore, { errorKind: 'interrupted', errorMessage: '中断', log: [] })).toBe(true);
      expect(await store.generationJobs.get(c.id)).toMatchObject({ status: 'failed', errorKind: 'interrupted' });
      const since = await store.generationJobs.countCreatedSince(user.id, new Date(Date.now() - 60_000));
      expect(since.count).toBe(3);
      expect(since.oldest).toEqual(a.createdAt);
      // Newest first, ties (the same millisecond) by id: keyset pages meet without gaps or repeats.
      const newest = (await Promise.all([a, b, c].map((j) => store.generationJobs.get(j.id))))
        .map((j) => j!)
        .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (y.id > x.id ? 1 : -1));
      const page1 = await store.generationJobs.listByUser(user.id, 2);
      expect(page1.map((j) => j.id)).toEqual(newest.slice(0, 2).map((j) => j.id));
      const page2 = await store.generationJobs.listByUser(user.id, 2, { createdAt: page1[1]!.createdAt, id: page1[1]!.id });
      expect(page2.map((j) => j.id)).toEqual([newest[2]!.id]);

      const preset = await store.generationPresets.create({ userId: user.id, name: '水墨', params: { model_id: 'm' } });
      expect(await store.generationPresets.get(user.id + 1, preset.id)).toBeNull();
      expect((await store.generationPresets.update(user.id, preset.id, { name: '水墨 2' }))!.name).toBe('水墨 2');
      await expect(store.generationPresets.create({ userId: user.id, name: '水墨 2', params: {} })).rejects.toThrow();
      expect(await store.generationPresets.delete(user.id + 1, preset.id)).toBe(false);
      expect(await store.generationPresets.delete(user.id, preset.id)).toBe(true);
    });

    it('keeps a crawl ledger: dedupes units, schedules retries, requeues failures', async () => {
      const stage = unique('detail');
      const units = ['a', 'b', 'c'].map((key) => ({ source: 'liblib' as const, stage, key, payload: { page: 1 } }));
      expect(await store.ledger.enqueue(units)).toBe(3);
      expect(await store.ledger.enqueue([...units, { source: 'liblib', stage, key: 'd' }])).toBe(1);
      const now = new Date();
      const due = await store.ledger.due('liblib', stage, { now, maxAttempts: 3, limit: 10 });
      expect(due.map((u) => u.key)).toEqual(['a', 'b', 'c', 'd']);
      expect(due[0]!.payload).toEqual({ page: 1 });
      await store.ledger.markDone(due[0]!.id);
      const failedSoon = await store.ledger.markFailed(due[1]!.id, { kind: 'network', message: 'ECONNRESET', nextAttemptAt: new Date(now.getTime() - 1) });
      expect(failedSoon).toMatchObject({ status: 'failed', attempts: 1, errorKind: 'network', errorMessage: 'ECONNRESET' });
      await store.ledger.markFailed(due[2]!.id, { kind: 'http', message: 'HTTP 503', nextAttemptAt: new Date(now.getTime() + 3_600_000) });
      const dueNow = await store.ledger.due('liblib', stage, { now, maxAttempts: 3, limit: 10 });
      expect(dueNow.map((u) => u.key)).toEqual(['b', 'd']); // c is not due yet, a is done
      expect(await store.ledger.due('liblib', stage, { now, maxAttempts: 1, limit: 10 })).toHaveLength(1); // b used its one attempt
      expect(await store.ledger.countByStatus('liblib', stage)).toEqual({ pending: 1, done: 1, failed: 2 });
      expect((await store.ledger.nextRetryAt('liblib', stage, 3))?.getTime()).toBe(now.getTime() - 1);
      expect((await store.ledger.nextRetryAt('liblib', stage, 1))?.getTime()).toBeUndefined(); // no attempts left
      expect(await store.ledger.requeueFailed('liblib', { stage })).toBe(2);
      expect(await store.ledger.countByStatus('liblib', stage)).toEqual({ pending: 3, done: 1, failed: 0 });
      expect((await store.ledger.get('liblib', stage, 'b'))?.attempts).toBe(1);
      expect(await store.ledger.get('liblib', stage, 'zzz')).toBeNull();
    });

    it("counts the units touched since a moment, with the failed ones' errors", async () => {
      const since = new Date(Date.now() - 1000);
      const key = unique('touched');
      await store.ledger.enqueue([{ source: 'modelscope', stage: 'media', key: `${key}-a` }, { source: 'modelscope', stage: 'media', key: `${key}-b` }]);
      const b = (await store.ledger.get('modelscope', 'media', `${key}-b`))!;
      await store.ledger.markFailed(b.id, { kind: 'http', message: 'HTTP 404: gone', nextAttemptAt: null });
      const touched = await store.ledger.touchedSince('modelscope', since);
      expect(touched.touched).toBeGreaterThanOrEqual(2);
      expect(touched.failed).toContainEqual({ stage: 'media', key: `${key}-b`, errorKind: 'http', errorMessage: 'HTTP 404: gone' });
      expect((await store.ledger.touchedSince('modelscope', new Date(Date.now() + 60_000))).touched).toBe(0);
    });

    it('rolls a transaction back entirely when it throws', async () => {
      const externalId = unique('tx');
      await expect(
        store.transaction(async (tx) => {
          const work = await tx.works.upsert({ source: 'liblib', externalId, slug: 'tx' });
          await tx.ledger.enqueue([{ source: 'liblib', stage: 'tx', key: externalId }]);
          await tx.images.ensure(work.id, 0, 'https://img/tx.png');
          throw new Error('crash between writes');
        }),
      ).rejects.toThrow('crash between writes');
      expect(await store.works.findByExternalId('liblib', externalId)).toBeNull();
      expect(await store.ledger.get('liblib', 'tx', externalId)).toBeNull();
    });

    it('commits data and ledger status together, and serializes concurrent transactions', async () => {
      const stage = unique('atomic');
      await store.ledger.enqueue([{ source: 'liblib', stage, key: 'w' }]);
      const unit = (await store.ledger.get('liblib', stage, 'w'))!;
      const work = await store.transaction(async (tx) => {
        const w = await tx.works.upsert({ source: 'liblib', externalId: unique('atomic'), slug: 'a', likeCount: 0 });
        await tx.ledger.markDone(unit.id);
        return w;
      });
      expect((await store.ledger.get('liblib', stage, 'w'))?.status).toBe('done');
      // ten transactions at once, each touching a shared counter and its own ledger unit: nothing is lost
      const runRow = await store.runs.start('liblib', 'concurrency');
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.runs.increment(runRow.id, { requests: 1, failures: { network: 1 } });
            await tx.ledger.enqueue([{ source: 'liblib', stage, key: `unit-${i}` }]);
          }),
        ),
      );
      expect(await store.runs.get(runRow.id)).toMatchObject({ requests: 10, failures: { network: 10 } });
      expect((await store.ledger.countByStatus('liblib', stage)).pending).toBe(10);
      expect(work.id).toBeGreaterThan(0);
    });
  });
}
