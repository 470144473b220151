import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheFileError, cachePaths, isFresh, readCache, safeTask, serializeCache, writeCache } from './cache-file.ts';
import { sampleLora } from './test-helpers.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-ms-cache-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const leftovers = (d: string) => fs.readdirSync(d).filter((name) => name.endsWith('.tmp'));

describe('Top-LoRAs cache file', () => {
  it('makes tasks filesystem-safe', () => {
    expect(safeTask('text-to-image-synthesis')).toBe('text-to-image-synthesis');
    expect(safeTask('../../etc/passwd')).toBe('etc_passwd');
    expect(safeTask('图生 视频/v2')).toBe('v2');
    expect(safeTask('a b:c*d')).toBe('a_b_c_d');
    expect(safeTask('..')).toBe('all');
  });

  it('puts files where the seed says, and one per task with --per-task-cache', () => {
    const baseDir = '/work/x';
    expect(cachePaths({ task: 'text-to-image-synthesis', baseDir })).toEqual({
      cacheFile: '/work/x/cache/top_loras_text-to-image-synthesis.json',
      imagesDir: '/work/x/cache/images/text-to-image-synthesis',
    });
    expect(cachePaths({ task: 'image-to-video', cacheFile: 'out/loras.json', imagesDir: 'imgs', baseDir })).toEqual({
      cacheFile: '/work/x/out/loras.json',
      imagesDir: '/work/x/imgs',
    });
    expect(cachePaths({ task: 'image-to-video', cacheFile: 'out/loras.json', imagesDir: '/abs/imgs', perTaskCache: true, baseDir })).toEqual({
      cacheFile: '/work/x/out/loras_image-to-video.json',
      imagesDir: '/abs/imgs/image-to-video',
    });
  });

  it('writes {_cached_at: ISO, results} and reads it back', async () => {
    const file = path.join(dir, 'a', 'top_loras_t.json');
    const at = new Date('2025-11-10T08:00:00.000Z');
    await writeCache(file, [sampleLora('o/n', 5)], at);
    const text = fs.readFileSync(file, 'utf8');
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['_cached_at', 'results']);
    expect(text).toContain('"_cached_at": "2025-11-10T08:00:00.000Z"');
    expect(text).toContain('墨韵山水'); // UTF-8, not \u escapes
    expect(await readCache(file)).toEqual({ cachedAt: at, results: [sampleLora('o/n', 5)] });
    expect(leftovers(path.dirname(file))).toEqual([]);
  });

  it('reads older caches: _cached_at in Unix seconds, unknown fields ignored, missing fields filled', async () => {
    const file = path.join(dir, 'old.json');
    fs.writeFileSync(file, JSON.stringify({
      _cached_at: 1762761600.25,
      _generator: 'fetch_top_models.py',
      results: [{ id: 'o/n', title_en: 'n', downloads: 3, cover_local: 'cache/images/t/n.png', stable_diffusion_version: 'SDXL', trigger_words: null, aigc_attributes: '{}' }],
    }));
    const cache = await readCache(file, 'text-to-image-synthesis');
    expect(cache!.cachedAt.toISOString()).toBe('2025-11-10T08:00:00.250Z');
    expect(cache!.results[0]).toMatchObject({ id: 'o/n', title_cn: 'n', downloads: 3, trigger_words: [], tags_cn: [], task: 'text-to-image-synthesis', cover_url: null });
    expect(cache!.results[0]).not.toHaveProperty('aigc_attributes');
    expect(cache!.results[0]).not.toHaveProperty('stable_diffusion_version');
  });

  it('returns null for a missing cache and a CacheFileError for an unreadable one', async () => {
    expect(await readCache(path.join(dir, 'none.json'))).toBeNull();
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"_cached_at": "yesterday", "results": []}');
    await expect(readCache(bad)).rejects.toThrow(CacheFileError);
    fs.writeFileSync(bad, '{"_cached_at": 17');
    await expect(readCache(bad)).rejects.toThrow(/not JSON/);
  });

  it('is fresh for ten minutes, never when dated in the future', () => {
    const cache = { cachedAt: new Date('2025-11-10T08:00:00Z'), results: [] };
    expect(isFresh(cache, new Date('2025-11-10T08:09:59Z'))).toBe(true);
    expect(isFresh(cache, new Date('2025-11-10T08:10:00Z'))).toBe(false);
    expect(isFresh(cache, new Date('2025-11-10T07:59:00Z'))).toBe(false);
  });

  it('serializes nothing but the records it is given', () => {
    const text = serializeCache([sampleLora('o/n')], new Date(0));
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toMatch(/aigc/i);
  });
});
