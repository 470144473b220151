// What every command that writes the catalogue shares: Ctrl-C finishes the work in flight instead of
// killing it, the store must be migrated and the blob store reachable before anything is fetched, and a
// run's outcome maps to the exit code.
import { createBlobStore } from '../../src/core/blob/create-blob-store.ts';
import { createStore } from '../../src/core/store/create-store.ts';
import type { RunReport } from '../pipeline/run-report.ts';
import type { SourceRunDependencies } from '../pipeline/run-source.ts';
import type { CommandContext } from './command.ts';

/** The first Ctrl-C aborts `signal` (after saying so); call `dispose()` when done. */
export function interruptible(out: (line: string) => void, message: string): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  const interrupt = () => {
    out(message);
    abort.abort();
  };
  process.once('SIGINT', interrupt);
  return { signal: abort.signal, dispose: () => process.off('SIGINT', interrupt) };
}

/** Open the store and blobs, run, close; 0 on SUCCESS, 1 on FAILED, 130 when interrupted. */
export async function runCatalogCommand(
  context: CommandContext,
  run: (deps: SourceRunDependencies) => Promise<RunReport>,
): Promise<number> {
  const { config, log, out } = context;
  const store = await createStore(config.database);
  const blobs = createBlobStore(config.blob);
  const interrupt = interruptible(out, 'interrupted: finishing the units in flight (the next run resumes the rest)…');
  try {
    await store.assertMigrated();
    await blobs.ping();
    // Bars on a terminal (stderr, so stdout stays the report); periodic lines with the rest of stdout otherwise.
    const progressOutput = process.stderr.isTTY
      ? { tty: true, write: (text: string) => void process.stderr.write(text), lineIntervalMs: 0 }
      : { tty: false, write: (text: string) => out(text.replace(/\n$/, '')), lineIntervalMs: config.ingest.progressSeconds * 1000 };
    const report = await run({ config, store, blobs, log, out, signal: interrupt.signal, progressOutput });
    if (interrupt.signal.aborted) return 130;
    return report.status === 'SUCCESS' ? 0 : 1;
  } finally {
    interrupt.dispose();
    await store.close();
    await blobs.close();
  }
}
