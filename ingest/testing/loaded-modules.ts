// What a process started with the record-modules.ts preload loaded: the CLI start-up test and
// bench/cli-startup.ts run a command with it and read the line it prints on exit.
import { fileURLToPath } from 'node:url';

export const LOADED_MODULES_MARKER = 'huaku-loaded-modules: ';

/** The `--import` argument that turns the recording on. */
export const RECORD_MODULES_PRELOAD = fileURLToPath(new URL('./record-modules.ts', import.meta.url));

/**
 * Packages (or whole @scopes) no `--help` may load: the database drivers, the S3 SDK, native image and canvas
 * code, the charts, the queue and Redis clients, OAuth.
 */
const HEAVY_PACKAGES = ['mysql2', 'better-sqlite3', '@aws-sdk', '@smithy', 'sharp', '@img', 'bullmq', 'ioredis', 'chart.js', 'chartjs-chart-wordcloud', '@napi-rs', 'arctic'];

/** Which of `packages` are heavy. */
export function heavyPackagesIn(packages: string[]): string[] {
  return packages.filter((p) => HEAVY_PACKAGES.some((heavy) => p === heavy || p.startsWith(`${heavy}/`)));
}

interface LoadedModules {
  /** Resolved URLs: file: for modules, node: for built-ins. */
  urls: string[];
  /** The npm packages among them (scoped ones as @scope/name). */
  packages: string[];
  maxRssKiB: number;
  /** stderr without the recorder's line. */
  stderr: string;
}

export function parseLoadedModules(stderr: string): LoadedModules {
  const at = stderr.lastIndexOf(`\n${LOADED_MODULES_MARKER}`);
  if (at < 0) throw new Error(`no "${LOADED_MODULES_MARKER}" line in stderr: was the process started with --import ${RECORD_MODULES_PRELOAD}?\n${stderr}`);
  const { urls, maxRssKiB } = JSON.parse(stderr.slice(at + LOADED_MODULES_MARKER.length + 1)) as { urls: string[]; maxRssKiB: number };
  const packages = new Set<string>();
  for (const url of urls) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url.slice(url.lastIndexOf('/node_modules/')));
    if (match) packages.add(match[1]!);
  }
  return { urls, packages: [...packages].sort(), maxRssKiB, stderr: stderr.slice(0, at) };
}
