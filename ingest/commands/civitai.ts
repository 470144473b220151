// `ingest civitai images …`: mirror Civitai images into a folder (ImageDownloader), or with --catalog into
// the catalogue (ledger stages). Every bad flag is a UsageError (exit 2) naming it and what it expects.
import path from 'node:path';
import type { Config } from '../../src/core/env.ts';
import { InvalidInputError } from '../../src/core/errors.ts';
import { HostPool } from '../http/host-pool.ts';
import { PoliteHttpClient } from '../http/polite-http-client.ts';
import { CivitaiClient, MAX_PAGE_SIZE, RESERVED_IMAGE_PARAMS, type ImageFilters } from '../sources/civitai/civitai-client.ts';
import { DEFAULT_IMAGE_DOWNLOAD_CONFIG, DUPLICATE_POLICIES, ImageDownloader, type DuplicatePolicy } from '../sources/civitai/image-downloader.ts';
import { METADATA_FORMATS, type MetadataFormat } from '../sources/civitai/metadata.ts';
import { parseNsfwLevels, type NsfwLevel } from '../sources/civitai/nsfw.ts';
import { PathTemplate } from '../sources/civitai/path-template.ts';
import { TtyProgress } from '../sources/civitai/progress.ts';
import { runCivitaiCrawl } from '../sources/civitai/run-civitai-crawl.ts';
import { interruptible, runCatalogCommand } from './catalog-run.ts';
import { UsageError, type CommandRunner, type CommandContext } from './command.ts';
import { positiveInt, requestRate } from './flag-values.ts';

type Flags = CommandContext['flags'];

export type CivitaiTarget =
  | { mode: 'model'; id: number }
  | { mode: 'version'; id: number }
  | { mode: 'creator'; username: string }
  | { mode: 'filter'; filters: ImageFilters }
  | { mode: 'image'; id: number };

/** A whole number ≥ 0 (`--limit 0` means no limit). */
function nonNegativeInt(flag: string, value: string | boolean | undefined, fallback: number): number {
  return value === '0' ? 0 : positiveInt(flag, value, fallback);
}

/** `key=value` pairs from `--filter a=1&b=2` and extra positionals; numbers stay numbers. */
export function parseFilters(texts: string[]): ImageFilters {
  const filters: ImageFilters = {};
  for (const text of texts) {
    for (const pair of text.split('&').filter(Boolean)) {
      const at = pair.indexOf('=');
      if (at <= 0) throw new UsageError(`--filter "${pair}": expected key=value (e.g. --filter 'baseModels=SDXL 1.0&period=Week')`);
      const key = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if ((RESERVED_IMAGE_PARAMS as readonly string[]).includes(key)) throw new UsageError(`--filter ${key}: set by the downloader (use --limit and --nsfw)`);
      filters[key] = /^\d+$/.test(value) ? Number(value) : value === 'true' ? true : value === 'false' ? false : value;
    }
  }
  if (Object.keys(filters).length === 0) throw new UsageError('--filter: give at least one key=value');
  return filters;
}

/** Which images: exactly one of --model, --version, --creator, --filter, --image. */
export function civitaiTarget(flags: Flags, extraFilters: string[]): CivitaiTarget {
  const given = ['model', 'version', 'creator', 'filter', 'image'].filter((name) => flags[name] !== undefined);
  if (given.length !== 1) throw new UsageError(`choose exactly one of --model, --version, --creator, --filter, --image${given.length ? ` (got ${given.map((g) => `--${g}`).join(', ')})` : ''}`);
  const id = (flag: string) => positiveInt(flag, flags[flag], 0, Number.MAX_SAFE_INTEGER);
  switch (given[0]) {
    case 'model': return { mode: 'model', id: id('model') };
    case 'version': return { mode: 'version', id: id('version') };
    case 'image': return { mode: 'image', id: id('image') };
    case 'creator': {
      const username = String(flags.creator).trim();
      if (!username) throw new UsageError('--creator: give a username');
      return { mode: 'creator', username };
    }
    default: return { mode: 'filter', filters: parseFilters([String(flags.filter), ...extraFilters]) };
  }
}

