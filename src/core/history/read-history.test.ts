import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_VERSION } from '../snapshot/schema.ts';
import { readHistory } from './read-history.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'huaku-history-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function put(date: string, files: Record<string, unknown>): Promise<void> {
  await mkdir(path.join(dir, date), { recursive: true });
  for (const [name, value] of Object.entries(files)) {
    await writeFile(path.join(dir, date, name), typeof value === 'string' ? value : JSON.stringify(value));
  }
}

const manifest = (date: string) => ({ version: SNAPSHOT_VERSION, generatedAt: `${date}T00:00:00.000Z`, counts: {}, runIds: [] });

describe('readHistory', () => {
  it('reads the days oldest first, skips unpublished and malformed days with the reason, and tolerates an absent dir', async () => {
    expect(await readHistory(path.join(dir, 'none'))).toEqual({ days: [], skipped: [] });
    const summary = { totalWorks: 0, sources: [], daily: { days: [], series: [], undated: 0, earlier: 0 }, topAuthors: [], topCheckpoints: [], topLoras: [], promptWords: [], promptsAnalysed: 0 };
    await put('2025-03-02', {
      'manifest.json': manifest('2025-03-02'),
      'analysis.json': summary,
    });
    await put('2025-03-01', { 'manifest.json': manifest('2025-03-01') });
    await put('2025-03-03', { 'diff.json': '{}' }); // no manifest: never published
    await put('2025-03-04', { 'manifest.json': manifest('2025-03-04'), 'diff.json': '{"generatedAt": 1' });
    await mkdir(path.join(dir, 'not-a-day'));

    const history = await readHistory(dir);
    expect(history.days.map((d) => [d.date, d.diff, d.analysis?.totalWorks ?? null])).toEqual([['2025-03-01', null, null], ['2025-03-02', null, 0]]);
    expect(history.skipped).toEqual([{ date: '2025-03-04', reason: expect.stringMatching(/2025-03-04\/diff\.json: not valid JSON/) }]);
  });
});
