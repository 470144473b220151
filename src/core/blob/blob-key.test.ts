import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import {
  assertValidBlobKey,
  assertValidMetadata,
  decodeMetadataValue,
  encodeMetadataValue,
  joinPublicUrl,
  MAX_BLOB_KEY_BYTES,
  METADATA_ENCODED_MARKER,
} from './blob-key.ts';

function rejection(key: string): string {
  try {
    assertValidBlobKey(key);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(key)} to be rejected`);
}

describe('assertValidBlobKey', () => {
  it.each([
    'a',
    'works/123/original.png',
    'liblib/作品/赛博朋克-城市夜景/1.webp',
    'a b/c#d?e%f&g=h+i',
    'file.with.dots.png',
    'trailing.dot.',
    'a/b/c/d/e/f',
    '😀/emoji.png',
  ])('accepts %j', (key) => {
    expect(() => assertValidBlobKey(key)).not.toThrow();
  });

  it.each([
    ['', /empty/],
    ['/abs', /absolute/],
    ['/', /absolute/],
    ['../x', /"\.\." segment/],
    ['a/../b', /"\.\." segment/],
    ['a/..', /"\.\." segment/],
    ['./a', /"\." segment/],
    ['a/./b', /"\." segment/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['a\\b', /backslash/],
    ['..\\x', /backslash/],
    ['a\u0000b', /U\+0000/],
    ['a\nb', /U\+000A/],
    ['a\u001fb', /U\+001F/],
    ['a\u007fb', /U\+007F/],
    ['.hidden', /starts with a dot/],
    ['a/.meta/b', /starts with a dot/],
    ['a\uD800b', /lone surrogate/],
  ])('rejects %j', (key, reason) => {
    const message = rejection(key);
    expect(message).toMatch(reason);
    expect(message).toContain('invalid blob key');
  });

  it('limits keys to 1024 UTF-8 bytes, counting multi-byte characters', () => {
    const segment = 'x'.repeat(200);
    const atLimit = Array.from({ length: 5 }, () => segment).join('/') + '/' + 'y'.repeat(MAX_BLOB_KEY_BYTES - 1005);
    expect(Buffer.byteLength(atLimit)).toBe(MAX_BLOB_KEY_BYTES);
    expect(() => assertValidBlobKey(atLimit)).not.toThrow();
    expect(rejection(atLimit + 'z')).toMatch(/1025 bytes/);
    // 342 Chinese characters are 342 string units but 1026 bytes.
    const chinese = Array.from({ length: 6 }, () => '画'.repeat(57)).join('/');
    expect(chinese.length).toBeLessThan(MAX_BLOB_KEY_BYTES);
    expect(rejection(chinese)).toMatch(/bytes long/);
  });

  it('limits each segment to a filesystem name (255 bytes)', () => {
    expect(() => assertValidBlobKey('a/' + 'x'.repeat(255))).not.toThrow();
    expect(rejection('a/' + 'x'.repeat(256))).toMatch(/256 bytes/);
    expect(rejection('画'.repeat(86))).toMatch(/258 bytes/);
  });
});

describe('joinPublicUrl', () => {
  it('encodes each segment and keeps the slashes', () => {
    expect(joinPublicUrl('/media', '作品/a b/c#d?.png')).toBe('/media/%E4%BD%9C%E5%93%81/a%20b/c%23d%3F.png');
    expect(joinPublicUrl('https://cdn.example.com/m', 'a/b.png')).toBe('https://cdn.example.com/m/a/b.png');
  });

  it('does not double the slash after the base', () => {
    expect(joinPublicUrl('https://cdn.example.com/m/', 'a')).toBe('https://cdn.example.com/m/a');
    expect(joinPublicUrl('/media//', 'a')).toBe('/media/a');
  });

  it('rejects invalid keys', () => {
    expect(() => joinPublicUrl('/media', '../etc/passwd')).toThrow(InvalidInputError);
  });
});

describe('metadata', () => {
  it('accepts the seed keys and Chinese values', () => {
    expect(() =>
      assertValidMetadata({
        original_url: 'https://example.com/a.png',
        work_slug: '赛博朋克-猫',
        image_index: '0',
        width: '1024',
        height: '1536',
        'x-y': '',
      }),
    ).not.toThrow();
  });

  it.each(['workSlug', 'has space', '', '_leading', 'ünïcode', 'a.b'])('rejects the key %j', (key) => {
    expect(() => assertValidMetadata({ [key]: 'x' })).toThrow(InvalidInputError);
  });

  it('rejects non-string values and lone surrogates', () => {
    expect(() => assertValidMetadata({ a: 1 as unknown as string })).toThrow(InvalidInputError);
    expect(() => assertValidMetadata({ a: 'x\uDC00' })).toThrow(InvalidInputError);
  });

  it('limits the encoded size to 2 KiB', () => {
    expect(() => assertValidMetadata({ a: 'x'.repeat(2047) })).not.toThrow();
    expect(() => assertValidMetadata({ a: 'x'.repeat(2048) })).toThrow(/2049 bytes/);
    // 200 Chinese characters encode to 1,800 ASCII bytes plus the marker.
    expect(() => assertValidMetadata({ a: '画'.repeat(200) })).not.toThrow();
    expect(() => assertValidMetadata({ a: '画'.repeat(230) })).toThrow(InvalidInputError);
  });

  it('leaves plain printable ASCII as it is', () => {
    for (const value of ['https://example.com/a.png?x=1&y=2', '1024', 'a b', '100% ~ok']) {
      expect(encodeMetadataValue(value)).toBe(value);
    }
  });

  it('encodes what a header value cannot carry, and decodes it back', () => {
    const values = ['赛博朋克-猫', '', ' padded ', 'tab\there', 'line\nbreak', `${METADATA_ENCODED_MARKER}looks encoded`, '🎨'];
    for (const value of values) {
      const encoded = encodeMetadataValue(value);
      expect(encoded.startsWith(METADATA_ENCODED_MARKER)).toBe(true);
      expect(encoded).toMatch(/^[\x21-\x7e]+$/);
      expect(decodeMetadataValue(encoded)).toBe(value);
    }
  });

  it('keeps a malformed encoded value written by another tool as it is', () => {
    expect(decodeMetadataValue(`${METADATA_ENCODED_MARKER}%E4%`)).toBe(`${METADATA_ENCODED_MARKER}%E4%`);
  });
});
