import { describe, expect, it } from 'vitest';
import { assertValidBlobKey } from '../blob/blob-key.ts';
import { InvalidInputError, UserFacingError } from '../errors.ts';
import {
  avatarKey, DEFAULT_MEDIA_KEY_TEMPLATE, LIBLIB_MEDIA_KEY_TEMPLATE, MediaKeyTemplate, renderMediaKey, sanitizeKeySegment, sha256Hex,
  type MediaKeyInput,
} from './media-key.ts';

const hash = sha256Hex(Buffer.from('a picture of a car'));

function input(overrides: Partial<MediaKeyInput> = {}): MediaKeyInput {
  return {
    source: 'liblib',
    category: 'transportation',
    slug: '5f1c2a9d0e7b4c3aa1b2c3d4e5f60718',
    index: 2,
    publishedAt: new Date('2025-03-07T12:00:00Z'),
    contentHash: hash,
    ext: 'png',
    ...overrides,
  };
}

describe('renderMediaKey', () => {
  it('renders the seed template with the first 16 hex characters of the SHA-256', () => {
    expect(renderMediaKey(LIBLIB_MEDIA_KEY_TEMPLATE, input())).toBe(
      `liblib/transportation/2025/03/07/5f1c2a9d0e7b4c3aa1b2c3d4e5f60718/2_${hash.slice(0, 16)}.png`,
    );
    // The generic default renders the same key for Liblib.
    expect(renderMediaKey(DEFAULT_MEDIA_KEY_TEMPLATE, input())).toBe(renderMediaKey(LIBLIB_MEDIA_KEY_TEMPLATE, input()));
  });

  it('takes the date in UTC, and renders 0000/00/00 for a work without a date', () => {
    // 23:30 in New York on 31 March is 1 April in UTC.
    const key = renderMediaKey(LIBLIB_MEDIA_KEY_TEMPLATE, input({ publishedAt: new Date('2024-03-31T23:30:00-04:00') }));
    expect(key).toContain('/2024/04/01/');
    expect(renderMediaKey(LIBLIB_MEDIA_KEY_TEMPLATE, input({ publishedAt: null }))).toContain('/0000/00/00/');
    expect(renderMediaKey(LIBLIB_MEDIA_KEY_TEMPLATE, input({ publishedAt: new Date(Number.NaN) }))).toContain('/0000/00/00/');
  });

  it('sanitises values into one safe segment, keeping Chinese', () => {
    const key = renderMediaKey('{source}/{category}/{slug}/{index}_{hash}.{ext}', input({ category: '汽车 交通', slug: '../../etc/passwd\u0000赛博朋克' }));
    expect(key).toBe(`liblib/汽车-交通/etc-passwd-赛博朋克/2_${hash.slice(0, 16)}.png`);
    expect(() => assertValidBlobKey(key)).not.toThrow();
    expect(sanitizeKeySegment('..')).toBe('');
    expect(sanitizeKeySegment('.hidden')).toBe('hidden');
    expect(sanitizeKeySegment('a/b\\c?d#e%f')).toBe('a-b-c-d-e-f');
    expect(sanitizeKeySegment('tab\there\nnewline')).toBe('tab-here-newline');
    expect(sanitizeKeySegment('\uD800lone')).toBe('lone');
    expect(sanitizeKeySegment('概念车 🚗 concept')).toBe('概念车-🚗-concept');
    // Long values are cut on a character boundary.
    const long = sanitizeKeySegment('长'.repeat(200));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(100);
    expect(long).toBe('长'.repeat(33));
  });

  it('lowercases the extension and rejects values that sanitise to nothing', () => {
    expect(renderMediaKey(LIBLIB_MEDIA_KEY_TEMPLATE, input({ ext: '.JPG' }))).toMatch(/\.jpg$/);
    expect(() => renderMediaKey(LIBLIB_MEDIA_KEY_TEMPLATE, input({ slug: '../..' }))).toThrow(InvalidInputError);
    expect(() => renderMediaKey(LIBLIB_MEDIA_KEY_TEMPLATE, input({ category: '' }))).toThrow(/\{category\} is empty/);
    // A template that does not use {category} does not need one.
    expect(() => renderMediaKey('{source}/{slug}/{hash}.{ext}', input({ category: '' }))).not.toThrow();
    expect(() => renderMediaKey(LIBLIB_MEDIA_KEY_TEMPLATE, input({ contentHash: 'abc' }))).toThrow(/SHA-256/);
    expect(() => renderMediaKey(LIBLIB_MEDIA_KEY_TEMPLATE, input({ index: -1 }))).toThrow(/index/);
  });

  it('checks the template when it is constructed', () => {
    expect(() => new MediaKeyTemplate('liblib/{categroy}/{hash}.{ext}')).toThrow(/unknown placeholder \{categroy\}/);
    expect(() => new MediaKeyTemplate('liblib/{category}/{hash}.{ext}')).not.toThrow();
    expect(() => new MediaKeyTemplate('liblib/{slug}/{index}.{ext}')).toThrow(/no \{hash\}/);
    expect(() => new MediaKeyTemplate('liblib/{slug}/{hash}')).toThrow(/no \{ext\}/);
    expect(() => new MediaKeyTemplate('liblib/{slug/{hash}.{ext}')).toThrow(UserFacingError);
    expect(() => new MediaKeyTemplate('liblib/{slug}}/{hash}.{ext}')).toThrow(/unbalanced/);
    expect(() => new MediaKeyTemplate('/liblib/{hash}.{ext}')).toThrow(/absolute/);
    expect(() => new MediaKeyTemplate('liblib/../{hash}.{ext}')).toThrow(/".." segment/);
    expect(() => new MediaKeyTemplate('liblib//{hash}.{ext}')).toThrow(/empty segment/);
    const template = new MediaKeyTemplate(LIBLIB_MEDIA_KEY_TEMPLATE);
    expect([...template.placeholders].sort()).toEqual(['category', 'dd', 'ext', 'hash', 'index', 'mm', 'slug', 'yyyy']);
  });

  it('renders the same key for the same input (reruns overwrite the same object)', () => {
    const template = new MediaKeyTemplate(LIBLIB_MEDIA_KEY_TEMPLATE);
    expect(template.render(input())).toBe(template.render(input()));
    expect(template.render(input({ contentHash: sha256Hex(Buffer.from('another')) }))).not.toBe(template.render(input()));
  });
});

describe('avatarKey', () => {
  it('is content-addressed under avatars/{source}/ and rejects a malformed hash', () => {
    expect(avatarKey('liblib', hash, 'PNG')).toBe(`avatars/liblib/${hash.slice(0, 16)}.png`);
    expect(avatarKey('modelscope', hash, '.jpg')).toBe(`avatars/modelscope/${hash.slice(0, 16)}.jpg`);
    expect(() => avatarKey('liblib', 'abc', 'png')).toThrow(InvalidInputError);
  });
});
