import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../blob/local-blob-store.ts';
import { storedBytes } from '../testing/images.ts';
import { FF_ORIGINS_UNDER_TEST, runFfBinariesOf } from '../testing/ff-binaries.ts';
import { makeVideo } from '../testing/videos.ts';
import { isVideoFormat, makeVideoDerivatives, previewKey, stripVideoMetadata } from './video-derivatives.ts';
import { DEFAULT_VIDEO_LIMITS, probeVideo } from './video-probe.ts';
import { thumbnailKey } from './thumbnails.ts';

let dir: string;
let blobs: LocalBlobStore;
let clip: string;
let rotated: string;

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-video-derivatives-'));
  blobs = new LocalBlobStore({ driver: 'local', dir: path.join(dir, 'blobs'), publicBaseUrl: '/media' });
  clip = path.join(dir, 'clip.mov');
  rotated = path.join(dir, 'rotated.mp4');
  await Promise.all([
    makeVideo(clip, { container: 'mov', audio: true, seconds: 5, fps: 4, metadata: { title: 'secret title', location: '+12.3456+078.9012/', comment: 'camera XYZ' } }),
    makeVideo(rotated, { rotation: 90 }),
  ]);
});

afterAll(async () => {
  await blobs.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

const stored = (key: string): Promise<Buffer> => storedBytes(blobs, key);

describe('video keys', () => {
  it('derives the preview key from the original key alone, like thumbnails', () => {
    expect(previewKey('artworks/original/abc.mp4')).toBe('previews/artworks/original/abc.mp4');
    expect(previewKey('civitai/x/2025/01/02/s/0_0123456789abcdef.webm')).toBe('previews/civitai/x/2025/01/02/s/0_0123456789abcdef.mp4');
    expect([isVideoFormat('mp4'), isVideoFormat('webm'), isVideoFormat('png'), isVideoFormat(null)]).toEqual([true, true, false, false]);
  });
});

for (const origin of FF_ORIGINS_UNDER_TEST) {
  describe(`makeVideoDerivatives (${origin} ffmpeg)`, () => {
    runFfBinariesOf(origin);
    it('stores WebP poster thumbnails under the image keys and a short muted H.264 preview', async () => {
      const probe = await probeVideo(clip, DEFAULT_VIDEO_LIMITS);
      const made = await makeVideoDerivatives({ blobs, file: clip, originalKey: `v-${origin}/clip.mp4`, probe, widths: [32, 320] });
      expect(made.thumbnails.keys).toEqual({ '32': thumbnailKey(`v-${origin}/clip.mp4`, 32), '320': thumbnailKey(`v-${origin}/clip.mp4`, 320) });
      const small = await sharp(await stored(thumbnailKey(`v-${origin}/clip.mp4`, 32))).metadata();
      expect([small.format, small.width, small.height]).toEqual(['webp', 32, 24]);
      // 64 px wide: the 320 width is never upscaled and points at its own stored object.
      expect(made.thumbnails.thumbnails.find((t) => t.requestedWidth === 320)?.width).toBe(64);

      expect(made.preview.key).toBe(`previews/v-${origin}/clip.mp4`);
      const previewFile = path.join(dir, `preview-${origin}.mp4`);
      await fsp.writeFile(previewFile, await stored(made.preview.key));
      const preview = await probeVideo(previewFile, DEFAULT_VIDEO_LIMITS);
      expect(preview).toMatchObject({ videoCodec: 'h264', audioCodec: null, width: 64, height: 48 });
      expect(preview.durationSeconds).toBeLessThanOrEqual(3.05);
    });

    it('makes an upright poster from a rotated video', async () => {
      const probe = await probeVideo(rotated, DEFAULT_VIDEO_LIMITS);
      const made = await makeVideoDerivatives({ blobs, file: rotated, originalKey: `v-${origin}/rotated.mp4`, probe, widths: [320] });
      const poster = await sharp(await stored(made.thumbnails.keys['320']!)).metadata();
      expect([poster.width, poster.height]).toEqual([48, 64]);
    });
  });

  describe(`stripVideoMetadata (${origin} ffmpeg)`, () => {
    runFfBinariesOf(origin);
    it('drops titles, GPS and comments but keeps the pictures, the sound and the rotation', async () => {
      const before = await fsp.readFile(clip);
      expect(before.includes('+12.3456')).toBe(true);
      const probe = await probeVideo(clip, DEFAULT_VIDEO_LIMITS);
      const out = path.join(dir, `clean-${origin}.mp4`);
      const copy = await stripVideoMetadata(clip, out, probe, DEFAULT_VIDEO_LIMITS);
      const after = await fsp.readFile(out);
      for (const secret of ['+12.3456', 'secret title', 'camera XYZ', 'Lavf']) expect(after.includes(secret), secret).toBe(false);
      expect(copy).toMatchObject({ container: 'mp4', videoCodec: 'h264', audioCodec: 'aac', width: 64, height: 48, frames: probe.frames });

      const turned = await probeVideo(rotated, DEFAULT_VIDEO_LIMITS);
      const upright = await stripVideoMetadata(rotated, path.join(dir, `clean-rotated-${origin}.mp4`), turned, DEFAULT_VIDEO_LIMITS);
      expect(upright.rotation).toBe(turned.rotation);
      expect([upright.width, upright.height]).toEqual([48, 64]);
    });
  });
}
