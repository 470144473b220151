// Real image bytes for the fake's image host, drawn procedurally and encoded with sharp.
// Deterministic per content (same fields → same bytes), generated lazily on first request and cached for the process (imageBytes).
// Formats are mixed (PNG/JPEG/WebP, GIF for some model covers) and URL extensions sometimes lie, so
// clients must detect the format from magic bytes, not from the URL.

import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { ImageContent, ImageFormat } from './catalogue.ts';
import { makeRng, type Rng } from './rng.ts';

export const CONTENT_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** The format named by the first bytes, or null. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP') {
    return 'webp';
  }
  if (b.length >= 6 && String.fromCharCode(...b.subarray(0, 4)) === 'GIF8') return 'gif';
  return null;
}

/** A subset of Aliyun OSS `x-oss-process=image/...`: resize,w_N[,h_N] / format,X / quality,q_N. */
export interface ImageTransform {
  width?: number;
  height?: number;
  format?: ImageFormat;
  quality?: number;
}

export function parseOssProcess(value: string | null): ImageTransform | null {
  if (!value || !value.startsWith('image/')) return null;
  const out: ImageTransform = {};
  for (const step of value.slice('image/'.length).split('/')) {
    const [op, ...args] = step.split(',');
    const params = new Map(args.map((a) => [a.slice(0, a.indexOf('_')), a.slice(a.indexOf('_') + 1)] as const));
    if (op === 'resize') {
      const w = Number(params.get('w'));
      const h = Number(params.get('h'));
      if (Number.isInteger(w) && w > 0 && w <= 4096) out.width = w;
      if (Number.isInteger(h) && h > 0 && h <= 4096) out.height = h;
    } else if (op === 'format') {
      const f = args[0];
      if (f === 'webp' || f === 'png' || f === 'gif') out.format = f;
      else if (f === 'jpg' || f === 'jpeg') out.format = 'jpeg';
    } else if (op === 'quality') {
      const q = Number(params.get('q') ?? params.get('Q'));
      if (Number.isInteger(q) && q >= 1 && q <= 100) out.quality = q;
    }
  }
  return Object.keys(out).length > 0 ? out : null;
}

type Rgb = [number, number, number];

function hsl(rng: Rng, sat = 0.55, light = 0.55): Rgb {
  const h = rng.next();
  const a = sat * Math.min(light, 1 - light);
  const f = (n: number): number => {
    const k = (n + h * 12) % 12;
    return Math.round(255 * (light - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Raw RGB pixels for a content (pure JS, a few ms for 256×256). */
function drawRaw(content: ImageContent, watermark: boolean): Buffer {
  const { width: w, height: h } = content;
  const rng = makeRng('image-pixels', content.key);
  const px = Buffer.alloc(w * h * 3);
  const set = (x: number, y: number, c: Rgb): void => {
    const i = (y * w + x) * 3;
    px[i] = c[0];
    px[i + 1] = c[1];
    px[i + 2] = c[2];
  };
  const top = hsl(rng, 0.5, 0.7);
  const bottom = hsl(rng, 0.6, 0.35);
  const accent = hsl(rng, 0.8, 0.5);
  const dark: Rgb = [28, 28, 32];

  if (content.style === 'car' || content.style === 'scene') {
    const horizon = Math.floor(h * (0.55 + rng.next() * 0.15));
    const sunX = rng.next() * w;
    const sunY = rng.next() * horizon * 0.6;
    const sunR = Math.max(4, Math.min(w, h) * (0.06 + rng.next() * 0.08));
    const bodyW = w * (0.5 + rng.next() * 0.25);
    const bodyH = h * 0.12;
    const bodyX = (w - bodyW) / 2 + (rng.next() - 0.5) * w * 0.1;
    const bodyY = horizon + h * 0.05;
    const wheelR = Math.max(3, bodyH * 0.55);
    const cabinInset = bodyW * (0.18 + rng.next() * 0.1);
    const phase = rng.next() * 6.28;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let c: Rgb;
        if (y < horizon) {
          c = mix(top, bottom, y / horizon);
          const ridge = horizon - (Math.sin(x / (w / 7) + phase) * 0.5 + 0.5) * h * 0.12;
          if (content.style === 'scene' && y > ridge) c = mix(bottom, dark, 0.4);
          if ((x - sunX) ** 2 + (y - sunY) ** 2 < sunR ** 2) c = [250, 235, 190];
        } else {
          c = mix([70, 70, 78], [40, 40, 46], (y - horizon) / (h - horizon));
          if (Math.abs(y - (horizon + (h - horizon) * 0.7)) < 1 && Math.floor(x / 8) % 2 === 0) c = [230, 230, 230];
        }
        if (content.style === 'car') {
          const inBody = x >= bodyX && x <= bodyX + bodyW && y >= bodyY && y <= bodyY + bodyH;
          const inCabin = x >= bodyX + cabinInset && x <= bodyX + bodyW - cabinInset * 1.3 && y >= bodyY - bodyH * 0.8 && y < bodyY;
          if (inCabin) c = mix(accent, [200, 220, 240], 0.6);
          if (inBody) c = accent;
          for (const wx of [bodyX + bodyW * 0.22, bodyX + bodyW * 0.78]) {
            const d2 = (x - wx) ** 2 + (y - (bodyY + bodyH)) ** 2;
            if (d2 < wheelR ** 2) c = d2 < (wheelR * 0.45) ** 2 ? [160, 160, 170] : dark;
          }
        }
        set(x, y, c);
      }
    }
  } else if (content.style === 'avatar') {
    const cx = w / 2;
    const r = w * 0.2;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let c: Rgb = mix(top, bottom, y / h);
        if ((x - cx) ** 2 + (y - h * 0.4) ** 2 < r * r) c = accent;
        if ((x - cx) ** 2 / (w * 0.35) ** 2 + (y - h) ** 2 / (h * 0.3) ** 2 < 1) c = mix(accent, dark, 0.3);
        set(x, y, c);
      }
    }
  } else {
    const period = 6 + Math.floor(rng.next() * 10);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let c: Rgb = Math.floor((x + y) / period) % 2 === 0 ? top : bottom;
        if (Math.abs(x - w / 2) < w * 0.25 && Math.abs(y - h / 2) < h * 0.25) c = accent;
        set(x, y, c);
      }
    }
  }

  if (watermark) {
    const band = Math.max(6, Math.floor(h * 0.1));
    for (let y = h - band; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 3;
        const text = Math.floor(x / 4) % 3 !== 0 && y > h - band * 0.75 && y < h - band * 0.25 && x > w * 0.55;
        for (let ch = 0; ch < 3; ch++) px[i + ch] = text ? 250 : Math.round((px[i + ch] as number) * 0.5 + 127);
      }
    }
  }
  return px;
}

