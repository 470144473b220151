import { createBlobStore } from '../../src/core/blob/create-blob-store.ts';
import { createStore } from '../../src/core/store/create-store.ts';
import { formatDiffSummary, writeSnapshot, type SnapshotResult } from '../snapshot/write-snapshot.ts';
import type { CommandRunner } from './command.ts';

export const snapshotCommand: CommandRunner = {
  async run({ config, out }) {
    const store = await createStore(config.database);
    const blobs = createBlobStore(config.blob);
    try {
      await store.assertMigrated();
      const started = performance.now();
      const result = await writeSnapshot(store, blobs, config.snapshotDir, new Date(), { thumbnailWidths: config.ingest.thumbnailWidths });
      for (const line of snapshotReport(result, performance.now() - started)) out(line);
      return 0;
    } finally {
      await store.close();
      await blobs.close();
    }
  },
};

/** What a snapshot run printed: totals, counts per source, and the diff against the previous snapshot. */
export function snapshotReport(result: SnapshotResult, ms: number): string[] {
  const lines = [
    `snapshot: ${result.works} works in ${result.chunks} chunk(s), ${result.authors} authors, ${result.loras} LoRAs → ${result.dir} (${Math.round(ms)} ms)`,
    `  models: ${result.models} across sources; links by method: ${Object.entries(result.modelLinks).map(([method, n]) => `${method} ${n}`).join(', ')}`,
  ];
  for (const [source, c] of Object.entries(result.manifest.counts)) {
    lines.push(`  ${source}: ${c!.works} works, ${c!.authors} authors, ${c!.images ?? 0} images, ${c!.loras ?? 0} LoRAs`);
  }
  const since = result.diff.previousGeneratedAt ? `since ${result.diff.previousGeneratedAt}` : 'first snapshot';
  lines.push(`  diff (${since}): ${formatDiffSummary(result.diff)}`);
  return lines;
}
