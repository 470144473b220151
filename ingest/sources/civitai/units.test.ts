// Pure parts of the Civitai connector: NSFW levels, normalization, paging rules, path templates,
// metadata extraction and formats, EXIF (read back with exifreader), task states.
import ExifReader from 'exifreader';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../src/core/errors.ts';
import { nextPosition, PAGE_NUMBER_CAP } from './civitai-client.ts';
import { buildExif, buildExifThatFits, embedExif } from './exif.ts';
import { ImageDownloadTask } from './image-download-task.ts';
import { extractImageMetadata } from './metadata.ts';
import { formatParameters } from './recipe.ts';
import { normalizeImageItem, normalizeImagesPage, unwrapMeta } from './normalize.ts';
import { browsingLevelFor, imageNsfwLabel, isAllowedLevel, nsfwQuery, parseNsfwLevels } from './nsfw.ts';
import { MISSING_VALUES, PATH_TEMPLATE_PRESETS, PathTemplate, resolveInside } from './path-template.ts';
import { TtyProgress } from './progress.ts';

const item = (overrides: Record<string, unknown> = {}) => ({
  id: 101, url: 'https://image.civitai.com/x/abc/original=true/101.jpeg', width: 832, height: 1216, nsfwLevel: 'None', browsingLevel: 1,
  createdAt: '2024-04-04T12:00:00.000Z', postId: 7, username: 'pixelmancer', baseModel: 'SDXL 1.0', stats: { likeCount: 3, heartCount: 2 }, meta: null,
  ...overrides,
});

describe('NSFW levels', () => {
  it('maps names to the browsing-level bitmask and the legacy nsfw name (§1.6)', () => {
    expect(browsingLevelFor(['None'])).toBe(1);
    expect(browsingLevelFor(['None', 'Soft'])).toBe(3);
    expect(browsingLevelFor(['None', 'Soft', 'Mature'])).toBe(7);
    expect(browsingLevelFor(['None', 'Soft', 'Mature', 'X'])).toBe(31);
    expect(browsingLevelFor(['X'])).toBe(24);
    expect(nsfwQuery(['Soft', 'None'])).toEqual({ browsingLevel: 3, nsfw: 'Soft' });
  });

  it('labels items by the stricter of browsingLevel and nsfwLevel; Blocked is never allowed', () => {
    expect(imageNsfwLabel({ browsingLevel: 16 })).toBe('X');
    expect(imageNsfwLabel({ browsingLevel: 4, nsfwLevel: 'Soft' })).toBe('Mature');
    expect(imageNsfwLabel({ nsfwLevel: 8 })).toBe('X');
    expect(imageNsfwLabel({ browsingLevel: 0 })).toBe('None');
    expect(imageNsfwLabel({})).toBe('None');
    expect(isAllowedLevel('Blocked', ['None', 'Soft', 'Mature', 'X'])).toBe(false);
    expect(isAllowedLevel('Mature', ['None', 'Soft'])).toBe(false);
  });

  it('parses level lists with aliases, and names a bad one', () => {
    expect(parseNsfwLevels('soft, none')).toEqual(['None', 'Soft']);
    expect(parseNsfwLevels('PG-13,R,XXX')).toEqual(['Soft', 'Mature', 'X']);
    expect(parseNsfwLevels('all')).toEqual(['None', 'Soft', 'Mature', 'X']);
    expect(() => parseNsfwLevels('None,Spicy')).toThrow(/"Spicy"/);
  });
});

describe('normalization', () => {
  it('keeps cursors opaque (a number becomes its digits) and treats null/absent as the end', () => {
    expect(normalizeImagesPage({ items: [], metadata: { nextCursor: 101 } }).nextCursor).toBe('101');
    expect(normalizeImagesPage({ items: [], metadata: { nextCursor: 'feed:1712265847499:55' } }).nextCursor).toBe('feed:1712265847499:55');
    expect(normalizeImagesPage({ items: [], metadata: { nextCursor: null } }).nextCursor).toBeNull();
    expect(normalizeImagesPage({ items: [], metadata: {} }).nextCursor).toBeNull();
  });

  it('unwraps the legacy {id, meta} shape and JSON-string meta; anything else that is not an object is null', () => {
    expect(unwrapMeta({ id: 1, meta: { prompt: 'a' } })).toEqual({ prompt: 'a' });
    expect(unwrapMeta('{"prompt":"b"}')).toEqual({ prompt: 'b' });
    expect(unwrapMeta({ id: 1, meta: null })).toBeNull();
    expect(unwrapMeta('not json')).toBeNull();
    expect(unwrapMeta([1, 2])).toBeNull();
    expect(unwrapMeta({})).toBeNull();
  });

  it('reports drift with JSON paths and normalizes nothing', () => {
    const error = (() => {
      try {
        normalizeImagesPage({ items: [item(), item({ id: 'x' }), item({ url: undefined })], metadata: {} });
      } catch (e) {
        return e;
      }
    })() as ContractError;
    expect(error).toBeInstanceOf(ContractError);
    expect(error.source).toBe('civitai');
    expect(error.issues.map((i) => i.path)).toEqual(['items[1].id']);
  });

  it('fills defaults for missing optional fields', () => {
    const image = normalizeImageItem({ id: 5, url: 'https://x/5.png' });
    expect(image).toMatchObject({ type: 'image', nsfwLevel: 'None', username: null, modelVersionIds: [], meta: null, width: null });
    expect(image.stats.likes).toBe(0);
  });
});