/** Inserts an iTXt chunk (UTF-8, uncompressed) right after IHDR. */
function addPngText(png: Buffer, keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
  const type = Buffer.from('iTXt', 'latin1');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, data])) >>> 0);
  const ihdrEnd = 8 + 4 + 4 + png.readUInt32BE(8) + 4;
  return Buffer.concat([png.subarray(0, ihdrEnd), len, type, data, crc, png.subarray(ihdrEnd)]);
}

async function encode(raw: Buffer, content: ImageContent, watermark: boolean, transform: ImageTransform | null): Promise<Buffer> {
  let img = sharp(raw, { raw: { width: content.width, height: content.height, channels: 3 } });
  if (transform?.width || transform?.height) {
    img = img.resize({ width: transform.width, height: transform.height, fit: 'inside', withoutEnlargement: false });
  }
  const format = transform?.format ?? content.format;
  const quality = transform?.quality ?? 82;
  if (format === 'png') img = img.png({ compressionLevel: 6 });
  else if (format === 'jpeg') img = img.jpeg({ quality });
  else if (format === 'webp') img = img.webp({ quality });
  else img = img.gif();
  let bytes: Buffer = await img.toBuffer();
  if (format === 'png' && content.parameters && !watermark && !transform) bytes = addPngText(bytes, 'parameters', content.parameters);
  return bytes;
}

/**
 * The bytes rendered in this process, by all they are drawn from (the content's every field, the watermark, the
 * transform): the test files of one worker start fakes over the same seeded catalogues, and drawing and encoding
 * their images was most of the fakes' CPU (3.5 of 4 s, the ModelScope fake's covers) while each fake kept its own.
 * Oldest out first past RENDERED_BUDGET bytes, so a long crawl's images do not pile up.
 */
const rendered = new Map<string, Promise<Buffer>>();
const renderedSizes = new Map<string, number>();
let renderedBytes = 0;
const RENDERED_BUDGET = 96 * 1024 * 1024;

/** Bytes for a content (optionally the watermarked copy, optionally transformed per x-oss-process), rendered on first request. */
export function imageBytes(content: ImageContent, watermark = false, transform: ImageTransform | null = null): Promise<Buffer> {
  const key = JSON.stringify([content.key, content.format, content.width, content.height, content.style, content.parameters, watermark, transform]);
  const hit = rendered.get(key);
  if (hit) return hit;
  const bytes = encode(drawRaw(content, watermark), content, watermark, transform);
  rendered.set(key, bytes);
  bytes.then(
    (done) => {
      if (rendered.get(key) !== bytes) return;
      renderedSizes.set(key, done.length);
      renderedBytes += done.length;
      for (const [oldest, size] of renderedSizes) {
        if (renderedBytes <= RENDERED_BUDGET) break;
        renderedSizes.delete(oldest);
        rendered.delete(oldest);
        renderedBytes -= size;
      }
    },
    () => rendered.delete(key),
  );
  return bytes;
}
