// The Top-LoRAs cache file (seed 001's data contract): `{ "_cached_at": ISO timestamp, "results": [...] }`,
// one file per task, written atomically (a temp file in the same directory, then rename), so a reader (the
// site, the daily artifact, a rerun) only ever sees a complete old file or a complete new one.
// Readers ignore unknown fields, accept `_cached_at` as Unix seconds (older caches of this kind wrote
// `time.time()`), and fill fields older caches lack with empty values.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { formatJsonPath } from '../../../src/core/errors.ts';
import { writeFileAtomic } from '../../../src/core/fs/atomic-write.ts';
import type { TopLora } from './normalize.ts';

/** A cache younger than this is reused without `--force-refresh` (seed §10: 10 minutes). */
export const CACHE_MAX_AGE_MS = 10 * 60 * 1000;
const DEFAULT_CACHE_DIR = 'cache';

/** A filesystem-safe form of a task name: letters, digits, `.`, `_`, `-`; anything else becomes `_`. */
export function safeTask(task: string): string {
  const safe = task
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 100);
  return safe || 'all';
}

export interface CachePathOptions {
  task: string;
  /** `--cache-file`: used as given, or as the pattern of one file per task with `perTaskCache`. */
  cacheFile?: string;
  /** `--images-dir`: used as given, or with a `{safe_task}` subfolder with `perTaskCache`. */
  imagesDir?: string;
  perTaskCache?: boolean;
  /** Relative paths resolve against this directory (the working directory). */
  baseDir: string;
}

/**
 * Where a task's cache file and covers go. Defaults (the seed's): `cache/top_loras_{safe_task}.json` and
 * `cache/images/{safe_task}/`. With `--per-task-cache`, an explicit `--cache-file out/loras.json` becomes
 * `out/loras_{safe_task}.json` and `--images-dir imgs` becomes `imgs/{safe_task}`.
 */
export function cachePaths(options: CachePathOptions): { cacheFile: string; imagesDir: string } {
  const safe = safeTask(options.task);
  const resolve = (p: string) => path.resolve(options.baseDir, p);
  let cacheFile = resolve(path.join(DEFAULT_CACHE_DIR, `top_loras_${safe}.json`));
  if (options.cacheFile) {
    cacheFile = resolve(options.cacheFile);
    if (options.perTaskCache) {
      const ext = path.extname(cacheFile) || '.json';
      cacheFile = path.join(path.dirname(cacheFile), `${path.basename(cacheFile, path.extname(cacheFile))}_${safe}${ext}`);
    }
  }
  let imagesDir = resolve(path.join(DEFAULT_CACHE_DIR, 'images', safe));
  if (options.imagesDir) imagesDir = options.perTaskCache ? path.join(resolve(options.imagesDir), safe) : resolve(options.imagesDir);
  return { cacheFile, imagesDir };
}

export interface TopLorasCache {
  cachedAt: Date;
  results: TopLora[];
}

const str = z.string().nullish().catch(null).transform((v) => v ?? null);
const strings = z.array(z.string()).nullish().catch(null).transform((v) => v ?? []);
const num = z.number().nullish().catch(null).transform((v) => v ?? 0);

const cachedResultSchema = z.object({
  id: z.string().min(1),
  title_cn: str,
  title_en: str,
  cover_url: str,
  cover_local: str,
  downloads: num,
  modelscope_url: str,
  updated_at: str,
  author: str,
  avatar: str,
  user_name: str,
  likes: num,
  license: str,
  tags_cn: strings,
  tags_en: strings,
  base_models: strings,
  trigger_words: strings,
  vision_foundation: str,
  task: str,
  supports_inference: z.boolean().nullish().catch(null).transform((v) => v ?? false),
  model_files: z
    .array(z.object({ name: z.string(), sha256: str, size: z.number().nullish().catch(null).transform((v) => v ?? null) }))
    .nullish()
    .catch(null)
    .transform((v) => v ?? []),
});

/** ISO 8601, or Unix seconds (milliseconds when the number is too large for seconds). */
const cachedAtSchema = z.union([
  z.iso.datetime({ offset: true }).transform((v) => new Date(v)),
  z.number().positive().transform((v) => new Date(v > 100_000_000_000 ? v : v * 1000)),
]);

const cacheSchema = z.object({ _cached_at: cachedAtSchema, results: z.array(cachedResultSchema) });

/** The file exists but is not a Top-LoRAs cache (truncated by hand, another format): refetch. */
export class CacheFileError extends Error {
  constructor(file: string, reason: string) {
    super(`${file} is not a readable Top-LoRAs cache: ${reason}`);
    this.name = 'CacheFileError';
  }
}

/** The cache, or null when the file does not exist. Throws CacheFileError when it cannot be read as one. */
export async function readCache(file: string, task?: string): Promise<TopLorasCache | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CacheFileError(file, (error as Error).message);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CacheFileError(file, `not JSON (${(error as Error).message})`);
  }
  const parsed = cacheSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CacheFileError(file, `${formatJsonPath(issue.path) || '(root)'}: ${issue.message}`);
  }
  return {
    cachedAt: parsed.data._cached_at,
    results: parsed.data.results.map((r) => ({
      ...r,
      title_en: r.title_en ?? r.id.split('/').pop() ?? r.id,
      title_cn: r.title_cn ?? r.title_en ?? r.id,
      modelscope_url: r.modelscope_url ?? '',
      task: r.task ?? task ?? '',
    })),
  };
}

/** The file's exact text: `_cached_at` first, then `results`, two-space indented, UTF-8 (Chinese kept as is). */
export function serializeCache(results: readonly TopLora[], cachedAt: Date): string {
  return `${JSON.stringify({ _cached_at: cachedAt.toISOString(), results }, null, 2)}\n`;
}

export async function writeCache(file: string, results: readonly TopLora[], cachedAt: Date): Promise<void> {
  await writeFileAtomic(file, serializeCache(results, cachedAt));
}

/** Age of a cache at `now`; a cache dated in the future counts as stale (a clock moved back, a hand edit). */
export function isFresh(cache: TopLorasCache, now: Date, maxAgeMs = CACHE_MAX_AGE_MS): boolean {
  const age = now.getTime() - cache.cachedAt.getTime();
  return age >= 0 && age < maxAgeMs;
}
