// A per-host token bucket shared by every stage of one HTTP client: `rps` tokens per second, at most
// `burst` saved up (default 1, so requests are evenly spaced). Waiters are served strictly in FIFO order.

export interface TokenBucketOptions {
  /** Tokens added per second (> 0). */
  rps: number;
  /** Bucket size: how many requests may go back to back after a quiet period. Default 1. */
  burst?: number;
  /** Monotonic milliseconds; injectable for tests. Default `performance.now`. */
  now?: () => number;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class TokenBucket {
  readonly rps: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;
  #pausedUntil = 0;
  readonly #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: TokenBucketOptions) {
    if (!(options.rps > 0) || !Number.isFinite(options.rps)) throw new RangeError(`rps must be a positive number, got ${options.rps}`);
    const burst = options.burst ?? 1;
    if (!(burst >= 1) || !Number.isInteger(burst)) throw new RangeError(`burst must be an integer ≥ 1, got ${burst}`);
    this.rps = options.rps;
    this.burst = burst;
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = burst;
    this.#last = this.#now();
  }

  /** Wait for a token. Rejects with the signal's reason if it aborts first (the place in line is given up). */
  take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#queue.length === 0 && this.#tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(signal.reason);
          this.#schedule();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  /**
   * Hand out no token before `untilMs` (on this bucket's clock): a server's Retry-After applies to the
   * whole host, not only to the request that got it. Never shortens an existing pause.
   */
  pauseUntil(untilMs: number): void {
    if (untilMs <= this.#pausedUntil) return;
    this.#pausedUntil = untilMs;
    this.#schedule();
  }

  /** Milliseconds until the current pause ends (0 when not paused). */
  pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - this.#now());
  }

  /** Number of callers waiting for a token. */
  get waiting(): number {
    return this.#queue.length;
  }

  #refill(now: number): void {
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.rps) / 1000);
      this.#last = now;
    }
  }

  #tryTake(): boolean {
    const now = this.#now();
    this.#refill(now);
    if (now < this.#pausedUntil) return false;
    // A tiny epsilon absorbs floating-point error in the refill; it can never add up to a whole token.
    if (this.#tokens >= 1 - 1e-9) {
      this.#tokens = Math.max(0, this.#tokens - 1);
      return true;
    }
    return false;
  }

  #pump = (): void => {
    this.#timer = undefined;
    while (this.#queue.length > 0 && this.#tryTake()) {
      const waiter = this.#queue.shift()!;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.#schedule();
  };

  #schedule(): void {
    if (this.#queue.length === 0) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      return;
    }
    if (this.#timer) return;
    const now = this.#now();
    this.#refill(now);
    const untilToken = this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * 1000) / this.rps;
    const wait = Math.max(untilToken, this.#pausedUntil - now, 0);
    // Timers can fire a fraction of a millisecond early on the monotonic clock: round up, and #pump
    // simply reschedules if the token is not quite there yet.
    this.#timer = setTimeout(this.#pump, Math.ceil(wait));
  }
}
