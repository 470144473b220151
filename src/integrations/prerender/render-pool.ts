// The build's render processes (./render-child.ts): forked when the build starts, each loads the
// prerender bundle once it is written; then the pages are handed out in small batches to whichever process
// is free, and each writes its own files (only paths travel over IPC, not HTML). Astro's page generation is
// one thread; the pages are independent, so processes beside it use the machine's other cores (issue 17 §8).
//
// Any failure fails the build: a page's error comes back with the page's URL and stack; a process that
// dies fails with its exit code and last output; the other processes are stopped either way.
import { fork, type ChildProcess } from 'node:child_process';
import type { ChildMessage, ListedPath, PageJob, RenderChildInit } from './render-protocol.ts';
import { deserializeError } from './render-protocol.ts';

export interface RenderPoolOptions {
  /** The render process's script (./render-child.ts). */
  script: string;
  /** How many processes to fork (≥ 1). */
  processes: number;
}

export interface RenderAllResult {
  /** URLs of pages that answered without a body (no file written, as Astro does). */
  empty: string[];
}

/** Pages per batch: small enough to balance the processes at the end, large enough that IPC is noise. */
const BATCH_SIZE = 24;
/** How much of a process's stderr is kept for the error if it dies. */
const STDERR_TAIL = 8 * 1024;

type Listener = (message: ChildMessage) => void;

/** One forked process: its messages go to whoever listens now (start-up, then the current batch). */
class RenderProcess {
  private stderrTail = '';
  private listener: Listener | undefined;
  private ended: Error | undefined;
  private onEnd: ((error: Error) => void) | undefined;
  private closing = false;
  private readonly child: ChildProcess;
  readonly index: number;

  constructor(child: ChildProcess, index: number) {
    this.child = child;
    this.index = index;
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL);
    });
    child.on('message', (message: ChildMessage) => this.listener?.(message));
    // Idle processes do not keep the build process alive (a build that fails before using them just
    // exits, and they leave when their channel closes); a request holds the channel while it waits.
    child.unref();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
    child.channel?.unref();
    const end = (error: Error) => {
      if (this.ended) return;
      this.ended = error;
      this.onEnd?.(error);
    };
    child.on('error', end);
    child.on('exit', (code, signal) => {
      if (this.closing) return end(new Error('the render pool is closed'));
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      end(new Error(`render process ${index} ended (${how})${this.stderrTail ? `; its last output:\n${this.stderrTail}` : ''}`));
    });
  }

  /** Send `message` and resolve with the answer `accept` takes (reject on a failure or the process's end). */
  request<T>(message: unknown, accept: (message: ChildMessage) => T | undefined, context: string): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<T>((resolve, reject) => {
      const settle = () => {
        this.listener = undefined;
        this.onEnd = undefined;
        this.child.channel?.unref();
      };
      this.child.channel?.ref();
      this.onEnd = (error) => {
        settle();
        reject(error);
      };
      this.listener = (answer) => {
        if (answer.type === 'failed') {
          settle();
          return reject(deserializeError(answer.error, answer.url ? `rendering ${answer.url} (render process ${this.index})` : `render process ${this.index} ${context}`));
        }
        const value = accept(answer);
        if (value === undefined) return;
        settle();
        resolve(value);
      };
      this.child.send(message as never);
    });
  }

  close(): void {
    this.closing = true;
    if (this.child.connected) this.child.disconnect();
    // From now on the build process waits for it (it leaves at once): reaped before the build process exits,
    // its CPU time counts in the build's own (rusage of waited children, which GNU time reports).
    this.child.ref();
    // One that does not leave on its own (stuck in a page) is stopped.
    setTimeout(() => this.child.kill(), 5_000).unref();
  }
}

export class RenderPool {
  private readonly processes: RenderProcess[];

  private constructor(processes: RenderProcess[]) {
    this.processes = processes;
  }

  /**
   * Fork the processes now; they boot (Node, this script) while the build bundles, and load the bundle
   * when start() sends it. Nothing is awaited: a process that cannot start fails start().
   */
  static fork(options: RenderPoolOptions): RenderPool {
    if (!(options.processes >= 1)) throw new Error(`a render pool needs at least one process (got ${options.processes})`);
    return new RenderPool(
      Array.from({ length: options.processes }, (_, index) => {
        // No execArgv: the build process may run under `node -e` or a test runner's flags, none of which apply.
        const child = fork(options.script, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
        return new RenderProcess(child, index + 1);
      }),
    );
  }

  /**
   * Load the bundle in every process and wait until each has; resolves with every prerendered path as the
   * first process listed them (Astro's StaticPaths over the same bundle). Rejects, and stops the
   * processes, if one cannot start.
   */
  async start(init: Omit<RenderChildInit, 'type' | 'listPaths'>): Promise<ListedPath[]> {
    try {
      const ready = await Promise.all(
        this.processes.map((p, i) => p.request({ type: 'init', ...init, listPaths: i === 0 }, (m) => (m.type === 'ready' ? m : undefined), 'could not start')),
      );
      return ready[0]!.paths ?? [];
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Render and write every page; resolves when all are written, rejects on the first failure (and stops the pool). */
  async renderAll(pages: readonly PageJob[]): Promise<RenderAllResult> {
    const empty: string[] = [];
    let next = 0;
    const work = async (process: RenderProcess) => {
      while (next < pages.length) {
        const batch = pages.slice(next, next + BATCH_SIZE);
        next += batch.length;
        const done = await process.request({ type: 'batch', pages: batch }, (m) => (m.type === 'batch-done' ? m : undefined), 'failed');
        empty.push(...done.empty);
      }
    };
    try {
      await Promise.all(this.processes.map(work));
    } catch (error) {
      this.close();
      throw error;
    }
    return { empty };
  }

  /** Let the processes exit (they do once their IPC channel closes). */
  close(): void {
    for (const p of this.processes) p.close();
  }
}
