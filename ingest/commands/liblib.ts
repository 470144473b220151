import fs from 'node:fs';
import { z } from 'zod';
import type { Config } from '../../src/core/env.ts';
import { createStore } from '../../src/core/store/create-store.ts';
import { LIBLIB_SORTS, type LiblibSort } from '../sources/liblib/liblib-client.ts';
import type { LiblibCategory, LiblibCrawlOptions } from '../sources/liblib/liblib-crawl.ts';
import { crashPoints } from '../pipeline/crash-points.ts';
import { runLiblib, type LiblibRunOptions } from '../sources/liblib/run-liblib.ts';
import { runCatalogCommand } from './catalog-run.ts';
import { UsageError, type CommandRunner, type CommandContext } from './command.ts';
import { parsePageRange, positiveInt, requestRate } from './flag-values.ts';

const categoriesFile = new URL('../sources/liblib/categories.json', import.meta.url);

export function loadCategories(): Record<string, LiblibCategory> {
  const parsed = z
    .object({ categories: z.record(z.string(), z.object({ tagId: z.number().int(), slug: z.string().regex(/^[a-z0-9-]+$/) })) })
    .parse(JSON.parse(fs.readFileSync(categoriesFile, 'utf8')));
  return Object.fromEntries(Object.entries(parsed.categories).map(([name, c]) => [name, { name, ...c }]));
}

/** Flags → run options; every bad flag is a UsageError (exit 2) naming it and what it expects. */
export function liblibRunOptions(config: Config, flags: CommandContext['flags'], command: LiblibRunOptions['command']): LiblibRunOptions {
  const categories = loadCategories();
  const categoryName = String(flags.category ?? '汽车交通');
  const category = categories[categoryName];
  if (!category) throw new UsageError(`--category "${categoryName}": unknown; known: ${Object.keys(categories).join(', ')} (add one in ingest/sources/liblib/categories.json)`);
  const sort = String(flags.sort ?? 'latest');
  if (!(sort in LIBLIB_SORTS)) throw new UsageError(`--sort "${sort}": expected ${Object.keys(LIBLIB_SORTS).join(' or ')}`);
  const keyword = flags.keyword === undefined ? null : String(flags.keyword).trim();
  if (keyword !== null && (keyword === '' || keyword.length > 100)) throw new UsageError(`--keyword "${String(flags.keyword)}": expected 1–100 characters of search text (e.g. --keyword 汽车)`);
  const mode = String(flags.mode ?? 'full');
  if (mode !== 'full' && mode !== 'incremental') throw new UsageError(`--mode "${mode}": expected full or incremental`);
  const media = positiveInt('media-concurrency', flags['media-concurrency'], config.ingest.concurrency.media, 64);
  const crawl: LiblibCrawlOptions = {
    category,
    sort: sort as LiblibSort,
    keyword,
    mode,
    pages: parsePageRange(String(flags.pages ?? '1-')),
    pageSize: positiveInt('page-size', flags['page-size'], 30, 100),
    maxWorks: flags['max-works'] === undefined ? null : positiveInt('max-works', flags['max-works'], 0),
    incrementalWindow: positiveInt('window', flags.window, 30),
    comments: flags.comments === true,
    pnginfo: flags.pnginfo === true,
    authors: flags.authors !== false,
    concurrency: {
      list: positiveInt('list-concurrency', flags['list-concurrency'], config.ingest.concurrency.list, 64),
      detail: positiveInt('detail-concurrency', flags['detail-concurrency'], config.ingest.concurrency.detail, 64),
      author: 2,
      comments: 2,
      media,
    },
  };
  return {
    crawl,
    command,
    rps: requestRate('rps', flags.rps, config.ingest.rps),
    maxAttempts: positiveInt('max-attempts', flags['max-attempts'], config.ingest.maxAttempts, 20),
  };
}

export function runLiblibCommand(context: CommandContext, options: LiblibRunOptions): Promise<number> {
  // Test only: null unless TEST_CRASH_AT is set (the crash-resume test).
  const crashes = crashPoints(context.config.testing.crashAt);
  return runCatalogCommand(context, (deps) => runLiblib({ ...deps, crashPoints: crashes }, options));
}

export const liblibCommand: CommandRunner = {
  run: (context) => runLiblibCommand(context, liblibRunOptions(context.config, context.flags, 'crawl')),
};

export const retryFailedCommand: CommandRunner = {
  async run(context) {
    const { config, flags, out } = context;
    if ((flags.source ?? 'liblib') !== 'liblib') throw new UsageError(`--source "${String(flags.source)}": only liblib has a failure queue yet`);
    const options = liblibRunOptions(config, flags, 'retry-failed');
    const limit = positiveInt('limit', flags.limit, config.ingest.maxAttempts * 2, 100);
    const store = await createStore(config.database);
    let requeued: number;
    try {
      await store.assertMigrated();
      requeued = await store.ledger.requeueFailed('liblib', { stage: typeof flags.stage === 'string' ? flags.stage : undefined, maxAttempts: limit });
    } finally {
      await store.close();
    }
    out(`requeued ${requeued} failed unit(s) with fewer than ${limit} attempts`);
    // Requeued units are pending again, so every attempt they had is behind them: allow one more round.
    return runLiblibCommand(context, { ...options, maxAttempts: limit });
  },
};
