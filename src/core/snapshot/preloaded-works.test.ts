import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workChunkPath } from './paths.ts';
import { preloadSnapshotWorks, worksOfSnapshot } from './preloaded-works.ts';
import { sampleWork, writeTestSnapshot } from './test-fixtures.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'huaku-preloaded-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('preloadSnapshotWorks / worksOfSnapshot', () => {
  it('hands the preloaded works to a reader of the same directory, and reads any other', async () => {
    const first = path.join(dir, 'a');
    const second = path.join(dir, 'b');
    await writeTestSnapshot(first, [sampleWork(1), sampleWork(2)]);
    await writeTestSnapshot(second, [sampleWork(3)]);
    const preloaded = preloadSnapshotWorks(first);
    // The same promise (the same objects), under another spelling of the same folder.
    expect(worksOfSnapshot(`${first}/`)).toBe(preloaded);
    expect((await worksOfSnapshot(first)).map((w) => w.id)).toEqual((await preloaded).map((w) => w.id));
    expect((await worksOfSnapshot(second)).map((w) => w.id)).toEqual([sampleWork(3).id]);
  });

  it("gives the reader the preload's error (a bad snapshot fails the build as it would)", async () => {
    await writeTestSnapshot(dir, [sampleWork(1)]);
    await writeFile(workChunkPath(dir, 1), '{ not json');
    preloadSnapshotWorks(dir);
    await expect(worksOfSnapshot(dir)).rejects.toThrow(/not valid JSON/);
  });
});
