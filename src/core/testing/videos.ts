// Tiny test videos made with ffmpeg's own test sources (no fixtures on disk), and hostile variants of
// them. Keep them tiny (tens of pixels, a second, a few frames per second): encoding is CPU time in CI.
import fs from 'node:fs/promises';
import path from 'node:path';
import { runFf } from '../media/ffmpeg-binaries.ts';

export interface TestVideoOptions {
  width?: number;
  height?: number;
  fps?: number;
  seconds?: number;
  container?: 'mp4' | 'mov' | 'webm';
  audio?: boolean;
  /** Clockwise rotation written into the container (MP4 only). */
  rotation?: 0 | 90 | 180 | 270;
  /** Global metadata tags (e.g. a GPS `location`, which only MOV writes) to prove stripping. */
  metadata?: Record<string, string>;
  /** Write the index (moov) before the media data. */
  faststart?: boolean;
}

/** Write a small real video to `file` and return its bytes. */
export async function makeVideo(file: string, options: TestVideoOptions = {}): Promise<Buffer> {
  const { width = 64, height = 48, fps = 8, seconds = 1, container = 'mp4', audio = false } = options;
  const args = ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`];
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`);
  args.push(...(container !== 'webm'
    ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...(audio ? ['-c:a', 'aac'] : [])]
    : ['-c:v', 'libvpx', '-b:v', '100k', '-deadline', 'realtime', ...(audio ? ['-c:a', 'libvorbis'] : [])]));
  if (audio) args.push('-shortest');
  for (const [key, value] of Object.entries(options.metadata ?? {})) args.push('-metadata', `${key}=${value}`);
  if (options.faststart) args.push('-movflags', '+faststart');
  args.push('-f', container, file);
  await runFf('ffmpeg', args);
  if (options.rotation) {
    // Encoding with filters drops a rotation given at encode time; a stream copy writes it into the container.
    const rotated = `${file}.rot.mp4`;
    await runFf('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', file, '-c', 'copy', '-metadata:s:v:0', `rotate=${options.rotation}`, rotated]);
    await fs.rename(rotated, file);
  }
  return fs.readFile(file);
}

/** An MP4 whose durations (movie, track and media headers) all say zero. */
export function zeroDurationMp4(mp4: Buffer): Buffer {
  const out = Buffer.from(mp4);
  // Offsets of the duration field after each box type (version 0 boxes, as ffmpeg writes short clips).
  for (const [box, offset] of [['mvhd', 16], ['tkhd', 20], ['mdhd', 16]] as const) {
    for (let at = out.indexOf(box, 0, 'latin1'); at >= 0; at = out.indexOf(box, at + 4, 'latin1')) {
      out.writeUInt32BE(0, at + 4 + offset);
    }
  }
  return out;
}

/** A minimal ZIP archive (one stored file), the kind of thing renamed to `.mp4`. */
export function tinyZip(): Buffer {
  const name = Buffer.from('a.txt');
  const data = Buffer.from('hello');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  return Buffer.concat([local, name, data, end]);
}

/** Write `bytes` to `dir/name` and return the path. */
export async function writeTemp(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return file;
}
