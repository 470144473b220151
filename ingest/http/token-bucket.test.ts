import { describe, expect, it, vi } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('spaces takes at 1/rps with burst 1', async () => {
    // On Vitest's clock and timers: what is asserted is the bucket's spacing. Measured on the machine's clock, a
    // loaded CI machine stalled the process 3 ms between one token and the code recording it (a gap of 16.6 ms).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const bucket = new TokenBucket({ rps: 50 }); // 20 ms per token
      const start = performance.now();
      const granted: number[] = [];
      for (let i = 0; i < 6; i++) void bucket.take().then(() => granted.push(performance.now() - start));
      await vi.advanceTimersByTimeAsync(0);
      expect(granted).toEqual([0]);
      await vi.advanceTimersByTimeAsync(19);
      expect(granted).toEqual([0]);
      await vi.advanceTimersByTimeAsync(1);
      expect(granted).toEqual([0, 20]);
      await vi.advanceTimersByTimeAsync(80);
      expect(granted).toEqual([0, 20, 40, 60, 80, 100]);
      expect(bucket.waiting).toBe(0);
      // Half a token saved up is not a token: a take 10 ms after the last waits the other 10.
      await vi.advanceTimersByTimeAsync(10);
      void bucket.take().then(() => granted.push(performance.now() - start));
      await vi.advanceTimersByTimeAsync(9);
      expect(granted).toHaveLength(6);
      await vi.advanceTimersByTimeAsync(1);
      expect(granted.at(-1)).toBe(120);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets `burst` requests through at once after a quiet period, then waits', async () => {
    let now = 0; // a frozen clock: only the saved-up tokens are available
    const bucket = new TokenBucket({ rps: 10, burst: 3, now: () => now });
    await Promise.all([bucket.take(), bucket.take(), bucket.take()]);
    let fourth = false;
    const pending = bucket.take().then(() => (fourth = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fourth).toBe(false);
    now = 100; // one token's worth of time passes
    await pending;
    expect(fourth).toBe(true);
  });

  it('serves waiters in FIFO order', async () => {
    const bucket = new TokenBucket({ rps: 200 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('an aborted waiter leaves the queue and rejects with the reason', async () => {
    const bucket = new TokenBucket({ rps: 20 });
    await bucket.take();
    const controller = new AbortController();
    const order: string[] = [];
    const a = bucket.take(controller.signal).then(() => order.push('a'));
    const b = bucket.take().then(() => order.push('b'));
    controller.abort(new Error('stop'));
    await expect(a).rejects.toThrow('stop');
    await b;
    expect(order).toEqual(['b']);
    expect(bucket.waiting).toBe(0);
    expect(() => bucket.take(controller.signal)).toThrow('stop');
  });

  it('pauseUntil holds every taker until the pause ends', async () => {
    const bucket = new TokenBucket({ rps: 1000, burst: 5 });
    const start = performance.now();
    bucket.pauseUntil(start + 120);
    expect(bucket.pausedForMs()).toBeGreaterThan(100);
    await Promise.all([bucket.take(), bucket.take()]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(118);
  });

  it('rejects invalid options', () => {
    expect(() => new TokenBucket({ rps: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ rps: 1, burst: 0.5 })).toThrow(RangeError);
  });
});
