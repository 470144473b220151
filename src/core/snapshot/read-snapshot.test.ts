import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manifestPath, parseWorkChunkFileName, workChunkFileName, workChunkPath, worksDirPath } from './paths.ts';
import {
  iterateSnapshotWorkChunks,
  readSnapshotManifest,
  readSnapshotWorks,
  SnapshotFormatError,
} from './read-snapshot.ts';
import { sampleWork, writeTestSnapshot } from './test-fixtures.ts';
import { SNAPSHOT_VERSION } from './schema.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'huaku-snapshot-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectFormatError(promise: Promise<unknown>): Promise<SnapshotFormatError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SnapshotFormatError);
  return error as SnapshotFormatError;
}

describe('paths', () => {
  it('numbers chunk files from 1 with four digits and parses them back', () => {
    expect(workChunkFileName(1)).toBe('works-0001.json');
    expect(workChunkFileName(12345)).toBe('works-12345.json');
    expect(parseWorkChunkFileName('works-0042.json')).toBe(42);
    expect(parseWorkChunkFileName('works-42.json')).toBeNull();
    expect(parseWorkChunkFileName('manifest.json')).toBeNull();
    expect(() => workChunkFileName(0)).toThrow(RangeError);
  });
});

describe('readSnapshotManifest / readSnapshotWorks', () => {
  it('returns an empty result when the directory does not exist', async () => {
    const missing = path.join(dir, 'nope');
    expect(await readSnapshotManifest(missing)).toBeNull();
    expect(await readSnapshotWorks(missing)).toEqual([]);
  });

  it('returns an empty result for an empty directory', async () => {
    expect(await readSnapshotManifest(dir)).toBeNull();
    expect(await readSnapshotWorks(dir)).toEqual([]);
  });

  it('ignores chunks that have no manifest yet (the manifest marks a complete snapshot)', async () => {
    await mkdir(worksDirPath(dir), { recursive: true });
    await writeFile(workChunkPath(dir, 1), JSON.stringify([sampleWork(1)]));
    expect(await readSnapshotWorks(dir)).toEqual([]);
  });

  it('returns no works for a manifest without a works directory', async () => {
    await writeTestSnapshot(dir, []);
    expect((await readSnapshotManifest(dir))?.version).toBe(SNAPSHOT_VERSION);
    expect(await readSnapshotWorks(dir)).toEqual([]);
  });

  it('parses valid chunks in numeric order and ignores other files', async () => {
    const works = Array.from({ length: 25 }, (_, i) => sampleWork(i + 1));
    const written = await writeTestSnapshot(dir, works, { chunkSize: 10 });
    await writeFile(path.join(worksDirPath(dir), 'README.txt'), 'not a chunk');

    const manifest = await readSnapshotManifest(dir);
    expect(manifest).toEqual(written);
    expect(manifest?.counts.liblib).toEqual({ works: 25, authors: 3 });

    const chunks = [];
    for await (const chunk of iterateSnapshotWorkChunks(dir)) chunks.push(chunk);
    expect(chunks.map((c) => [path.basename(c.file), c.works.length])).toEqual([
      ['works-0001.json', 10],
      ['works-0002.json', 10],
      ['works-0003.json', 5],
    ]);

    const read = await readSnapshotWorks(dir);
    expect(read).toEqual(works);
    // ids beyond 2^53 and 64-bit seeds survive as strings
    expect(read[0]?.externalId).toBe('1000000000000000001');
    expect(read[0]?.params.seed).toBe('18446744073709551615');
  });

  it('strips unknown fields (a writer may add a field before the site reads it)', async () => {
    await writeTestSnapshot(dir, []);
    await writeFile(workChunkPath(dir, 1), JSON.stringify([{ ...sampleWork(1), futureField: 1 }]));
    const [work] = await readSnapshotWorks(dir);
    expect(work).toEqual(sampleWork(1));
  });

  it('names the file and the issue paths of a malformed chunk', async () => {
    await writeTestSnapshot(dir, [sampleWork(1), sampleWork(2)]);
    const bad = { ...sampleWork(3), images: [{ index: 0, url: '/media/x.png', thumbUrl: null, width: '768', height: 1 }] };
    await writeFile(workChunkPath(dir, 2), JSON.stringify([sampleWork(4), bad]));

    const error = await expectFormatError(readSnapshotWorks(dir));
    const file = workChunkPath(dir, 2);
    expect(error.file).toBe(file);
    expect(error.message).toContain(file);
    expect(error.issues.map((i) => i.path)).toEqual([`[1].images[0].width (work id "${bad.id}")`]);
    expect(error.message).toContain('[1].images[0].width');
  });

  it('reports every issue of a malformed manifest', async () => {
    await writeFile(
      manifestPath(dir),
      JSON.stringify({ version: 99, generatedAt: 'yesterday', counts: { liblib: { works: -1, authors: 0 } }, runIds: [] }),
    );
    const error = await expectFormatError(readSnapshotManifest(dir));
    expect(error.file).toBe(manifestPath(dir));
    expect(error.issues.map((i) => i.path).sort()).toEqual(['counts.liblib.works', 'generatedAt', 'version']);
    // readSnapshotWorks checks the manifest too: a broken snapshot never reads as empty
    await expectFormatError(readSnapshotWorks(dir));
  });

  it('rejects an unknown source', async () => {
    await writeTestSnapshot(dir, []);
    await writeFile(workChunkPath(dir, 1), JSON.stringify([{ ...sampleWork(1), source: 'pixiv' }]));
    const error = await expectFormatError(readSnapshotWorks(dir));
    expect(error.issues[0]?.path).toMatch(/^\[0\]\.source/);
  });

  it('names the file when a chunk is not valid JSON or not an array', async () => {
    await writeTestSnapshot(dir, [sampleWork(1)]);
    await writeFile(workChunkPath(dir, 1), '[{"id": ');
    let error = await expectFormatError(readSnapshotWorks(dir));
    expect(error.message).toContain(workChunkPath(dir, 1));
    expect(error.message).toContain('not valid JSON');

    await writeFile(workChunkPath(dir, 1), JSON.stringify({ works: [] }));
    error = await expectFormatError(readSnapshotWorks(dir));
    expect(error.issues[0]?.path).toBe('');
  });

  it('rejects a work id repeated across chunks', async () => {
    await writeTestSnapshot(dir, [sampleWork(1), sampleWork(2)], { chunkSize: 1 });
    await writeFile(workChunkPath(dir, 3), JSON.stringify([sampleWork(1)]));
    const error = await expectFormatError(readSnapshotWorks(dir));
    expect(error.file).toBe(workChunkPath(dir, 3));
    expect(error.message).toContain('duplicate work id');
    expect(error.message).toContain('works-0001.json');
  });
});

describe('snapshot v2 → v3', () => {
  it('reads a version 2 snapshot and upgrades it: manifest version 3, completeness from the work-level parameters', async () => {
    const { completeness: _full, ...complete } = sampleWork(1);
    const { completeness: _partial, ...partial } = sampleWork(2, { params: { sampler: 'Euler', steps: 20, cfgScale: 7, width: null, height: null, seed: null } });
    const { completeness: _none, ...none } = sampleWork(3, { prompt: null, params: { sampler: null, steps: null, cfgScale: null, width: null, height: null, seed: null } });
    await mkdir(worksDirPath(dir), { recursive: true });
    await writeFile(workChunkPath(dir, 1), JSON.stringify([complete, partial, none]));
    await writeFile(manifestPath(dir), JSON.stringify({ version: 2, generatedAt: new Date().toISOString(), counts: {}, runIds: [] }));
    expect((await readSnapshotManifest(dir))?.version).toBe(3);
    const works = await readSnapshotWorks(dir);
    expect(works.map((w) => w.completeness)).toEqual(['full', 'partial', 'none']);
    expect(works[0]!.images[0]!.recipe).toBeUndefined();
  });
});
