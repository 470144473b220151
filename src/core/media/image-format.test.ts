import { describe, expect, it } from 'vitest';
import { detectFormat } from './image-format.ts';
import { type SharpFormat, makeImage } from '../testing/images.ts';

describe('detectFormat', () => {
  const cases: Array<[SharpFormat, string, string, string]> = [
    ['jpeg', 'jpeg', 'jpg', 'image/jpeg'],
    ['png', 'png', 'png', 'image/png'],
    ['webp', 'webp', 'webp', 'image/webp'],
    ['gif', 'gif', 'gif', 'image/gif'],
    ['avif', 'avif', 'avif', 'image/avif'],
    ['tiff', 'tiff', 'tiff', 'image/tiff'],
  ];
  for (const [sharpFormat, format, ext, contentType] of cases) {
    it(`recognises ${sharpFormat} made by sharp`, async () => {
      const bytes = await makeImage(48, 32, sharpFormat);
      expect(detectFormat(bytes)).toEqual({ format, kind: 'image', ext, contentType });
      // Only the head matters: a truncated file is still recognised (the decoder rejects it later).
      expect(detectFormat(bytes.subarray(0, 64))?.format).toBe(format);
    });
  }

  it('recognises a big-endian TIFF header', () => {
    expect(detectFormat(Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]))?.format).toBe('tiff');
  });

  it('recognises a BMP (sharp cannot write one: a hand-made 1×1 file)', () => {
    const bmp = Buffer.alloc(58);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(58, 2); // file size
    bmp.writeUInt32LE(54, 10); // pixel data offset
    bmp.writeUInt32LE(40, 14); // BITMAPINFOHEADER
    bmp.writeInt32LE(1, 18);
    bmp.writeInt32LE(1, 22);
    bmp.writeUInt16LE(1, 26);
    bmp.writeUInt16LE(24, 28);
    expect(detectFormat(bmp)).toEqual({ format: 'bmp', kind: 'image', ext: 'bmp', contentType: 'image/bmp' });
    // "BM" followed by text is not a bitmap.
    expect(detectFormat(Buffer.from('BMW i4 M50 concept, ultra detailed'))).toBeNull();
  });

  it('recognises MP4 and WebM containers as video', () => {
    const ftyp = (major: string, ...compatible: string[]) => {
      const box = Buffer.alloc(16 + 4 * compatible.length);
      box.writeUInt32BE(box.length, 0);
      box.write('ftyp', 4, 'latin1');
      box.write(major, 8, 'latin1');
      compatible.forEach((brand, i) => box.write(brand, 16 + 4 * i, 'latin1'));
      return box;
    };
    expect(detectFormat(ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'))).toMatchObject({ format: 'mp4', kind: 'video', contentType: 'video/mp4' });
    expect(detectFormat(ftyp('qt  ', 'qt  '))).toMatchObject({ format: 'mov', kind: 'video', ext: 'mov', contentType: 'video/quicktime' });
    expect(detectFormat(ftyp('mif1', 'mif1', 'avif'))).toMatchObject({ format: 'avif', kind: 'image' });
    expect(detectFormat(ftyp('avis', 'avis', 'msf1', 'iso8', 'mp41'))).toMatchObject({ format: 'avif' });
    expect(detectFormat(ftyp('heic', 'mif1', 'heic'))).toMatchObject({ format: 'heic', ext: 'heic' });
    expect(detectFormat(ftyp('qqqq', 'zzzz'))).toBeNull();
    const webm = Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, ...Buffer.from('webm')]);
    expect(detectFormat(webm)).toMatchObject({ format: 'webm', kind: 'video', ext: 'webm' });
  });

  it('returns null for HTML, JSON, text, empty and short bodies', () => {
    expect(detectFormat(Buffer.from('<!DOCTYPE html><html><body>502 Bad Gateway</body></html>'))).toBeNull();
    expect(detectFormat(Buffer.from('{"code":403,"msg":"forbidden"}'))).toBeNull();
    expect(detectFormat(Buffer.alloc(0))).toBeNull();
    expect(detectFormat(Buffer.from([0xff, 0xd8]))).toBeNull();
    expect(detectFormat(Buffer.from('RIFF\x00\x00\x00\x00WAVEfmt ', 'latin1'))).toBeNull();
  });
});
