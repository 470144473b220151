// `ingest toploras`: seed 001's fetch_top_models CLI. The top LoRAs of a ModelScope task by downloads into
// `cache/top_loras_{safe_task}.json` (+ covers in `cache/images/{safe_task}/`) and into the catalogue.
import { createBlobStore } from '../../src/core/blob/create-blob-store.ts';
import type { BlobStore } from '../../src/core/blob/blob-store.ts';
import { createStore } from '../../src/core/store/create-store.ts';
import type { Store } from '../../src/core/store/store.ts';
import { CACHE_MAX_AGE_MS, cachePaths } from '../sources/modelscope/cache-file.ts';
import { NO_COVER_URL } from '../sources/modelscope/covers.ts';
import { runTopLoras, type TopLorasOptions, type TopLorasResult } from '../sources/modelscope/top-loras.ts';
import { UsageError, type CommandRunner, type CommandContext } from './command.ts';
import { positiveInt } from './flag-values.ts';

export const DEFAULT_TASK = 'text-to-image-synthesis';
export const DEFAULT_LIMIT = 20;

export interface TopLorasCommandOptions {
  runs: Array<Omit<TopLorasOptions, 'now' | 'httpOptions'>>;
  catalogue: boolean;
}

/** Flags → one run per task; bad flags are UsageErrors (exit 2). */
export function topLorasOptions(flags: CommandContext['flags'], baseDir: string): TopLorasCommandOptions {
  const tasks = String(flags.task ?? DEFAULT_TASK).split(',').map((t) => t.trim()).filter(Boolean);
  if (tasks.length === 0) throw new UsageError('--task: expected a ModelScope task name, e.g. text-to-image-synthesis (several: a,b)');
  if (new Set(tasks).size !== tasks.length) throw new UsageError(`--task "${String(flags.task)}": a task is named twice`);
  const perTaskCache = flags['per-task-cache'] === true;
  const cacheFile = typeof flags['cache-file'] === 'string' ? flags['cache-file'] : undefined;
  if (cacheFile !== undefined && cacheFile.trim() === '') throw new UsageError('--cache-file: expected a file path');
  if (tasks.length > 1 && cacheFile !== undefined && !perTaskCache) {
    throw new UsageError('--cache-file with several tasks: add --per-task-cache (one file per task: <name>_<task>.json)');
  }
  const limit = positiveInt('limit', flags.limit, DEFAULT_LIMIT, 500);
  const imagesDir = typeof flags['images-dir'] === 'string' ? flags['images-dir'] : undefined;
  return {
    catalogue: flags.catalog !== false,
    runs: tasks.map((task) => ({
      task,
      limit,
      forceRefresh: flags['force-refresh'] === true,
      covers: flags.covers !== false,
      baseDir,
      ...cachePaths({ task, cacheFile, imagesDir, perTaskCache, baseDir }),
    })),
  };
}

