// File names inside the snapshot directory (SNAPSHOT_DIR, default data/snapshot):
//
//   manifest.json              version, generatedAt, counts, runIds (written last: it marks a complete snapshot)
//   works/works-0001.json      a JSON array of at most WORKS_PER_CHUNK works
//   works/works-0002.json      …
//   authors.json               every author with a work in the snapshot (user pages)
//   loras.json                 every stored LoRA (the Top-LoRAs gallery and pages)
//   diff.json                  added / removed / changed since the previous snapshot, per source
//
// Works are split into numbered chunks so that 100k works never sit in one file (one huge JSON.parse,
// one huge diff). Chunks are read in numeric order; the writer sorts works deterministically.
import path from 'node:path';

export const MANIFEST_FILE = 'manifest.json';
export const WORKS_DIR = 'works';
export const AUTHORS_FILE = 'authors.json';
export const LORAS_FILE = 'loras.json';
export const DIFF_FILE = 'diff.json';
export const MODELS_FILE = 'models.json';
/** Upper bound the writer uses per chunk; the reader accepts any size. */
export const WORKS_PER_CHUNK = 1000;

const WORK_CHUNK_FILE = /^works-(\d{4,})\.json$/;

/** `works-0001.json` for chunk 1 (numbering starts at 1; more than 9999 chunks just widens the number). */
export function workChunkFileName(chunk: number): string {
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunk number must be an integer ≥ 1, got ${chunk}`);
  return `works-${String(chunk).padStart(4, '0')}.json`;
}

/** The chunk number of a works chunk file name, or null when the name is not one. */
export function parseWorkChunkFileName(name: string): number | null {
  const match = WORK_CHUNK_FILE.exec(name);
  return match ? Number(match[1]) : null;
}

export function manifestPath(snapshotDir: string): string {
  return path.join(snapshotDir, MANIFEST_FILE);
}

export function worksDirPath(snapshotDir: string): string {
  return path.join(snapshotDir, WORKS_DIR);
}

export function workChunkPath(snapshotDir: string, chunk: number): string {
  return path.join(snapshotDir, WORKS_DIR, workChunkFileName(chunk));
}

export function authorsPath(snapshotDir: string): string {
  return path.join(snapshotDir, AUTHORS_FILE);
}

export function lorasPath(snapshotDir: string): string {
  return path.join(snapshotDir, LORAS_FILE);
}

export function modelsPath(snapshotDir: string): string {
  return path.join(snapshotDir, MODELS_FILE);
}

export function diffPath(snapshotDir: string): string {
  return path.join(snapshotDir, DIFF_FILE);
}
