// At most N runs at once per provider in this process (GENERATION_CONCURRENCY): a FIFO semaphore per
// provider name. A waiter that is aborted (cancel, shutdown) leaves the line without taking a slot.
import type { GenerationProvider } from '../../core/generation/generation-provider.ts';

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

  /** The same provider, each run taking one of its slots first (the fallback chain wraps these). */
  limit(provider: GenerationProvider): GenerationProvider {
    return {
      kind: provider.kind,
      name: provider.name,
      billed: provider.billed,
      generate: async (request, options) => {
        const release = await this.acquire(provider.name, options.signal);
        try {
          return await provider.generate(request, options);
        } finally {
          release();
        }
      },
    };
  }
}
