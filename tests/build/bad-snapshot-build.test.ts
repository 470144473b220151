// A malformed snapshot must stop `astro build` with an error that names the file and the offending paths,
// and publish nothing: the content loaders (src/content.config.ts) throw SnapshotFormatError before any
// page is rendered. No browser needed; the build runs under the harness's cross-process lock.
import { writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workChunkPath } from '../../src/core/snapshot/paths.ts';
import { sampleWork, writeTestSnapshot } from '../../src/core/snapshot/test-fixtures.ts';
import { buildSite, makeWorkDir } from '../browser/harness.ts';

/** Every .html file under `dir` (none when the directory does not exist). */
function htmlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.html'));
}

describe('astro build over a malformed snapshot', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let failure: Error | undefined;
  let outDir = '';
  let chunkFile = '';

  beforeAll(async () => {
    const work = await makeWorkDir('huaku-bad-snapshot-');
    cleanup = work.cleanup;
    const snapshotDir = path.join(work.dir, 'snapshot');
    outDir = path.join(work.dir, 'dist');
    // A valid snapshot first (manifest, authors…), then its only chunk replaced by one with two bad works.
    const works = [sampleWork(1), sampleWork(2), sampleWork(3)];
    await writeTestSnapshot(snapshotDir, works);
    const negativeWidth = { ...works[0], params: { ...works[0]!.params, width: -768 } };
    const { id: _dropped, ...missingId } = works[1]!;
    chunkFile = workChunkPath(snapshotDir, 1);
    await writeFile(chunkFile, JSON.stringify([negativeWidth, missingId, works[2]], null, 2));
    try {
      // With render processes, as in production: the first of them reads the snapshot.
      await buildSite({ outDir, cacheDir: path.join(work.dir, 'astro-cache'), env: { SNAPSHOT_DIR: snapshotDir, SITE_BUILD_RENDER_PROCESSES: '2' } });
    } catch (error) {
      failure = error as Error;
    }
  });

  afterAll(async () => {
    await cleanup?.();
  });

  it('fails with an error naming the file and each bad path', () => {
    expect(failure, 'the build should have failed').toBeDefined();
    const message = failure!.message;
    expect(message).toContain('SnapshotFormatError');
    expect(message).toContain(`invalid snapshot file ${chunkFile}`);
    expect(message).toMatch(/\[0\]\.params\.width \(work id "liblib-1000000000000000001"\): Too small/);
    expect(message).toMatch(/\[1\]\.id: /);
  });

  it('produces no pages', () => {
    expect(htmlFiles(outDir)).toEqual([]);
  });
});