function nsfwLevels(flags: Flags): readonly NsfwLevel[] {
  if (flags.nsfw === undefined) return DEFAULT_IMAGE_DOWNLOAD_CONFIG.defaultNsfwFilter;
  try {
    return parseNsfwLevels(String(flags.nsfw));
  } catch (error) {
    throw new UsageError(`--nsfw: ${(error as InvalidInputError).message}`);
  }
}

/** "256" or "256x192". */
export function parseThumbnailSize(value: string): [number, number] {
  const match = /^(\d+)(?:x(\d+))?$/i.exec(value.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2] ?? match?.[1]);
  if (!match || width < 16 || height < 16 || width > 4096 || height > 4096) throw new UsageError(`--thumbnails "${value}": expected a size in pixels, 256 or 256x192 (16–4096)`);
  return [width, height];
}

const FOLDER_FLAGS = ['out', 'template', 'metadata', 'thumbnails', 'on-duplicate', 'skip-existing'];

/** The folder download's configuration from flags. */
export function downloaderOptions(flags: Flags, cwd: string) {
  const metadata = String(flags.metadata ?? 'json');
  if (metadata !== 'none' && !(METADATA_FORMATS as readonly string[]).includes(metadata)) throw new UsageError(`--metadata "${metadata}": expected json, txt, exif or none`);
  const onDuplicate = String(flags['on-duplicate'] ?? 'skip');
  if (!(DUPLICATE_POLICIES as readonly string[]).includes(onDuplicate)) throw new UsageError(`--on-duplicate "${onDuplicate}": expected ${DUPLICATE_POLICIES.join(', ')}`);
  const pathTemplate = String(flags.template ?? DEFAULT_IMAGE_DOWNLOAD_CONFIG.pathTemplate);
  try {
    new PathTemplate(pathTemplate);
  } catch (error) {
    throw new UsageError(`--template: ${(error as Error).message}`);
  }
  return {
    outputPath: path.resolve(cwd, String(flags.out ?? DEFAULT_IMAGE_DOWNLOAD_CONFIG.outputPath)),
    pathTemplate,
    metadataFormat: (metadata === 'none' ? 'json' : metadata) as MetadataFormat,
    saveMetadata: metadata !== 'none',
    defaultNsfwFilter: nsfwLevels(flags),
    maxConcurrent: positiveInt('concurrency', flags.concurrency, DEFAULT_IMAGE_DOWNLOAD_CONFIG.maxConcurrent, 64),
    skipExisting: flags['skip-existing'] !== false,
    generateThumbnails: flags.thumbnails !== undefined,
    thumbnailSize: flags.thumbnails !== undefined ? parseThumbnailSize(String(flags.thumbnails)) : DEFAULT_IMAGE_DOWNLOAD_CONFIG.thumbnailSize,
    onDuplicate: onDuplicate as DuplicatePolicy,
    pageSize: positiveInt('page-size', flags['page-size'], DEFAULT_IMAGE_DOWNLOAD_CONFIG.pageSize, MAX_PAGE_SIZE),
  };
}

function limitOf(flags: Flags, target: CivitaiTarget): number {
  // The seed's defaults: everything for a model or version, 20 for a creator or a filter.
  const fallback = target.mode === 'creator' || target.mode === 'filter' ? 20 : 0;
  return nonNegativeInt('limit', flags.limit, fallback);
}

