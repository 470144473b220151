// What the community jobs do. Both queues run exactly these functions.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeThumbnails } from '../../core/media/thumbnails.ts';
import { isVideoFormat, makeVideoDerivatives, previewKey } from '../../core/media/video-derivatives.ts';
import { DEFAULT_VIDEO_LIMITS, probeVideo, type VideoLimits } from '../../core/media/video-probe.ts';
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
  /** The limits a stored video was checked against (config.video); a video's poster job probes it again. */
  videoLimits?: VideoLimits;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** A video's poster thumbnails and preview, made from a temp copy of the stored original (ffmpeg reads files). */
async function videoThumbnails(blobs: BlobStore, originalKey: string, original: Buffer, limits: VideoLimits) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-video-job-'));
  try {
    const file = path.join(dir, 'original');
    await fsp.writeFile(file, original);
    const probe = await probeVideo(file, limits, originalKey);
    return await makeVideoDerivatives({ blobs, file, originalKey, probe });
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

export function createJobHandlers({ store, blobs, cache, log, videoLimits = DEFAULT_VIDEO_LIMITS }: JobDependencies): Required<Pick<JobHandlers, 'thumbnail' | 'feed.update' | 'blobs.delete'>> {
  return {
    async thumbnail({ workId, imageId }) {
      const image = (await store.images.listByWork(workId)).find((i) => i.id === imageId);
      if (!image?.blobKey) return { skipped: 'no stored original' };
      // The same thumbnails (widths and keys) as ingested images get, so the site and the API treat both alike.
      // A video also needs its preview (its key follows from the original's, like the thumbnails').
      const video = isVideoFormat(image.format);
      const existing = Object.values(image.thumbnails ?? {});
      const expected = video && existing.length > 0 ? [...existing, previewKey(image.blobKey)] : existing;
      if (existing.length > 0 && (await Promise.all(expected.map((key) => blobs.head(key)))).every(Boolean)) {
        return { keys: image.thumbnails, skipped: 'exists' };
      }
      const original = await blobs.get(image.blobKey);
      if (!original) throw new Error(`original ${image.blobKey} is missing from the blob store`);
      const bytes = await readAll(original.body);
      const made = video
        ? (await videoThumbnails(blobs, image.blobKey, bytes, videoLimits)).thumbnails
        : await makeThumbnails({ blobs, input: bytes, originalKey: image.blobKey });
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
