// Seven simulated days of `ingest daily` (ingest/testing/daily-rehearsal.ts) with a stand-in build: each day
// ends deployed to the bucket, with the right diff, no phase skipped, and exactly one alert (the outage day).
// scripts/daily-rehearsal.sh runs the same days with the real astro build.
import path from 'node:path';
import { expect, it } from 'vitest';
import { formatRehearsalRow, REHEARSAL_HEADER, rehearseDays } from '../testing/daily-rehearsal.ts';

it('seven days of ingest daily: deployed, diffed, nothing skipped, one alert on the outage day', async () => {
  const tiny = path.join(import.meta.dirname, '..', 'testing', 'tiny-site-build.ts');
  const { rows, alerts } = await rehearseDays({ buildCommand: `"${process.execPath}" "${tiny}" "$SNAPSHOT_DIR"`, charts: false });
  const table = [...REHEARSAL_HEADER, ...rows.map(formatRehearsalRow)].join('\n');
  expect(rows, table).toHaveLength(7);
  expect(rows.flatMap((r) => r.problems.map((p) => `day ${r.day}: ${p}`)), table).toEqual([]);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ type: 'huaku.daily.failure_rate', threshold: 0.05 });
}, 300_000);