async function runFolder(context: CommandContext, target: CivitaiTarget): Promise<number> {
  const { config, flags, log, out } = context;
  const options = downloaderOptions(flags, context.cwd);
  const http = civitaiHttp(config, flags, options.maxConcurrent, log);
  const progress = process.stderr.isTTY ? new TtyProgress(process.stderr) : undefined;
  const downloader = new ImageDownloader({ ...options, video: config.video, http, api: new CivitaiClient(http, config.ingest.civitai), log, progress });
  const abort = interruptible(out, 'interrupted: finishing the images in flight (a rerun skips what is done)…');
  const limit = limitOf(flags, target);
  const common = { limit, signal: abort.signal };
  try {
    out(`civitai images → ${options.outputPath} (template ${options.pathTemplate}, metadata ${options.saveMetadata ? options.metadataFormat : 'none'}, NSFW ${options.defaultNsfwFilter.join(',')}, ${options.maxConcurrent} at a time)`);
    if (target.mode === 'model') await downloader.downloadModelImages(target.id, common);
    else if (target.mode === 'version') await downloader.downloadVersionImages(target.id, common);
    else if (target.mode === 'creator') await downloader.downloadCreatorImages(target.username, common);
    else if (target.mode === 'filter') await downloader.downloadFilteredImages(target.filters, common);
    else await downloader.downloadSingleImage(target.id, { signal: abort.signal });
  } finally {
    progress?.finish();
    abort.dispose();
    await http.close();
  }
  const tasks = downloader.getAllTasks();
  for (const task of tasks.filter((t) => t.status === 'failed')) out(`failed  ${task.imageId}: ${task.error}`);
  const s = downloader.summary();
  const reasons = (reason: string) => tasks.filter((t) => t.skipReason === reason).length;
  out(
    `${s.done} downloaded, ${s.skipped} skipped (${reasons('exists')} already there, ${reasons('duplicate-url') + reasons('duplicate-content')} duplicates, ` +
      `${reasons('not-an-image')} not images), ${s.failed} failed, ${s.filteredByNsfw} dropped by the NSFW filter; ${(s.bytes / 1024).toFixed(1)} KiB`,
  );
  if (abort.signal.aborted) return 130;
  return s.failed > 0 ? 1 : 0;
}

function civitaiHttp(config: Config, flags: Flags, media: number, log: CommandContext['log']): HostPool {
  const rps = requestRate('rps', flags.rps, config.ingest.rps);
  return new HostPool(() => new PoliteHttpClient({ rps, stageConcurrency: { list: 1, detail: 2, media }, logger: log }));
}

async function runCatalog(context: CommandContext, target: CivitaiTarget): Promise<number> {
  const { config, flags } = context;
  const misplaced = FOLDER_FLAGS.filter((name) => flags[name] !== undefined);
  if (misplaced.length > 0) throw new UsageError(`${misplaced.map((m) => `--${m}`).join(', ')}: folder options do not apply with --catalog (the catalogue keeps media in the blob store)`);
  const filters: ImageFilters =
    target.mode === 'model' ? { modelId: target.id }
      : target.mode === 'version' ? { modelVersionId: target.id }
        : target.mode === 'creator' ? { username: target.username }
          : target.mode === 'image' ? { imageId: target.id }
            : target.filters;
  const media = positiveInt('concurrency', flags.concurrency, DEFAULT_IMAGE_DOWNLOAD_CONFIG.maxConcurrent, 64);
  const options = {
    command: flags['retry-failed'] === true ? ('retry-failed' as const) : ('crawl' as const),
    rps: requestRate('rps', flags.rps, config.ingest.rps),
    maxAttempts: positiveInt('max-attempts', flags['max-attempts'], config.ingest.maxAttempts, 20),
    crawl: {
      filters: { sort: 'Newest' as const, ...filters },
      levels: nsfwLevels(flags),
      limit: limitOf(flags, target),
      pageSize: positiveInt('page-size', flags['page-size'], DEFAULT_IMAGE_DOWNLOAD_CONFIG.pageSize, MAX_PAGE_SIZE),
      concurrency: { list: 1, models: 2, media },
    },
  };
  return runCatalogCommand(context, (deps) => runCivitaiCrawl(deps, options));
}

export const civitaiCommand: CommandRunner = {
  async run(context) {
    const [sub, ...rest] = context.positionals;
    if (sub !== 'images') throw new UsageError(sub ? `unknown sub-command "${sub}": expected images` : 'missing sub-command: civitai images …');
    if (rest.length > 0 && context.flags.filter === undefined) throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
    const target = civitaiTarget(context.flags, rest);
    return context.flags.catalog === true ? runCatalog(context, target) : runFolder(context, target);
  },
};
