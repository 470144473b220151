// Checking a video file before anything of it is stored: the container from its first bytes, then ffprobe
// for the streams, and the configured limits. Every refusal is a MediaError with a reason and a message a
// person can act on; nothing here writes anything.
//
// Decisions:
// - The bytes decide the container (MP4 and QuickTime MOV `ftyp`, WebM EBML), never the name: a ZIP called `.mp4` is
//   "not a video" before ffprobe ever sees it, and ffprobe's own verdict on the container must agree.
// - ffprobe runs with `-v error` and `-count_packets`: it demuxes the whole file (cheap, no decoding), so
//   a truncated file shows up as an error line ("partial file", "File ended prematurely") or as fewer
//   packets than the header promises. Any error line refuses the file: a clean video prints none.
// - "Too many frames for its size": more than `maxFps` frames per second of duration (a 1 s clip holding
//   100 000 frames makes every consumer decode them all), which also bounds the total to maxSeconds × maxFps.
// - Dimensions are the displayed ones: a portrait phone video stored as 1920×1080 with a 90° rotation is
//   1080×1920.
import fs from 'node:fs/promises';
import { detectFormat, FORMAT_SNIFF_BYTES } from './image-format.ts';
import { FfRunError, firstLine, runFf } from './ffmpeg-binaries.ts';
import { MediaError } from './media-error.ts';

export type VideoContainer = 'mp4' | 'mov' | 'webm';

export interface VideoLimits {
  maxBytes: number;
  /** Longest accepted duration in seconds. */
  maxSeconds: number;
  /** Largest accepted width or height in pixels (displayed). */
  maxDimension: number;
  /** Most frames per second of duration. */
  maxFps: number;
}

export const DEFAULT_VIDEO_LIMITS: VideoLimits = { maxBytes: 100 * 1024 * 1024, maxSeconds: 120, maxDimension: 3840, maxFps: 120 };

/** Video codecs browsers play in MP4/WebM; anything else is refused rather than stored unplayable. */
const PLAYABLE_CODECS: ReadonlySet<string> = new Set(['h264', 'hevc', 'vp8', 'vp9', 'av1']);

export interface VideoProbe {
  container: VideoContainer;
  ext: string;
  contentType: string;
  videoCodec: string;
  /** null when the file has no audio stream. */
  audioCodec: string | null;
  durationSeconds: number;
  /** Displayed dimensions (rotation applied). */
  width: number;
  height: number;
  /** Clockwise degrees the player turns the picture: 0, 90, 180 or 270. */
  rotation: number;
  frames: number;
  fps: number;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: Array<{ rotation?: number }>;
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string };
}

const FORMAT_NAMES: Record<VideoContainer, RegExp> = { mp4: /\b(mov|mp4)\b/, mov: /\bmov\b/, webm: /\b(webm|matroska)\b/ };

/** The container of a file from its first bytes, or a MediaError 'not-video' naming what it is instead. */
function sniffVideo(head: Uint8Array, shown: string): { container: VideoContainer; ext: string; contentType: string } {
  const detected = detectFormat(head);
  if (!detected) throw new MediaError('not-video', shown, 'the file is not an MP4, MOV or WebM video (its first bytes match no known format)');
  if (detected.kind !== 'video') {
    throw new MediaError('not-video', shown, `the file is a ${detected.format.toUpperCase()} image, not an MP4, MOV or WebM video`);
  }
  return { container: detected.format as VideoContainer, ext: detected.ext, contentType: detected.contentType };
}

/**
 * Check the video at `file` against `limits` and describe it. Throws MediaError: 'not-video' (another
 * format, or no video stream), 'unsupported' (a codec browsers do not play), 'corrupt' (unreadable,
 * truncated, zero duration), 'too-large' (bytes, dimensions, frames), 'too-long' (duration).
 */
