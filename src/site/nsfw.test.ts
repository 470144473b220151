import { describe, expect, it } from 'vitest';
import { isSensitive, shareImageOf } from './nsfw.ts';

describe('isSensitive', () => {
  it('blurs the levels above Soft', () => {
    expect(isSensitive('None')).toBe(false);
    expect(isSensitive('Soft')).toBe(false);
    expect(isSensitive('Mature')).toBe(true);
    expect(isSensitive('X')).toBe(true);
  });
});

describe('shareImageOf', () => {
  it('shares a video work by its poster frame, never its clip', () => {
    expect(shareImageOf('None', { url: '/media/v.mp4', thumbUrl: '/media/thumbs/320/v.webp', width: 640, height: 360, video: {} })).toEqual({ url: '/media/thumbs/320/v.webp' });
    expect(shareImageOf('None', { url: '/media/v.mp4', thumbUrl: null, video: {} })).toBeUndefined();
    expect(shareImageOf('None', { url: '/a.png', width: 10, height: 20 })).toEqual({ url: '/a.png', width: 10, height: 20 });
  });
});
