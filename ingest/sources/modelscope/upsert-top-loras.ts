// Top-LoRAs into the catalogue: each record becomes a `loras` row (source `modelscope`, keyed by its id),
// its saved cover (an image, or the `.mp4` of a video LoRA: poster thumbnails and a preview) goes to the
// BlobStore under a content-addressed key, with its real extension, with WebP thumbnails beside it
// (`thumbs/{width}/…`, the smallest configured width always exists), and LoRA references of Liblib and
// Civitai works are matched to the rows (see link-loras.ts).
//
// Decisions:
// - The cover blob is made from `cover_local` (the file the cache points at), never downloaded twice, so a
//   run that reuses a fresh cache fills the catalogue just the same.
// - Idempotent: the key depends on the content only; an object (or thumbnail) that already exists is not
//   written again. A record without a saved cover keeps the cover its row already has (the upstream URL
//   may have rotted since; the stored copy is still good).
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { BlobStore } from '../../../src/core/blob/blob-store.ts';
import type { Lora, LoraInput, Store } from '../../../src/core/store/store.ts';
import { detectFormat } from '../../../src/core/media/image-format.ts';
import { originalMetadata } from '../../media/media-pipeline.ts';
import { renderMediaKey, sha256Hex } from '../../../src/core/media/media-key.ts';
import { classifyHash } from '../../../src/core/recipe/recipe.ts';
import { makeThumbnails, normalizeWidths, thumbnailKey } from '../../../src/core/media/thumbnails.ts';
import { makeVideoDerivatives, previewKey } from '../../../src/core/media/video-derivatives.ts';
import { probeVideo, type VideoLimits, type VideoProbe } from '../../../src/core/media/video-probe.ts';
import { candidateFor, linkLoraReferences, type LinkSummary } from './link-loras.ts';
import type { TopLora } from './normalize.ts';

/** `modelscope/loras/{owner-name}/0_{hash}.{ext}` */
const LORA_COVER_KEY_TEMPLATE = '{source}/{category}/{slug}/{index}_{hash}.{ext}';

export interface UpsertTopLorasResult {
  loras: Lora[];
  /** Cover originals written to the BlobStore in this run (existing ones are not counted). */
  coversStored: number;
  /** Thumbnail objects written in this run. */
  thumbnailsStored: number;
  links: LinkSummary;
}

export interface UpsertTopLorasOptions {
  store: Store;
  blobs: BlobStore;
  results: readonly TopLora[];
  /** `cover_local` paths are relative to this directory. */
  baseDir: string;
  thumbnailWidths: readonly number[];
  /** Store video covers (`.mp4` of image-to-video LoRAs) within these limits, with poster and preview. */
  video?: VideoLimits;
}

/** Store one cover file; its blob key, and how many objects were written. */
async function storeCover(options: UpsertTopLorasOptions, record: TopLora, widths: number[]): Promise<{ key: string; stored: number; thumbs: number } | null> {
  if (!record.cover_local) return null;
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path.resolve(options.baseDir, record.cover_local));
  } catch {
    return null; // the file was removed since the cache was written: keep whatever the row has
  }
  const file = path.resolve(options.baseDir, record.cover_local);
  const format = detectFormat(bytes);
  if (!format) return null;
  let video: VideoProbe | undefined;
  if (format.kind === 'video') {
    if (!options.video) return null;
    // The cache file was checked when it was downloaded; a file edited since is refused here the same way.
    video = await probeVideo(file, options.video, record.cover_url ?? record.cover_local).catch(() => undefined);
    if (!video) return null;
  }
  const contentHash = sha256Hex(bytes);
  const key = renderMediaKey(LORA_COVER_KEY_TEMPLATE, {
    source: 'modelscope', category: 'loras', slug: record.id, index: 0, publishedAt: null, contentHash, ext: format.ext,
  });
  let stored = 0;
  if (!(await options.blobs.head(key))) {
    const { width = 0, height = 0 } = video ?? (await sharp(bytes).metadata());
    await options.blobs.put(key, bytes, {
      contentType: format.contentType,
      metadata: originalMetadata({ srcUrl: record.cover_url ?? record.cover_local, imageIndex: 0 }, { slug: record.id }, { width, height, sha256: contentHash }),
    });
    stored = 1;
  }
  let thumbs = 0;
  const missing = async () => !(await options.blobs.head(thumbnailKey(key, widths[0]!))) || (video !== undefined && !(await options.blobs.head(previewKey(key))));
  if (stored || (await missing())) {
    const url = record.cover_url ?? undefined;
    const set = video
      ? (await makeVideoDerivatives({ blobs: options.blobs, file, originalKey: key, probe: video, widths, url })).thumbnails
      : await makeThumbnails({ blobs: options.blobs, input: bytes, originalKey: key, widths, url });
    thumbs = set.thumbnails.filter((t) => t.stored).length;
  }
  return { key, stored, thumbs };
}

function loraInput(record: TopLora, coverKey: string | undefined): LoraInput {
  return {
    source: 'modelscope',
    externalId: record.id,
    titleCn: record.title_cn,
    titleEn: record.title_en,
    author: record.author,
    avatarUrl: record.avatar,
    userName: record.user_name,
    coverUrl: record.cover_url,
    ...(coverKey ? { coverKey } : {}),
    downloads: record.downloads,
    likes: record.likes,
    license: record.license,
    tagsCn: record.tags_cn,
    tagsEn: record.tags_en,
    baseModels: record.base_models,
    triggerWords: record.trigger_words,
    files: record.model_files.map((file) => ({ name: file.name, ...classifyHash(file.sha256), sizeBytes: file.size })),
    visionFoundation: record.vision_foundation,
    task: record.task,
    upstreamUpdatedAt: record.updated_at ? new Date(record.updated_at) : null,
    pageUrl: record.modelscope_url,
  };
}

/** Upsert every record (with its cover blob and thumbnails), then link the references of works to them. */
export async function upsertTopLoras(options: UpsertTopLorasOptions): Promise<UpsertTopLorasResult> {
  const widths = normalizeWidths(options.thumbnailWidths);
  const result: UpsertTopLorasResult = { loras: [], coversStored: 0, thumbnailsStored: 0, links: { links: [], ambiguous: 0, scanned: 0 } };
  const candidates = [];
  for (const record of options.results) {
    const cover = await storeCover(options, record, widths);
    result.coversStored += cover?.stored ?? 0;
    result.thumbnailsStored += cover?.thumbs ?? 0;
    const lora = await options.store.loras.upsert(loraInput(record, cover?.key));
    result.loras.push(lora);
    candidates.push(candidateFor(lora, record));
  }
  result.links = await linkLoraReferences(options.store, candidates);
  // Record each link and how it was made (id, hash or name) for the site's LoRA pages.
  await options.store.loras.replaceLinks(
    result.loras.map((lora) => lora.id),
    result.links.links.map((link) => ({ loraId: link.loraId, workModelId: link.workModelId, method: link.method, matched: link.matched.slice(0, 512) })),
  );
  return result;
}
