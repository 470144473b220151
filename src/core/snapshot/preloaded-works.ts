// The snapshot's works, read ahead of the code that needs them. A render process of the site build
// (src/integrations/prerender/render-child.ts) starts reading and validating them while Astro is still
// bundling, so the pages' own reader (src/data/collections.ts, inside the bundle it loads afterwards) finds
// them done. The bundle carries its own copy of this module, so the two meet on a global slot; a reader
// takes the preloaded works only for the same snapshot directory, else reads the files as usual.
import path from 'node:path';
import { readSnapshotWorks } from './read-snapshot.ts';
import type { SnapshotWork } from './schema.ts';

const SLOT = Symbol.for('huaku.snapshot.preloadedWorks');

interface Preloaded {
  dir: string;
  works: Promise<SnapshotWork[]>;
}

type GlobalWithSlot = typeof globalThis & { [SLOT]?: Preloaded };

/** Start reading `snapshotDir`'s works now (readSnapshotWorks); a later worksOfSnapshot() of it takes them. */
export function preloadSnapshotWorks(snapshotDir: string): Promise<SnapshotWork[]> {
  const works = readSnapshotWorks(snapshotDir);
  // A failure is the reader's to report (the same error, when it takes these).
  works.catch(() => {});
  (globalThis as GlobalWithSlot)[SLOT] = { dir: path.resolve(snapshotDir), works };
  return works;
}

/** The works of `snapshotDir`: those preloaded for it in this process, else read now. */
export function worksOfSnapshot(snapshotDir: string): Promise<SnapshotWork[]> {
  const preloaded = (globalThis as GlobalWithSlot)[SLOT];
  return preloaded?.dir === path.resolve(snapshotDir) ? preloaded.works : readSnapshotWorks(snapshotDir);
}
