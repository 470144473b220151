import type { SourceInspector } from '../source-inspector.ts';
import { extractImageMetadata } from './metadata.ts';
import { normalizeImagesPage, normalizeModel, normalizeModelVersion } from './normalize.ts';
import { civitaiRecipe } from './recipe.ts';

/**
 * `ingest inspect --source civitai`: `images` is a whole `/api/v1/images` response (items with their
 * extracted metadata and the next cursor), `model` a `/models/{id}` body, `model-version` a
 * `/model-versions/{id}` body. A `{"error": …}` body is reported as the upstream refusing.
 */
export const civitaiInspector: SourceInspector = {
  endpoints: ['images', 'model', 'model-version'],
  inspect(endpoint, payload) {
    if (typeof payload === 'object' && payload !== null && !Array.isArray(payload) && Object.keys(payload).every((k) => k === 'error' || k === 'message')) {
      const body = payload as { error?: unknown; message?: unknown };
      if (body.error !== undefined || body.message !== undefined) return { refused: String(body.error ?? body.message) };
    }
    if (endpoint === 'images') {
      const page = normalizeImagesPage(payload);
      return {
        records: {
          nextCursor: page.nextCursor,
          nextPage: page.nextPage,
          // Each item's recipe as the crawl stores it before its versions resolve.
          items: page.items.map((image) => {
            const metadata = extractImageMetadata(image);
            return { ...metadata, recipe: civitaiRecipe(metadata) };
          }),
        },
      };
    }
    if (endpoint === 'model') return { records: normalizeModel(payload) };
    return { records: normalizeModelVersion(payload) };
  },
};
