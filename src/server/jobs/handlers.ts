// What the community jobs do. Both queues run exactly these functions.
import { makeThumbnails } from '../../core/media/thumbnails.ts';
import type { BlobStore } from '../../core/blob/blob-store.ts';
import type { Logger } from '../../core/log.ts';
import type { CommunityCache } from '../cache/community-cache.ts';
import type { Store } from '../../core/store/store.ts';
import type { JobHandlers } from './job-queue.ts';

export interface JobDependencies {
  store: Store;
  blobs: BlobStore;
  cache: CommunityCache;
  log: Logger;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export function createJobHandlers({ store, blobs, cache, log }: JobDependencies): Required<Pick<JobHandlers, 'thumbnail' | 'feed.update' | 'blobs.delete'>> {
  return {
    async thumbnail({ workId, imageId }) {
      const image = (await store.images.listByWork(workId)).find((i) => i.id === imageId);
      if (!image?.blobKey) return { skipped: 'no stored original' };
      // The same thumbnails (widths and keys) as ingested images get, so the site and the API treat both alike.
      const existing = Object.values(image.thumbnails ?? {});
      if (existing.length > 0 && (await Promise.all(existing.map((key) => blobs.head(key)))).every(Boolean)) {
        return { keys: image.thumbnails, skipped: 'exists' };
      }
      const original = await blobs.get(image.blobKey);
      if (!original) throw new Error(`original ${image.blobKey} is missing from the blob store`);
      const made = await makeThumbnails({ blobs, input: await readAll(original.body), originalKey: image.blobKey });
      await store.images.markOk(
        image.id,
        {
          blobKey: image.blobKey, width: image.width, height: image.height, format: image.format,
          contentHash: image.contentHash, sizeBytes: image.sizeBytes, thumbnails: made.keys,
        },
        image.downloadedAt ?? new Date(),
      );
      log.debug({ workId, keys: made.keys }, 'thumbnails made');
      return { keys: made.keys, sizes: made.thumbnails.map((t) => `${t.width}x${t.height}`) };
    },

    async 'feed.update'({ workId }) {
      const work = await store.works.get(workId);
      if (!work || work.status !== 'published') return { skipped: 'not published' };
      // The publish request already invalidated these; refill them now so readers find them warm.
      const [feed, mine] = await Promise.all([
        cache.newestIds(),
        work.ownerUserId !== null ? cache.userArtworkIds(work.ownerUserId) : Promise.resolve(null),
      ]);
      const counts = await cache.reactionChanged(work);
      return { feed: feed?.ids.length ?? null, owner: mine?.ids.length ?? null, ...counts };
    },

    async 'blobs.delete'({ keys }) {
      // Deleting a missing key is not an error: a retry after a partial run finishes the rest.
      for (const key of keys) await blobs.delete(key);
      log.info({ keys: keys.length }, 'deleted work: files removed');
      return { deleted: keys.length };
    },
  };
}
