// The published days in the site bucket (format: docs/operations.md):
//   snapshots/{yyyy-mm-dd}/manifest.json, diff.json, analysis.json   one folder per published day, kept
//   snapshots/published/…                                            the last published snapshot, whole
// and their local copy in HISTORY_DIR, one folder per day, which the /trends page reads.
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../src/core/fs/atomic-write.ts';
import { MANIFEST_FILE, parseWorkChunkFileName, WORKS_DIR } from '../../src/core/snapshot/paths.ts';
import type { SiteBucket } from '../deploy/site-bucket.ts';

const HISTORY_PREFIX = 'snapshots/';
const PUBLISHED_PREFIX = 'snapshots/published/';
/** The three files of a day; manifest.json goes last (it marks the day complete). */
export const DAY_FILES = ['analysis.json', 'diff.json', 'manifest.json'] as const;
const DAY_KEY = /^snapshots\/(\d{4}-\d{2}-\d{2})\/(analysis|diff|manifest)\.json$/;

async function filesUnder(dir: string, root = dir): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full, root)));
    else if (entry.isFile()) files.push(path.relative(root, full).split(path.sep).join('/'));
  }
  return files;
}

/** Write one day into the local history (manifest last). */
export async function writeHistoryDay(historyDir: string, date: string, files: Record<(typeof DAY_FILES)[number], string>): Promise<string> {
  const dir = path.join(historyDir, date);
  await fs.mkdir(dir, { recursive: true });
  for (const name of DAY_FILES) await writeFileAtomic(path.join(dir, name), files[name]);
  return dir;
}

/** Copy every published day the local history lacks (or holds incomplete) from the bucket; returns the days present. */
export async function downloadHistory(bucket: SiteBucket, historyDir: string): Promise<{ days: string[]; downloaded: number }> {
  const byDay = new Map<string, Set<string>>();
  for (const key of await bucket.list(HISTORY_PREFIX)) {
    const match = DAY_KEY.exec(key);
    if (!match) continue;
    if (!byDay.has(match[1]!)) byDay.set(match[1]!, new Set());
    byDay.get(match[1]!)!.add(`${match[2]}.json`);
  }
  let downloaded = 0;
  for (const [date, names] of byDay) {
    if (!names.has(MANIFEST_FILE)) continue; // an interrupted publish: not a day yet
    const local = path.join(historyDir, date, MANIFEST_FILE);
    if (await fs.stat(local).then(() => true, () => false)) continue;
    const files = {} as Record<(typeof DAY_FILES)[number], string>;
    for (const name of DAY_FILES) files[name] = (await bucket.get(`${HISTORY_PREFIX}${date}/${name}`))?.toString('utf8') ?? 'null\n';
    await writeHistoryDay(historyDir, date, files);
    downloaded++;
  }
  const days = (await fs.readdir(historyDir).catch(() => [] as string[])).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
  return { days, downloaded };
}

/** The day's three files into snapshots/{date}/, manifest last. */
export async function publishHistoryDay(bucket: SiteBucket, historyDir: string, date: string): Promise<void> {
  for (const name of DAY_FILES) {
    await bucket.put(`${HISTORY_PREFIX}${date}/${name}`, {
      body: await fs.readFile(path.join(historyDir, date, name)), contentType: 'application/json', cacheControl: 'public, max-age=300',
    });
  }
}

/**
 * The whole snapshot into snapshots/published/: its manifest is removed first and written last, so an
 * interrupted upload never looks like a published snapshot; works chunks the new one lacks are deleted.
 */
export async function publishSnapshot(bucket: SiteBucket, snapshotDir: string): Promise<number> {
  await bucket.delete([`${PUBLISHED_PREFIX}${MANIFEST_FILE}`]);
  const files = (await filesUnder(snapshotDir)).filter((f) => f !== MANIFEST_FILE);
  for (const file of files) {
    await bucket.put(`${PUBLISHED_PREFIX}${file}`, { body: await fs.readFile(path.join(snapshotDir, file)), contentType: 'application/json', cacheControl: 'no-store' });
  }
  const keep = new Set(files.map((f) => `${PUBLISHED_PREFIX}${f}`));
  const stale = (await bucket.list(`${PUBLISHED_PREFIX}${WORKS_DIR}/`)).filter((key) => !keep.has(key));
  await bucket.delete(stale);
  await bucket.put(`${PUBLISHED_PREFIX}${MANIFEST_FILE}`, {
    body: await fs.readFile(path.join(snapshotDir, MANIFEST_FILE)), contentType: 'application/json', cacheControl: 'no-store',
  });
  return files.length + 1;
}

/**
 * Replace `snapshotDir` with the last published snapshot, so the next snapshot's diff is against what the
 * site shows; false (and `snapshotDir` untouched) when nothing was published yet.
 */
export async function downloadPublishedSnapshot(bucket: SiteBucket, snapshotDir: string): Promise<boolean> {
  const manifest = await bucket.get(`${PUBLISHED_PREFIX}${MANIFEST_FILE}`);
  if (!manifest) return false;
  const staging = `${snapshotDir}.published-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  for (const key of await bucket.list(PUBLISHED_PREFIX)) {
    const rel = key.slice(PUBLISHED_PREFIX.length);
    if (rel === MANIFEST_FILE) continue;
    if (rel.startsWith(`${WORKS_DIR}/`) && parseWorkChunkFileName(rel.slice(WORKS_DIR.length + 1)) === null) continue;
    const body = await bucket.get(key);
    if (!body) continue;
    await fs.mkdir(path.dirname(path.join(staging, rel)), { recursive: true });
    await fs.writeFile(path.join(staging, rel), body);
  }
  await fs.mkdir(staging, { recursive: true });
  await fs.writeFile(path.join(staging, MANIFEST_FILE), manifest);
  await fs.rm(snapshotDir, { recursive: true, force: true });
  await fs.mkdir(path.dirname(snapshotDir), { recursive: true });
  await fs.rename(staging, snapshotDir);
  return true;
}