describe('paging rules', () => {
  it('follows the cursor, else nextPage by its cursor, else by page number only under the cap', () => {
    expect(nextPosition({ nextCursor: '1|2', nextPage: null }, 50)).toEqual({ cursor: '1|2' });
    expect(nextPosition({ nextCursor: null, nextPage: 'https://civitai.com/api/v1/images?limit=50&cursor=feed%3A1%3A2' }, 50)).toEqual({ cursor: 'feed:1:2' });
    expect(nextPosition({ nextCursor: null, nextPage: 'https://civitai.com/api/v1/images?limit=50&page=3' }, 50)).toEqual({ page: 3 });
    expect(nextPosition({ nextCursor: null, nextPage: `https://civitai.com/api/v1/images?page=${PAGE_NUMBER_CAP / 50 + 1}` }, 50)).toBeNull();
    expect(nextPosition({ nextCursor: null, nextPage: null }, 50)).toBeNull();
  });
});

describe('path templates', () => {
  const values = { id: 70123, model_id: 4007, model_name: '国风插画 GuoFeng', version_id: 100036, creator: '墨染青衣', nsfw_level: 'Soft' };

  it('renders the default and each preset', () => {
    expect(new PathTemplate('{model_id}/{id}').render(values).stem).toBe('4007/70123');
    expect(new PathTemplate('by-model').render(values).stem).toBe('4007/70123');
    expect(new PathTemplate('by-creator').render(values).stem).toBe('墨染青衣/70123');
    expect(new PathTemplate('by-nsfw').render(values).stem).toBe('Soft/70123');
    expect(new PathTemplate('by-model-name').render(values).stem).toBe('国风插画-GuoFeng/100036/70123');
    expect(Object.keys(PATH_TEMPLATE_PRESETS)).toEqual(['by-model', 'by-creator', 'by-nsfw', 'by-model-name']);
    expect(new PathTemplate('{creator}/{model_id}-{id}_{hash}').render({ ...values, contentHash: 'ab'.repeat(32) }).stem).toBe('墨染青衣/4007-70123_abababababababab');
  });

  it('sanitises hostile values into one safe segment and never leaves the output folder', () => {
    const t = new PathTemplate('{creator}/{model_name}/{id}');
    expect(t.render({ ...values, creator: '../../etc', model_name: 'a/b\\c:d*?"<>|' }).stem).toBe('etc/a-b-c-d/70123');
    expect(t.render({ ...values, creator: '..', model_name: '/' }).stem).toBe(`${MISSING_VALUES.creator}/${MISSING_VALUES.model_name}/70123`);
    expect(t.render({ ...values, creator: 'CON', model_name: 'nul.txt' }).stem).toBe('_CON/_nul.txt/70123');
    const long = t.render({ ...values, creator: '长'.repeat(200) });
    expect(Buffer.byteLength(long.dir.split('/')[0]!)).toBeLessThanOrEqual(100);
    expect(long.dir.split('/')[0]!).toMatch(/^长+$/);
    for (const stem of [t.render({ ...values, creator: '../../x' }).stem, t.render(values).stem]) {
      expect(resolveInside('/srv/images', stem).startsWith('/srv/images/')).toBe(true);
    }
    expect(() => resolveInside('/srv/images', '../outside')).toThrow(/outside/);
  });

  it('writes a clear placeholder for missing values, never "undefined"', () => {
    const stem = new PathTemplate('{model_id}/{model_name}/{version_id}/{creator}/{nsfw_level}/{id}').render({ id: 9 }).stem;
    expect(stem).toBe('no-model/no-model/no-version/unknown-creator/unknown-nsfw/9');
    expect(stem).not.toMatch(/undefined|null/);
  });

  it('rejects unusable templates before any download', () => {
    for (const [bad, reason] of [
      ['{model_id}', /does not name the image/],
      ['{creator}/{nope}', /unknown placeholder \{nope\}/],
      ['../{id}', /not safe/],
      ['/abs/{id}', /relative/],
      ['a//{id}', /empty segment/],
      ['{id', /unbalanced/],
      ['', /empty/],
    ] as const) {
      expect(() => new PathTemplate(bad), bad).toThrow(reason);
    }
  });
});

