// The hostile upload set: files an upload endpoint must refuse, each with the status and error code it
// must answer. Built in memory (no fixtures on disk) so the bytes are easy to read here.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { testImage } from '../../server/testing/community.ts';
import { makeVideo, tinyZip, zeroDurationMp4 } from '../../core/testing/videos.ts';

export interface HostileUpload {
  name: string;
  bytes: Buffer;
  /** What the browser would claim: a harmless-looking name and type (the server must not believe them). */
  filename: string;
  type: string;
  status: number;
  code: string;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG whose header claims width × height but whose pixel data is a few bytes: a decompression bomb's shape. */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Insert a PNG chunk right after IHDR. */
function withPngChunk(png: Buffer, type: string, data: Buffer): Buffer {
  const afterIhdr = 8 + 12 + 13;
  return Buffer.concat([png.subarray(0, afterIhdr), pngChunk(type, data), png.subarray(afterIhdr)]);
}

/** Insert a JPEG comment segment (COM) right after the start-of-image marker. */
function withJpegComment(jpeg: Buffer, text: string): Buffer {
  const payload = Buffer.from(text, 'latin1');
  const header = Buffer.from([0xff, 0xfe, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

const SCRIPT = '<script>fetch("/api/auth/me").then(r=>r.text()).then(alert)</script>';

/** Tiny real videos (made with ffmpeg) to damage: a normal clip and one with far too many frames per second. */
async function sourceVideos(): Promise<{ mp4: Buffer; crowded: Buffer }> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-hostile-video-'));
  try {
    const [mp4, crowded] = await Promise.all([
      makeVideo(path.join(dir, 'clip.mp4')),
      makeVideo(path.join(dir, 'crowded.mp4'), { width: 16, height: 16, fps: 1000 }),
    ]);
    return { mp4, crowded };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

export async function hostileUploads(maxBytes: number): Promise<HostileUpload[]> {
  const { mp4, crowded } = await sourceVideos();
  const png = await testImage('png', 96, 64);
  const jpeg = await testImage('jpeg', 96, 64);
  const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(26), Buffer.from('evil.html<html>', 'latin1')]);
  const oversize = Buffer.concat([png, Buffer.alloc(maxBytes + 1 - png.length)]);
  return [
    { name: 'wrong magic bytes', bytes: Buffer.from('GIF? no: just text pretending to be a PNG'), filename: 'photo.png', type: 'image/png', status: 415, code: 'unsupported_type' },
    { name: 'HTML page named .jpg', bytes: Buffer.from(`<!doctype html><html><body>${SCRIPT}</body></html>`), filename: 'photo.jpg', type: 'image/jpeg', status: 415, code: 'markup_refused' },
    { name: 'SVG with a script', bytes: Buffer.from(`<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">${SCRIPT}</svg>`), filename: 'icon.svg', type: 'image/svg+xml', status: 415, code: 'markup_refused' },
    { name: 'polyglot: PNG with HTML appended', bytes: Buffer.concat([png, Buffer.from(`<html>${SCRIPT}</html>`)]), filename: 'a.png', type: 'image/png', status: 415, code: 'polyglot_refused' },
    { name: 'polyglot: PNG with a ZIP appended', bytes: Buffer.concat([png, zip]), filename: 'a.png', type: 'image/png', status: 415, code: 'polyglot_refused' },
    { name: 'polyglot: PNG with a script in a text chunk', bytes: withPngChunk(png, 'tEXt', Buffer.from(`Comment\0${SCRIPT}`, 'latin1')), filename: 'a.png', type: 'image/png', status: 415, code: 'polyglot_refused' },
    { name: 'polyglot: JPEG with a script in a comment', bytes: withJpegComment(jpeg, SCRIPT), filename: 'a.jpg', type: 'image/jpeg', status: 415, code: 'polyglot_refused' },
    { name: 'empty file', bytes: Buffer.alloc(0), filename: 'empty.png', type: 'image/png', status: 400, code: 'empty_file' },
    { name: 'oversize file', bytes: oversize, filename: 'big.png', type: 'image/png', status: 413, code: 'file_too_large' },
    { name: 'huge dimensions (decompression bomb)', bytes: pngClaiming(20_000, 20_000), filename: 'bomb.png', type: 'image/png', status: 413, code: 'image_too_large' },
    { name: 'truncated JPEG', bytes: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), filename: 'cut.jpg', type: 'image/jpeg', status: 400, code: 'corrupt_image' },
    { name: 'MP4 header and nothing else', bytes: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\0\0isommp41', 'latin1'), Buffer.alloc(64)]), filename: 'clip.mp4', type: 'video/mp4', status: 400, code: 'corrupt_video' },
    { name: 'truncated MP4', bytes: mp4.subarray(0, Math.floor(mp4.length / 2)), filename: 'cut.mp4', type: 'video/mp4', status: 400, code: 'corrupt_video' },
    { name: 'MP4 of zero duration', bytes: zeroDurationMp4(mp4), filename: 'zero.mp4', type: 'video/mp4', status: 400, code: 'corrupt_video' },
    { name: 'MP4 with 1000 frames in a second', bytes: crowded, filename: 'crowded.mp4', type: 'video/mp4', status: 413, code: 'video_too_large' },
    { name: 'ZIP named .mp4', bytes: tinyZip(), filename: 'clip.mp4', type: 'video/mp4', status: 415, code: 'unsupported_type' },
  ];
}
