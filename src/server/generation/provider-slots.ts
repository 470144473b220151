// At most N runs at once per provider in this process (GENERATION_CONCURRENCY): a FIFO semaphore per
// provider name. A waiter that is aborted (cancel, shutdown) leaves the line without taking a slot.
export class ProviderSlots {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  private readonly limitOf: (provider: string) => number;

  constructor(limitOf: (provider: string) => number) {
    this.limitOf = limitOf;
  }

  async acquire(provider: string, signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    if ((this.active.get(provider) ?? 0) >= this.limitOf(provider)) {
      await new Promise<void>((resolve, reject) => {
        const line = this.waiting.get(provider) ?? [];
        this.waiting.set(provider, line);
        const onAbort = () => {
          const at = line.indexOf(go);
          if (at >= 0) line.splice(at, 1);
          reject(signal.reason);
        };
        function go() {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }
        line.push(go);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.active.set(provider, (this.active.get(provider) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.get(provider)?.shift();
      // The slot passes straight to the next waiter; otherwise it is freed.
      if (next) next();
      else this.active.set(provider, (this.active.get(provider) ?? 1) - 1);
    };
  }
}
