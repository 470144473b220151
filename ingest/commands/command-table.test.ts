// The command table states a few defaults whose owners load heavy packages (sharp, the inspectors' schemas);
// here they are compared with those owners, so --help cannot drift from what the commands do.
import { describe, expect, it } from 'vitest';
import { INSPECTORS } from '../sources/inspectors.ts';
import { DEFAULT_IMAGE_DOWNLOAD_CONFIG } from '../sources/civitai/image-downloader.ts';
import { PATH_TEMPLATE_PRESETS } from '../sources/civitai/path-template.ts';
import { CACHE_MAX_AGE_MS } from '../sources/modelscope/cache-file.ts';
import { CIVITAI_DOWNLOAD_DEFAULTS, CIVITAI_TEMPLATE_PRESETS, COMMANDS, GENERATE_DEFAULTS, INSPECT_SOURCES, TOPLORAS_DEFAULTS } from './command-table.ts';
import { GENERATE_DEFAULT_OUT } from './generate.ts';
import { DEFAULT_LIMIT, DEFAULT_TASK } from './toploras.ts';

describe('command table', () => {
  it('shows the defaults the implementations use', () => {
    const { outputPath, pathTemplate, maxConcurrent, pageSize } = DEFAULT_IMAGE_DOWNLOAD_CONFIG;
    expect(CIVITAI_DOWNLOAD_DEFAULTS).toEqual({ outputPath, pathTemplate, maxConcurrent, pageSize });
    expect(CIVITAI_TEMPLATE_PRESETS).toEqual(Object.keys(PATH_TEMPLATE_PRESETS));
    expect(INSPECT_SOURCES).toEqual(Object.keys(INSPECTORS));
    expect(GENERATE_DEFAULTS).toEqual({ out: GENERATE_DEFAULT_OUT });
    expect(TOPLORAS_DEFAULTS).toEqual({ task: DEFAULT_TASK, limit: DEFAULT_LIMIT, cacheMaxAgeMinutes: CACHE_MAX_AGE_MS / 60_000 });
  });

  it('names each command once, and every entry loads a runner', async () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const command of COMMANDS) expect(typeof (await command.load()).run, command.name).toBe('function');
  });
});