describe('metadata', () => {
  const shapes = {
    a1111: { Size: '832x1216', seed: 12345, Model: 'dreamshaper_8', steps: 30, prompt: '赛博朋克 car, neon', sampler: 'DPM++ 2M Karras', cfgScale: 7, 'Clip skip': '2', 'Hires upscale': '2', negativePrompt: 'blurry, lowres', 'Denoising strength': '0.45', 'Model hash': 'abc123' },
    civitai2024: { Size: '1024x1024', seed: '9007199254740993', steps: 25, prompt: 'ink landscape', sampler: 'Euler a', cfgScale: 5, clipSkip: 2, resources: [{ name: 'Ink LoRA', type: 'lora', hash: 'ff', weight: 0.8 }], civitaiResources: [{ type: 'checkpoint', modelVersionId: 100036 }, { type: 'lora', weight: 0.8, modelVersionId: 100201 }] },
    comfy: { prompt: 'robot', steps: '20', cfgScale: '6.5', seed: 'random', sampler: 'dpmpp_2m', width: 768, height: 512, comfy: '{"a":1}', scheduler: 'karras' },
    weird: { prompt: 42, steps: 'many', cfgScale: null, seed: -1, resources: 'nope', civitaiResources: [null, 3, { modelVersionId: 'x' }] },
  };

  it('extracts every shape without crashing, keeping seeds as strings and unknown keys in extra', () => {
    const a = extractImageMetadata(normalizeImageItem(item({ meta: shapes.a1111 })), { modelId: 4007, modelName: 'GuoFeng' });
    expect(a).toMatchObject({ prompt: '赛博朋克 car, neon', negativePrompt: 'blurry, lowres', steps: 30, cfgScale: 7, seed: '12345', clipSkip: 2, model: 'dreamshaper_8', modelHash: 'abc123', denoisingStrength: 0.45, size: { width: 832, height: 1216 }, modelId: 4007, modelName: 'GuoFeng' });
    expect(a.extra).toEqual({ 'Hires upscale': '2' });
    const b = extractImageMetadata(normalizeImageItem(item({ meta: shapes.civitai2024 })));
    expect(b.seed).toBe('9007199254740993');
    expect(b.modelVersionIds).toEqual([100036, 100201]);
    expect(b.resources.map((r) => [r.modelVersionId, r.name])).toEqual([[100036, null], [100201, 'Ink LoRA']]);
    const c = extractImageMetadata(normalizeImageItem(item({ meta: shapes.comfy })));
    expect(c).toMatchObject({ steps: 20, cfgScale: 6.5, seed: null, size: { width: 768, height: 512 }, extra: { scheduler: 'karras' } });
    const d = extractImageMetadata(normalizeImageItem(item({ meta: shapes.weird })));
    expect(d).toMatchObject({ prompt: '42', steps: null, cfgScale: null, seed: null, resources: [] });
    expect(extractImageMetadata(normalizeImageItem(item({ meta: { id: 101, meta: shapes.a1111 } }))).prompt).toBe('赛博朋克 car, neon');
    expect(extractImageMetadata(normalizeImageItem(item())).meta).toBeNull();
  });

  it('formats the A1111 parameters text', () => {
    const text = formatParameters(extractImageMetadata(normalizeImageItem(item({ meta: shapes.a1111 }))));
    expect(text.split('\n')).toEqual([
      '赛博朋克 car, neon',
      'Negative prompt: blurry, lowres',
      'Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 12345, Size: 832x1216, Model: dreamshaper_8, Clip skip: 2, Denoising strength: 0.45, Hires upscale: 2, Model hash: abc123',
    ]);
    expect(formatParameters(extractImageMetadata(normalizeImageItem(item())))).toBe('');
  });
});

