import { describe, expect, it } from 'vitest';
import { avatarImage, avatarInitial } from './avatar.ts';

describe('avatarImage', () => {
  const thumbs = [
    { url: '/media/thumbs/144/avatars/liblib/a.webp', width: 100 },
    { url: '/media/thumbs/48/avatars/liblib/a.webp', width: 48 },
  ];

  it('picks the narrowest thumbnail covering the size at 2× and lists every thumbnail in the srcset', () => {
    const author = { name: '画师', avatarUrl: '/media/avatars/liblib/a.jpg', avatarThumbs: thumbs };
    expect(avatarImage(author, 20)).toEqual({
      src: '/media/thumbs/48/avatars/liblib/a.webp',
      srcset: '/media/thumbs/48/avatars/liblib/a.webp 48w, /media/thumbs/144/avatars/liblib/a.webp 100w',
    });
    expect(avatarImage(author, 72)?.src).toBe('/media/thumbs/144/avatars/liblib/a.webp');
  });

  it('falls back to the original without thumbnails, and to nothing (the initial) without an avatar', () => {
    expect(avatarImage({ name: 'x', avatarUrl: '/media/a.png' }, 72)).toEqual({ src: '/media/a.png', srcset: null });
    expect(avatarImage({ name: 'x', avatarUrl: null }, 72)).toBeNull();
  });
});

describe('avatarInitial', () => {
  it('takes the first code point, uppercased, and 佚 for an empty name', () => {
    expect(avatarInitial(' painter')).toBe('P');
    expect(avatarInitial('𠮷野家')).toBe('𠮷');
    expect(avatarInitial('')).toBe('佚');
  });
});
