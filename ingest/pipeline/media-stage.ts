// The media stage every source shares: one unit per image of a stored work (payload `{workId, index}`),
// downloaded, deduped and stored by the MediaPipeline, which records the image row itself.
import { z } from 'zod';
import type { Store } from '../../src/core/store/store.ts';
import type { MediaPipeline } from '../media/media-pipeline.ts';
import type { StageDefinition } from './stage-runner.ts';

const mediaPayload = z.object({ workId: z.number().int(), index: z.number().int().nonnegative().default(0) });

export function mediaStage(
  media: MediaPipeline,
  store: Store,
  options: { source: string; category: string; concurrency: number; dependsOn: string[] },
): StageDefinition {
  return {
    name: 'media',
    concurrency: options.concurrency,
    dependsOn: options.dependsOn,
    async handle(unit, context) {
      const { workId, index } = mediaPayload.parse(unit.payload);
      const work = await store.works.get(workId);
      const image = (await store.images.listByWork(workId)).find((row) => row.imageIndex === index);
      if (!work || !image) return async () => undefined; // the work was removed since: nothing to fetch
      if (image.status !== 'OK') {
        const result = await media.processImage(image, {
          source: options.source, category: options.category, slug: work.slug, publishedAt: work.publishedAt,
        });
        context.count('imagesDownloaded');
        context.count('bytesDownloaded', result.bytes);
      }
      return async () => undefined; // processImage recorded the image row itself
    },
  };
}