/** A one-line progress bar on a terminal (stderr), nothing otherwise. */
export function coverProgress(stream: { isTTY?: boolean; write(text: string): unknown }): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (done, total) => {
    if (total === 0) return;
    const width = 24;
    const filled = Math.round((done / total) * width);
    stream.write(`\r  封面 covers [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

const rel = (file: string, baseDir: string) => (file.startsWith(`${baseDir}/`) ? file.slice(baseDir.length + 1) : file);

/** The run, as lines for the terminal (Chinese first, as the seed's messages). */
export function renderTopLoras(result: TopLorasResult, options: { limit: number; baseDir: string; now: Date }): string[] {
  const lines: string[] = [];
  const cacheFile = rel(result.cacheFile, options.baseDir);
  if (result.reused) {
    const minutes = Math.max(0, Math.floor((options.now.getTime() - result.cachedAt.getTime()) / 60_000));
    lines.push(`  使用 ${minutes} 分钟前的缓存 ${cacheFile}（${CACHE_MAX_AGE_MS / 60_000} 分钟内有效；--force-refresh 重新获取）: reused the fresh cache, nothing fetched`);
  } else {
    if (result.unreadableCache) lines.push(`  the old cache could not be read and was replaced (${result.unreadableCache})`);
    lines.push(`  fetched ${result.pages} page(s), ${result.http.requests} request(s)${result.http.retries ? `, ${result.http.retries} retried` : ''}${result.authenticated ? ', with MODELSCOPE_API_TOKEN after an anonymous 401' : ''}`);
  }
  const malformed = result.skipped.filter((s) => s.reason === 'malformed');
  if (malformed.length > 0) {
    lines.push(`  警告：跳过 ${malformed.length} 个格式异常的条目 (malformed items skipped):`);
    for (const item of malformed.slice(0, 10)) {
      lines.push(`    - ${item.id ?? `item ${item.index}`}: ${item.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    }
    if (malformed.length > 10) lines.push(`    … and ${malformed.length - 10} more`);
  }
  const notLora = result.skipped.length - malformed.length;
  if (notLora > 0) lines.push(`  left out ${notLora} item(s) that are not LoRAs (AigcType)`);
  if (result.exhausted) lines.push(`  没有更多内容：只有 ${result.results.length} 个 LoRA（要求 ${options.limit}）`);
  if (!result.reused && result.covers.length > 0) {
    const saved = result.covers.filter((c) => c.file).length;
    const none = result.covers.filter((c) => c.error === NO_COVER_URL).length;
    const failed = result.covers.filter((c) => !c.file && c.error !== NO_COVER_URL);
    const retried = result.covers.filter((c) => c.authenticatedRetry);
    lines.push(
      `  covers: ${saved} saved to ${rel(result.imagesDir, options.baseDir)}/` +
        (none ? `, ${none} listed without a cover` : '') +
        (failed.length ? `, ${failed.length} failed` : '') +
        (none + failed.length ? ' (cover_local: null: the site shows a placeholder)' : '') +
        (retried.length ? `; authenticated retry with MODELSCOPE_API_TOKEN: ${retried.filter((c) => c.file).length} of ${retried.length} recovered` : ''),
    );
    for (const cover of failed.slice(0, 8)) lines.push(`    - ${cover.id}: ${cover.error}`);
    if (failed.length > 8) lines.push(`    … and ${failed.length - 8} more`);
  }
  if (!result.reused) lines.push(`  wrote ${cacheFile} (${result.results.length} results, _cached_at ${result.cachedAt.toISOString()})`);
  if (result.catalogue) {
    const byMethod = new Map<string, number>();
    for (const link of result.catalogue.links.links) byMethod.set(link.method, (byMethod.get(link.method) ?? 0) + 1);
    const how = [...byMethod].map(([method, n]) => `${n} by ${method}`).join(', ');
    lines.push(
      `  catalogue: ${result.catalogue.loras.length} LoRAs upserted, ${result.catalogue.coversStored} new cover(s) and ${result.catalogue.thumbnailsStored} WebP thumbnail(s) stored` +
        `${result.runId ? ` (run ${result.runId})` : ''}`,
    );
    lines.push(
      `  links: ${result.catalogue.links.links.length} of ${result.catalogue.links.scanned} LoRA reference(s) of Liblib/Civitai works matched${how ? ` (${how})` : ''}` +
        (result.catalogue.links.ambiguous ? `, ${result.catalogue.links.ambiguous} ambiguous left unlinked` : ''),
    );
    for (const link of result.catalogue.links.links.slice(0, 10)) {
      lines.push(`    - ${link.workSource} work ${link.workId} → ${link.loraExternalId} (${link.method}: ${link.matched})`);
    }
  }
  result.results.forEach((r, i) => {
    const title = r.title_cn !== r.title_en ? `${r.title_cn} / ${r.title_en}` : r.title_en;
    lines.push(`  ${String(i + 1).padStart(2)}. ${title}  ${r.id}  ↓${r.downloads.toLocaleString('en-US')} ★${r.likes}  ${r.cover_local ?? '(no cover)'}`);
  });
  return lines;
}

export const topLorasCommand: CommandRunner = {
  async run(context) {
    const { config, log, flags, out } = context;
    const baseDir = context.cwd;
    const options = topLorasOptions(flags, baseDir);
    let store: Store | undefined;
    let blobs: BlobStore | undefined;
    const abort = new AbortController();
    const interrupt = () => {
      out('interrupted: stopping (the cache file is only replaced by a complete run)…');
      abort.abort();
    };
    process.once('SIGINT', interrupt);
    try {
      if (options.catalogue) {
        store = await createStore(config.database);
        await store.assertMigrated();
        blobs = createBlobStore(config.blob);
        await blobs.ping();
      }
      for (const run of options.runs) {
        out(`ModelScope Top-LoRAs · ${run.task} (top ${run.limit} by downloads, ${config.ingest.modelscope.apiBase})`);
        let result;
        try {
          result = await runTopLoras({ config, log, store, blobs, onCoverProgress: coverProgress(process.stderr), signal: abort.signal }, run);
        } catch (error) {
          if (abort.signal.aborted) return 130;
          throw error;
        }
        for (const line of renderTopLoras(result, { limit: run.limit, baseDir, now: new Date() })) out(line);
      }
      return 0;
    } finally {
      process.off('SIGINT', interrupt);
      await store?.close();
      await blobs?.close();
    }
  },
};