export async function probeVideo(file: string, limits: VideoLimits, shown = file): Promise<VideoProbe> {
  const handle = await fs.open(file, 'r');
  let size: number;
  let head: Buffer;
  try {
    size = (await handle.stat()).size;
    head = Buffer.alloc(Math.min(FORMAT_SNIFF_BYTES, size));
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  if (size === 0) throw new MediaError('not-video', shown, 'the file is empty');
  if (size > limits.maxBytes) throw new MediaError('too-large', shown, `the video is ${mib(size)}, over the ${mib(limits.maxBytes)} limit`);
  const sniffed = sniffVideo(head, shown);

  let output: FfprobeOutput;
  try {
    const { stdout, stderr } = await runFf('ffprobe', [
      '-v', 'error', '-count_packets', '-print_format', 'json', '-show_format', '-show_streams', file,
    ], { timeoutMs: 30_000, maxStdoutBytes: 4 * 1024 * 1024 });
    if (stderr.trim() !== '') throw new MediaError('corrupt', shown, `the video is truncated or damaged: ${firstLine(stderr)}`);
    output = JSON.parse(stdout.toString('utf8')) as FfprobeOutput;
  } catch (error) {
    if (error instanceof MediaError) throw error;
    if (error instanceof FfRunError) {
      throw new MediaError('corrupt', shown, `the video cannot be read (truncated or damaged): ${firstLine(error.stderr) || error.message}`, { cause: error });
    }
    throw error;
  }

  const formatName = output.format?.format_name ?? '';
  if (!FORMAT_NAMES[sniffed.container].test(formatName)) {
    throw new MediaError('not-video', shown, `the file starts like ${sniffed.container.toUpperCase()} but reads as ${formatName || 'nothing known'}`);
  }
  const video = output.streams?.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video) throw new MediaError('not-video', shown, 'the file has no video stream');
  const codec = video.codec_name ?? 'unknown';
  if (!PLAYABLE_CODECS.has(codec)) {
    throw new MediaError('unsupported', shown, `the video codec ${codec} is not one browsers play (H.264, HEVC, VP8, VP9, AV1)`);
  }
  const audio = output.streams?.find((s) => s.codec_type === 'audio');

  const coded = { width: video.width ?? 0, height: video.height ?? 0 };
  if (coded.width <= 0 || coded.height <= 0) throw new MediaError('corrupt', shown, 'the video has no dimensions');
  const rotation = rotationOf(video);
  const [width, height] = rotation % 180 === 90 ? [coded.height, coded.width] : [coded.width, coded.height];
  if (width > limits.maxDimension || height > limits.maxDimension) {
    throw new MediaError('too-large', shown, `the video is ${width}×${height}, over the ${limits.maxDimension} px limit`);
  }

  const duration = Number(output.format?.duration ?? video.duration);
  if (!Number.isFinite(duration) || duration <= 0) throw new MediaError('corrupt', shown, 'the video has no duration (zero or missing)');
  if (duration > limits.maxSeconds) {
    throw new MediaError('too-long', shown, `the video lasts ${duration.toFixed(1)} s, over the ${limits.maxSeconds} s limit`);
  }

  const frames = Number(video.nb_read_packets ?? 0);
  if (!(frames > 0)) throw new MediaError('corrupt', shown, 'the video has no frames');
  const promised = Number(video.nb_frames);
  if (Number.isFinite(promised) && promised > frames) {
    throw new MediaError('corrupt', shown, `the video is truncated: ${frames} of ${promised} frames are present`);
  }
  const fps = frames / duration;
  if (fps > limits.maxFps) {
    throw new MediaError('too-large', shown, `the video holds ${frames} frames in ${duration.toFixed(2)} s (${Math.round(fps)} per second, over ${limits.maxFps})`);
  }

  return {
    ...sniffed,
    videoCodec: codec,
    audioCodec: audio?.codec_name ?? null,
    durationSeconds: duration,
    width,
    height,
    rotation,
    frames,
    fps,
  };
}

/** Clockwise rotation in degrees from the display matrix (newer ffprobe) or the `rotate` tag (older). */
function rotationOf(stream: FfprobeStream): number {
  const matrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  // The display matrix angle is counter-clockwise; the legacy tag is clockwise.
  const degrees = matrix !== undefined ? -matrix : Number(stream.tags?.rotate ?? 0);
  if (!Number.isFinite(degrees)) return 0;
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
