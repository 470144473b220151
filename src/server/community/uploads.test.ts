import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.ts';
import { apiErrorFrom } from '../http/api-error.ts';
import { testImage } from '../testing/community.ts';
import { hostileUploads } from '../testing/hostile-uploads.ts';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_VIDEO_LIMITS, probeVideo } from '../../core/media/video-probe.ts';
import { makeVideo } from '../../core/testing/videos.ts';
import { checkUploadedFile, checkUploadedImage, slugify } from './uploads.ts';

const limits = { maxBytes: 256 * 1024, maxPixels: 100_000_000 };
const videoLimits = { ...DEFAULT_VIDEO_LIMITS, maxBytes: limits.maxBytes };

describe('upload checks', () => {
  it.each(['png', 'jpeg', 'webp'] as const)('accepts %s by its bytes and re-encodes it', async (format) => {
    const input = await testImage(format, 120, 80);
    const checked = await checkUploadedImage(input, limits);
    expect(checked).toMatchObject({ format, width: 120, height: 80, contentType: `image/${format}` });
    expect(checked.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await sharp(checked.data).metadata()).format).toBe(format);
  });

  it('strips EXIF (GPS included) and applies the orientation to the pixels', async () => {
    const raw = await testImage('jpeg', 120, 80);
    const withGps = await sharp(raw)
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD0: { Make: 'Huaku Cam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 54/1 27/1', GPSLongitudeRef: 'E', GPSLongitude: '116/1 23/1 17/1' } })
      .jpeg()
      .toBuffer();
    const before = await sharp(withGps).metadata();
    expect(before.exif?.includes(Buffer.from('Huaku Cam'))).toBe(true);
    expect(before.orientation).toBe(6);
    expect(before.exif?.includes(Buffer.from([0x88, 0x25])) || before.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true); // GPS IFD pointer tag
    const checked = await checkUploadedImage(withGps, limits);
    const after = await sharp(checked.data).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(checked.data.includes(Buffer.from('Huaku Cam'))).toBe(false);
    expect([checked.width, checked.height]).toEqual([80, 120]); // rotated by the EXIF orientation
  });

  it('refuses every hostile file with a clear error', async () => {
    for (const file of await hostileUploads(limits.maxBytes)) {
      const error = await checkUploadedFile(file.bytes, { image: limits, video: videoLimits }).then(() => null, (e: unknown) => e);
      expect(error, file.name).toBeInstanceOf(InvalidInputError); // a domain error: the route helpers choose the status
      const answer = apiErrorFrom(error);
      expect({ name: file.name, status: answer?.status, code: answer?.code }).toEqual({ name: file.name, status: file.status, code: file.code });
      expect(answer!.message).toMatch(/[\u4e00-\u9fff]/); // said in Chinese
    }
  });

  it('accepts an MP4 or MOV by its bytes and stores a metadata-free MP4 of it', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'huaku-upload-video-'));
    try {
      const mov = await makeVideo(path.join(dir, 'phone.mov'), { container: 'mov', audio: true, metadata: { location: '+39.9042+116.4074/', make: 'Huaku Cam' } });
      for (const secret of ['+39.9042', 'Huaku Cam']) expect(mov.includes(secret), secret).toBe(true);
      const checked = await checkUploadedFile(mov, { image: limits, video: videoLimits });
      expect(checked).toMatchObject({ format: 'mp4', contentType: 'video/mp4', width: 64, height: 48 });
      for (const secret of ['+39.9042', 'Huaku Cam']) expect(checked.data.includes(secret), secret).toBe(false);
      await fsp.writeFile(path.join(dir, 'stored.mp4'), checked.data);
      expect(await probeVideo(path.join(dir, 'stored.mp4'), videoLimits)).toMatchObject({ container: 'mp4', videoCodec: 'h264', audioCodec: 'aac' });
      // An image upload route that only takes images still refuses a video with its own code.
      await expect(checkUploadedImage(mov, limits)).rejects.toMatchObject({ code: 'video_unsupported' });
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('does not mistake metadata-free compressed pixels for markup', async () => {
    // Large noisy images: their compressed data is random enough to contain "<svg" or "PK\x03\x04" by chance.
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const noise = Buffer.alloc(512 * 512 * 3);
      for (let i = 0; i < noise.length; i++) noise[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff;
      const image = await sharp(noise, { raw: { width: 512, height: 512, channels: 3 } }).toFormat(format).toBuffer();
      await expect(checkUploadedImage(image, { ...limits, maxBytes: 4 * 1024 * 1024 })).resolves.toMatchObject({ format });
    }
  });

  it('makes slugs', () => {
    expect(slugify('赛博 城市 Night!')).toBe('赛博-城市-night');
    expect(slugify('   ')).toBe('artwork');
    expect(slugify(null)).toBe('artwork');
    expect([...slugify('长'.repeat(100))]).toHaveLength(60);
  });
});
