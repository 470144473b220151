// What the site shows for a stored video: a poster frame (WebP thumbnails at the configured widths, made
// by the same thumbnail maker as images, under the same keys) and a short muted preview; and the
// metadata-free copy of an uploaded video.
//
// Decisions:
// - Poster: one frame at min(1 s, half the duration), past fade-ins and black first frames, as PNG on a
//   pipe; sharp then makes the WebP thumbnails exactly as for an image (keys `thumbs/{width}/{stem}.webp`).
//   ffmpeg applies the rotation, so the poster stands as the video plays.
// - Preview: the first VIDEO_PREVIEW_SECONDS, no audio, at most VIDEO_PREVIEW_WIDTH wide and
//   VIDEO_PREVIEW_FPS frames per second, H.264 (every browser plays it) in a fragmented MP4 written to a
//   pipe (no temp file; fragmented MP4 starts playing before it has all arrived). Key: `previews/{stem}.mp4`,
//   derived from the original's key alone like the thumbnails'.
// - Stripping (community uploads): a stream copy without global, stream and chapter metadata (titles,
//   GPS `©xyz`, camera make, encoder) and without data or subtitle streams; the pictures are not
//   re-encoded. The rotation is kept (it is how the video is meant to be seen): the copy is probed again
//   and, where this ffmpeg carried the rotation as metadata, written again with it set explicitly.
import type { BlobStore } from '../blob/blob-store.ts';
import { runFf, FfRunError, firstLine } from './ffmpeg-binaries.ts';
import { MediaError } from './media-error.ts';
import { keyStem, makeThumbnails, type ThumbnailSet } from './thumbnails.ts';
import { probeVideo, type VideoLimits, type VideoProbe } from './video-probe.ts';

const VIDEO_PREVIEW_SECONDS = 3;
const VIDEO_PREVIEW_WIDTH = 320;
const VIDEO_PREVIEW_FPS = 12;
const PREVIEW_PREFIX = 'previews';

/** `previews/{original key without extension}.mp4` */
export function previewKey(originalKey: string): string {
  return `${PREVIEW_PREFIX}/${keyStem(originalKey)}.mp4`;
}

/** Whether a stored format (work_images.format) is a video. */
export function isVideoFormat(format: string | null | undefined): boolean {
  return format === 'mp4' || format === 'mov' || format === 'webm';
}

