import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('spaces takes at 1/rps with burst 1', async () => {
    const bucket = new TokenBucket({ rps: 50 }); // 20 ms per token
    const start = performance.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => bucket.take().then(() => times.push(performance.now() - start))));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(19);
    expect(times.at(-1)!).toBeGreaterThanOrEqual(99);
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
