// The progress model and both renderers on a fake clock: counts, window rates, ETA from the ledger's
// pending units, failures by kind, and what the TTY and the log line show.
import { describe, expect, it } from 'vitest';
import { runProgressSchema } from '../../src/core/progress/run-progress.ts';
import { RunProgress } from './progress-model.ts';
import { renderProgressBars, renderProgressLine, TtyPainter } from './progress-render.ts';

function fakeClock(start = Date.UTC(2025, 2, 1, 8)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function crawl() {
  const clock = fakeClock();
  const progress = new RunProgress({ runId: 7, source: 'liblib', command: 'crawl:incremental', stages: ['list', 'detail'], now: clock.now, windowMs: 10_000 });
  return { clock, progress };
}

describe('RunProgress', () => {
  it('counts units and failures by kind, and gives rates over the window and an ETA from the pending units', () => {
    const { clock, progress } = crawl();
    let snapshot = progress.snapshot();
    expect(snapshot.stages.map((s) => [s.name, s.done, s.pending, s.etaMs])).toEqual([['list', 0, null, null], ['detail', 0, null, null]]);

    // 10 s at 4 details/s and 5 requests/s, then 10 s at 1 detail/s: the rate follows the recent window.
    for (let i = 0; i < 40; i++) progress.unitDone('detail');
    progress.setHttp({ requests: 50, retries: 2, rateLimited: 1 });
    clock.advance(10_000);
    snapshot = progress.snapshot();
    expect(snapshot.stages[1]).toMatchObject({ done: 40, ratePerSec: 4 });
    expect(snapshot.requestRate).toBe(5);

    for (let i = 0; i < 10; i++) progress.unitDone('detail');
    progress.unitFailed('detail', 'http');
    progress.unitFailed('detail', 'timeout');
    progress.unitFailed('detail', 'http');
    progress.setPending('detail', 30);
    progress.setPending('list', 0);
    progress.stageFinished('list');
    clock.advance(10_000);
    snapshot = progress.snapshot();
    const detail = snapshot.stages[1]!;
    expect(detail).toMatchObject({ done: 50, failed: 3, pending: 30, ratePerSec: 1, etaMs: 30_000, failuresByKind: { http: 2, timeout: 1 }, finished: false });
    expect(snapshot.stages[0]).toMatchObject({ pending: 0, etaMs: 0, finished: true });
    expect(snapshot).toMatchObject({ runId: 7, elapsedMs: 20_000, requests: 50, retries: 2, rateLimited: 1, requestRate: 0, finished: false });
    // What the store keeps is what /admin/runs validates.
    expect(runProgressSchema.parse(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);

    // No units in the window: no rate, so the ETA is unknown rather than infinite.
    clock.advance(20_000);
    expect(progress.snapshot().stages[1]).toMatchObject({ ratePerSec: 0, etaMs: null });
  });
});

describe('renderers', () => {
  function sample() {
    const { clock, progress } = crawl();
    for (let i = 0; i < 412; i++) progress.unitDone('detail');
    for (let i = 0; i < 20; i++) progress.unitDone('list');
    progress.unitFailed('detail', 'timeout');
    progress.unitFailed('detail', 'http');
    progress.setPending('list', 0);
    progress.stageFinished('list');
    progress.setPending('detail', 588);
    progress.setHttp({ requests: 440, retries: 0, rateLimited: 0 });
    clock.advance(100_000);
    return progress.snapshot();
  }

  it('draws a bar per stage with done / known total, rate, ETA and failures', () => {
    expect(renderProgressBars(sample(), 10)).toEqual([
      'run 7 liblib crawl:incremental · 1m40s · 4.4 req/s',
      '  list    ██████████  20/20 100%  0.2/s  done',
      '  detail  ████░░░░░░  412/1000 41%  4.1/s  ETA 2m23s  failed 2 (http 1, timeout 1)',
    ]);
  });

  it('writes the same figures as one log line, and shows an unknown total as ?', () => {
    expect(renderProgressLine(sample())).toBe(
      'progress run 7 liblib crawl:incremental · 1m40s · 4.4 req/s | list 20/20 100% 0.2/s done | detail 412/1000 41% 4.1/s ETA 2m23s failed 2 (http 1, timeout 1)',
    );
    const { progress } = crawl();
    progress.unitDone('list');
    expect(renderProgressLine(progress.snapshot())).toContain('list 1/? 0.0/s ETA ?');
  });

  it('redraws in place on a terminal: up over the previous block, clear, draw', () => {
    const written: string[] = [];
    const painter = new TtyPainter((text) => written.push(text));
    painter.paint(['a', 'b', 'c']);
    painter.paint(['d', 'e', 'f']);
    expect(written).toEqual(['a\nb\nc\n', '\x1b[3F\x1b[Jd\ne\nf\n']);
  });
});