describe('EXIF', () => {
  const text = '水墨山水，远山与孤舟, masterpiece\nNegative prompt: 模糊\nSteps: 30, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512';
  const decodeUserComment = (value: number[]) => Buffer.from(value.slice(8)).swap16().toString('utf16le');

  for (const format of ['jpeg', 'png', 'webp'] as const) {
    it(`embeds Unicode EXIF into ${format} without touching the pixels, readable by exifreader`, async () => {
      const source = sharp({ create: { width: 40, height: 24, channels: 3, background: { r: 10, g: 120, b: 200 } } });
      const original = await (format === 'webp' ? source.webp({ lossless: true }) : source.toFormat(format)).toBuffer();
      const tagged = embedExif(original, buildExif({ imageDescription: '水墨', artist: '墨染青衣', software: 'Huaku', userComment: text, xpComment: text, dateTime: new Date('2024-04-04T12:00:00Z') }));
      const tags = ExifReader.load(tagged);
      expect(decodeUserComment((tags.UserComment as { value: number[] }).value)).toBe(text);
      expect(tags.XPComment?.description).toBe(text);
      expect(tags.Artist?.description).toBe('墨染青衣');
      expect(tags.DateTime?.description).toBe('2024:04:04 12:00:00');
      const [before, after] = await Promise.all([original, tagged].map((b) => sharp(b).raw().toBuffer()));
      expect(after!.equals(before!)).toBe(true);
      // embedding again replaces the block instead of stacking a second one
      const twice = embedExif(tagged, buildExif({ userComment: 'second' }));
      expect(decodeUserComment((ExifReader.load(twice).UserComment as { value: number[] }).value)).toBe('second');
    });
  }

  it('cuts a prompt too long for a JPEG segment instead of failing', () => {
    const block = buildExifThatFits({ userComment: '长'.repeat(60_000), xpComment: '长'.repeat(60_000) });
    expect(block.length).toBeLessThanOrEqual(65_527);
  });

  it('refuses formats it cannot write', async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } }).gif().toBuffer();
    expect(() => embedExif(gif, buildExif({ userComment: 'x' }))).toThrow(/gif/);
  });
});

describe('ImageDownloadTask', () => {
  it('moves queued → downloading → done and refuses transitions the diagram lacks', () => {
    const task = new ImageDownloadTask({ id: 't1', imageId: 1, imageUrl: 'https://x/1.png' });
    expect(task.status).toBe('queued');
    task.transition('downloading');
    task.received(50, 200);
    expect(task.progress).toBe(0.25);
    task.transition('done', { imagePath: '/tmp/1.png' });
    expect(task.progress).toBe(1);
    expect(task.imagePath).toBe('/tmp/1.png');
    expect(() => task.transition('downloading')).toThrow(/cannot go from done to downloading/);
    const failed = new ImageDownloadTask({ id: 't2', imageId: 2, imageUrl: 'https://x/2.png' });
    failed.transition('failed', { error: 'boom' });
    expect(failed.toJSON()).toMatchObject({ status: 'failed', error: 'boom', progress: 0 });
    expect(() => failed.transition('done')).toThrow();
  });
});

describe('TTY progress', () => {
  it('draws one line for the run and one bar per download, redrawn in place', () => {
    let screen = '';
    const progress = new TtyProgress({ isTTY: true, columns: 100, write: (text) => ((screen += text), true) }, { intervalMs: 0 });
    const a = new ImageDownloadTask({ id: 'a', imageId: 70001, imageUrl: 'https://x/a.png' });
    const b = new ImageDownloadTask({ id: 'b', imageId: 70002, imageUrl: 'https://x/b.png' });
    progress.onTask(a);
    progress.onTask(b);
    a.transition('downloading');
    a.received(512, 1024);
    progress.onTask(a);
    expect(progress.lines()).toEqual([
      expect.stringMatching(/^\[░+\] 0\/2 images · 0 done · 0 skipped · 0 failed · 0\.5 KiB$/),
      expect.stringMatching(/^ {2}70001 +\[█{10}░{10}\] +50% 0\.5 KiB$/),
    ]);
    a.transition('done');
    b.transition('skipped', { skipReason: 'exists' });
    progress.onTask(a);
    progress.finish();
    expect(progress.lines()).toEqual([expect.stringMatching(/^\[█+\] 2\/2 images · 1 done · 1 skipped · 0 failed/)]);
    expect(screen).toContain('\x1b[2F\x1b[J'); // moved back over the two lines drawn before
  });
});
