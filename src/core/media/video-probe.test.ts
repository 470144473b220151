import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../testing/images.ts';
import { FF_ORIGINS_UNDER_TEST, runFfBinariesOf } from '../testing/ff-binaries.ts';
import { makeVideo, tinyZip, writeTemp, zeroDurationMp4 } from '../testing/videos.ts';
import { ffBinaries, ffVersions } from './ffmpeg-binaries.ts';
import { MediaError, type MediaErrorReason } from './media-error.ts';
import { DEFAULT_VIDEO_LIMITS, probeVideo } from './video-probe.ts';

let dir: string;
const clips: Record<string, string> = {};

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-video-probe-'));
  const file = (name: string) => path.join(dir, name);
  // Made side by side: each is a fraction of a second of ffmpeg.
  await Promise.all([
    makeVideo(file('clip.mp4'), { audio: true }).then((b) => (clips.mp4 = file('clip.mp4'), b)),
    makeVideo(file('clip.webm'), { container: 'webm' }).then(() => (clips.webm = file('clip.webm'))),
    makeVideo(file('rotated.mp4'), { rotation: 90 }).then(() => (clips.rotated = file('rotated.mp4'))),
    makeVideo(file('faststart.mp4'), { faststart: true, seconds: 2 }).then(() => (clips.faststart = file('faststart.mp4'))),
    makeVideo(file('many.mp4'), { width: 16, height: 16, fps: 1000 }).then(() => (clips.many = file('many.mp4'))),
    makeVideo(file('wide.mp4'), { width: 4000, height: 16, fps: 1 }).then(() => (clips.wide = file('wide.mp4'))),
  ]);
  const mp4 = await fsp.readFile(clips.mp4!);
  const webm = await fsp.readFile(clips.webm!);
  const faststart = await fsp.readFile(clips.faststart!);
  const wrongMagic = Buffer.from(mp4);
  wrongMagic.fill(0, 0, 12);
  clips.truncatedMp4 = await writeTemp(dir, 'truncated.mp4', mp4.subarray(0, Math.floor(mp4.length / 2)));
  clips.truncatedFaststart = await writeTemp(dir, 'truncated-faststart.mp4', faststart.subarray(0, Math.floor(faststart.length / 2)));
  clips.truncatedWebm = await writeTemp(dir, 'truncated.webm', webm.subarray(0, Math.floor(webm.length / 2)));
  clips.wrongMagic = await writeTemp(dir, 'wrong-magic.mp4', wrongMagic);
  clips.zip = await writeTemp(dir, 'archive.mp4', tinyZip());
  clips.png = await writeTemp(dir, 'picture.mp4', await makeImage(16, 16, 'png'));
  clips.zero = await writeTemp(dir, 'zero.mp4', zeroDurationMp4(mp4));
  clips.empty = await writeTemp(dir, 'empty.mp4', Buffer.alloc(0));
});

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

async function refusal(file: string, limits = DEFAULT_VIDEO_LIMITS): Promise<{ reason: MediaErrorReason; message: string }> {
  const error = await probeVideo(file, limits).then(() => null, (e: unknown) => e);
  expect(error, file).toBeInstanceOf(MediaError);
  return { reason: (error as MediaError).reason, message: (error as MediaError).message };
}

for (const origin of FF_ORIGINS_UNDER_TEST) {
  describe(`ffmpeg binaries (${origin})`, () => {
    runFfBinariesOf(origin);
    it('resolves both tools in one place and reports their versions', async () => {
      const binaries = ffBinaries();
      expect(binaries.origin).toBe(origin);
      const versions = await ffVersions();
      expect(versions.ffmpeg).toMatch(/^ffmpeg version /);
      expect(versions.ffprobe).toMatch(/^ffprobe version /);
    });
  });

  describe(`probeVideo (${origin} ffprobe)`, () => {
    runFfBinariesOf(origin);
    it('describes an MP4 with audio and a WebM without', async () => {
      const mp4 = await probeVideo(clips.mp4!, DEFAULT_VIDEO_LIMITS);
      expect(mp4).toMatchObject({ container: 'mp4', contentType: 'video/mp4', videoCodec: 'h264', audioCodec: 'aac', width: 64, height: 48, rotation: 0, frames: 8 });
      expect(mp4.durationSeconds).toBeCloseTo(1, 1);
      const webm = await probeVideo(clips.webm!, DEFAULT_VIDEO_LIMITS);
      expect(webm).toMatchObject({ container: 'webm', ext: 'webm', videoCodec: 'vp8', audioCodec: null, width: 64, height: 48 });
    });

    it('reports displayed dimensions for a rotated video', async () => {
      const rotated = await probeVideo(clips.rotated!, DEFAULT_VIDEO_LIMITS);
      expect(rotated.rotation % 180).toBe(90);
      expect([rotated.width, rotated.height]).toEqual([48, 64]);
    });

    it('refuses what is not a video, whatever its name', async () => {
      expect(await refusal(clips.zip!)).toMatchObject({ reason: 'not-video' });
      expect((await refusal(clips.png!)).message).toMatch(/PNG image, not an MP4, MOV or WebM video/);
      expect((await refusal(clips.wrongMagic!)).reason).toBe('not-video');
      expect((await refusal(clips.empty!)).message).toMatch(/empty/);
    });

    it('refuses truncated files (index at the end, at the start, and WebM)', async () => {
      for (const file of [clips.truncatedMp4!, clips.truncatedFaststart!, clips.truncatedWebm!]) {
        const { reason, message } = await refusal(file);
        expect(reason, file).toBe('corrupt');
        expect(message).toMatch(/truncated|damaged/);
      }
    });

    it('refuses a zero duration, too many frames for the duration, and huge dimensions', async () => {
      expect(await refusal(clips.zero!)).toMatchObject({ reason: 'corrupt', message: expect.stringMatching(/no duration/) });
      expect(await refusal(clips.many!)).toMatchObject({ reason: 'too-large', message: expect.stringMatching(/1000 frames/) });
      expect(await refusal(clips.wide!)).toMatchObject({ reason: 'too-large', message: expect.stringMatching(/4000×16/) });
    });

    it('applies the configured limits on size, duration and dimensions', async () => {
      const limits = DEFAULT_VIDEO_LIMITS;
      expect((await refusal(clips.mp4!, { ...limits, maxBytes: 1000 })).reason).toBe('too-large');
      expect((await refusal(clips.faststart!, { ...limits, maxSeconds: 1.5 })).reason).toBe('too-long');
      expect((await refusal(clips.mp4!, { ...limits, maxDimension: 63 })).message).toMatch(/64×48, over the 63 px limit/);
    });
  });
}