/** ffmpeg arguments writing one PNG frame of `file` to stdout (exported for the benchmark's bare run). */
export function posterArgs(file: string, probe: Pick<VideoProbe, 'durationSeconds'>): string[] {
  const at = Math.min(1, probe.durationSeconds / 2);
  return ['-v', 'error', '-nostdin', '-ss', at.toFixed(3), '-i', file, '-map', '0:v:0', '-frames:v', '1', '-an', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'];
}

/** ffmpeg arguments writing the muted preview of `file` to stdout (exported for the benchmark's bare run). */
export function previewArgs(file: string, probe: Pick<VideoProbe, 'fps'>): string[] {
  const fps = Math.max(1, Math.min(VIDEO_PREVIEW_FPS, Math.round(probe.fps)));
  return [
    '-v', 'error', '-nostdin', '-i', file, '-t', String(VIDEO_PREVIEW_SECONDS), '-map', '0:v:0', '-an', '-sn', '-dn',
    // Even dimensions (yuv420p needs them), never wider than the source.
    '-vf', `fps=${fps},scale=w=trunc(min(${VIDEO_PREVIEW_WIDTH}\\,iw)/2)*2:h=-2`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '30', '-pix_fmt', 'yuv420p', '-profile:v', 'main',
    '-map_metadata', '-1', '-fflags', '+bitexact', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', 'pipe:1',
  ];
}

/** One PNG frame of the video (see posterArgs), for anything that makes images from it. */
export async function renderPoster(file: string, probe: VideoProbe, shown: string): Promise<Buffer> {
  const png = await ffmpeg(posterArgs(file, probe), shown, 'poster frame');
  if (png.byteLength > 0) return png;
  // A seek past the last decodable frame yields nothing: take the first frame instead.
  const first = await ffmpeg(posterArgs(file, { durationSeconds: 0 }), shown, 'poster frame');
  if (first.byteLength === 0) throw new MediaError('corrupt', shown, 'the video has no frame that decodes');
  return first;
}

async function ffmpeg(args: string[], shown: string, what: string): Promise<Buffer> {
  try {
    return (await runFf('ffmpeg', args, { timeoutMs: 120_000 })).stdout;
  } catch (error) {
    if (error instanceof FfRunError) {
      throw new MediaError('corrupt', shown, `cannot make the ${what}: ${firstLine(error.stderr) || error.message}`, { cause: error });
    }
    throw error;
  }
}

export interface VideoDerivatives {
  thumbnails: ThumbnailSet;
  preview: { key: string; bytes: number };
}

export interface MakeVideoDerivativesOptions {
  blobs: BlobStore;
  /** The stored video, as a local file. */
  file: string;
  originalKey: string;
  probe: VideoProbe;
  widths?: readonly number[];
  quality?: number;
  /** For error messages (the original's URL). */
  url?: string;
}

/** Make and upload the poster thumbnails and the preview of one video. */
export async function makeVideoDerivatives(options: MakeVideoDerivativesOptions): Promise<VideoDerivatives> {
  const shown = options.url ?? options.originalKey;
  const key = previewKey(options.originalKey);
  // Two independent chains, side by side: the poster frame is quick, so its thumbnails (sharp) and their
  // uploads run while ffmpeg is still encoding the preview, and cost next to nothing in wall time.
  const [thumbnails, preview] = await Promise.all([
    renderPoster(options.file, options.probe, shown).then((poster) =>
      makeThumbnails({ blobs: options.blobs, input: poster, originalKey: options.originalKey, widths: options.widths, quality: options.quality, url: options.url })),
    ffmpeg(previewArgs(options.file, options.probe), shown, 'preview').then(async (preview) => {
      if (preview.byteLength === 0) throw new MediaError('corrupt', shown, 'cannot make the preview: ffmpeg wrote nothing');
      await options.blobs.put(key, preview, {
        contentType: 'video/mp4',
        metadata: { source_key: options.originalKey, seconds: String(Math.min(VIDEO_PREVIEW_SECONDS, Math.round(options.probe.durationSeconds * 10) / 10)) },
      });
      return preview;
    }),
  ]);
  return { thumbnails, preview: { key, bytes: preview.byteLength } };
}

function stripArgs(input: string, output: string, probe: VideoProbe, rotation: number | null): string[] {
  return [
    '-v', 'error', '-nostdin', '-i', input, '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', '-sn', '-dn',
    '-map_metadata', '-1', '-map_metadata:s', '-1', '-map_chapters', '-1', '-fflags', '+bitexact',
    ...(rotation === null ? [] : ['-metadata:s:v:0', `rotate=${rotation}`]),
    // A QuickTime file becomes an MP4 (the same streams; the container browsers expect).
    ...(probe.container === 'webm' ? ['-f', 'webm'] : ['-movflags', '+faststart', '-f', 'mp4']),
    '-y', output,
  ];
}

/**
 * Copy `input` to `output` without its metadata (see the decisions at the top) and check the copy;
 * returns the copy's probe (a MOV comes back as an MP4: use the copy's `ext` and `contentType`). Throws MediaError when the copy cannot be made or does not check.
 */
export async function stripVideoMetadata(input: string, output: string, probe: VideoProbe, limits: VideoLimits, shown = input): Promise<VideoProbe> {
  await ffmpeg(stripArgs(input, output, probe, null), shown, 'metadata-free copy');
  const copy = await probeVideo(output, limits, shown);
  if (copy.rotation === probe.rotation) return copy;
  await ffmpeg(stripArgs(input, output, probe, probe.rotation), shown, 'metadata-free copy');
  const again = await probeVideo(output, limits, shown);
  if (again.rotation !== probe.rotation) throw new MediaError('unsupported', shown, `the video's ${probe.rotation}° rotation cannot be kept`);
  return again;
}
