// The avatar stage every source shares: one unit per (author, upstream avatar URL), downloaded and stored
// by the MediaPipeline (content-addressed, with thumbnails) and recorded on the author row in the unit's
// commit. The site shows only the stored copy; a dead avatar fails its unit (the failure queue, 404s as
// permanent) and the site draws the author's initial instead.
import { z } from 'zod';
import { sha256Hex } from '../../src/core/media/media-key.ts';
import type { Author, Store } from '../../src/core/store/store.ts';
import type { MediaPipeline } from '../media/media-pipeline.ts';
import type { FollowUpUnit, StageDefinition } from './stage-runner.ts';

const avatarPayload = z.object({ authorId: z.number().int() });

/**
 * The avatar unit for an author whose upstream avatar is not stored yet, or null. The key names the URL
 * (its hash), so a changed avatar is a new unit while the same one is enqueued once however often seen.
 */
export function avatarUnit(author: Pick<Author, 'id' | 'externalId' | 'avatarUrl' | 'avatar'>): FollowUpUnit | null {
  if (!author.avatarUrl || author.avatar?.from === author.avatarUrl) return null;
  return { stage: 'avatar', key: `${author.externalId}:${sha256Hex(Buffer.from(author.avatarUrl)).slice(0, 16)}`, payload: { authorId: author.id } };
}

export function avatarStage(
  media: MediaPipeline,
  store: Store,
  options: { source: string; concurrency: number; dependsOn: string[] },
): StageDefinition {
  return {
    name: 'avatar',
    concurrency: options.concurrency,
    dependsOn: options.dependsOn,
    async handle(unit, context) {
      const { authorId } = avatarPayload.parse(unit.payload);
      const author = await store.authors.get(authorId);
      // Gone, or stored since (a later unit of the same URL): nothing to fetch.
      if (!author || !avatarUnit(author)) return async () => undefined;
      const url = author.avatarUrl!;
      const result = await media.processAvatar(url, { source: options.source });
      context.count('bytesDownloaded', result.bytes);
      return async (tx) => {
        await tx.authors.setAvatar(authorId, result.avatar);
      };
    },
  };
}
