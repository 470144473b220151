// Test-only fault injection (TEST_CRASH_AT, see .env.example): a crawl kills its own process with SIGKILL at
// an exact point, so ingest/sources/liblib/liblib-resume.test.ts can check that a crawl killed there and then
// resumed ends exactly like an uninterrupted one. The composition root (ingest/commands/liblib.ts) builds
// this from the configuration; a real run has no crash point, so nothing is counted and nothing is wrapped.
//
// The points, counted in this process only (a resumed process counts from zero again):
//   unit-handled    a unit's network work is done (for media: the image stored and its row marked OK), its
//                   writes and `done` status not yet committed
//   unit-committed  right after a unit's writes and `done` status committed
//   blob-writing    in the middle of a blob put: part of the body handed to the blob store, the put unfinished
//   blob-written    a blob put finished, before anything records it (image row, thumbnails, ledger)
import { Readable } from 'node:stream';
import type { BlobStore } from '../../src/core/blob/blob-store.ts';
import type { CrashEvent, CrashPoint } from '../../src/core/env.ts';

export interface CrashPoints {
  /** A unit reached `event`: the process dies here if this is the configured occurrence. */
  reached(event: Extract<CrashEvent, 'unit-handled' | 'unit-committed'>, stage: string): void;
  /** The same blob store, with the blob events. */
  wrapBlobs(blobs: BlobStore): BlobStore;
}

/** Bytes handed to the blob store before a `blob-writing` crash (the rest of the body never arrives). */
const PARTIAL_BYTES = 1024;
/** Time the store gets to write that slice before the crash. */
const WRITE_GRACE_MS = 20;

const killProcess = () => {
  process.kill(process.pid, 'SIGKILL');
};

/** null when `point` is null (every real run). `crash` is replaceable for the seam's own tests. */
export function crashPoints(point: CrashPoint | null, crash: () => void = killProcess): CrashPoints | null {
  if (point === null) return null;
  let seen = 0;
  /** Counts an occurrence of `event`; true for the configured one. */
  const chosen = (event: CrashEvent, stage: string | null): boolean =>
    event === point.event && (point.stage === null || point.stage === stage) && ++seen === point.count;

  return {
    reached(event, stage) {
      if (chosen(event, stage)) crash();
    },
    wrapBlobs(blobs) {
      return {
        driver: blobs.driver,
        async put(key, body, options) {
          const midway = chosen('blob-writing', null);
          // A byte stream holding at most one slice: the next slice is asked for only once the store took the first.
          const partial = () => Readable.from(crashMidway(body, crash), { objectMode: false, highWaterMark: 1 });
          const head = await blobs.put(key, midway ? partial() : body, options);
          if (chosen('blob-written', null)) crash();
          return head;
        },
        head: (key) => blobs.head(key),
        get: (key) => blobs.get(key),
        delete: (key) => blobs.delete(key),
        publicUrl: (key) => blobs.publicUrl(key),
        ping: () => blobs.ping(),
        close: () => blobs.close(),
      };
    },
  };
}

/**
 * The body in small slices; once the store has taken the first slice and asks for more, and has had a
 * moment to write it, crash. A body of one slice crashes after the store took all of it.
 */
async function* crashMidway(body: Buffer | Uint8Array | Readable, crash: () => void): AsyncGenerator<Buffer> {
  const source = body instanceof Readable ? body : [body];
  let handed = 0;
  for await (const chunk of source) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    for (let offset = 0; offset < bytes.length; offset += PARTIAL_BYTES) {
      if (handed > 0) break;
      yield bytes.subarray(offset, offset + PARTIAL_BYTES);
      handed += Math.min(PARTIAL_BYTES, bytes.length - offset);
    }
    if (handed > 0) break;
  }
  await new Promise((resolve) => setTimeout(resolve, WRITE_GRACE_MS));
  crash();
  // Only a replaced `crash` (the seam's own tests) returns: fail the put as a dying process would.
  throw new Error('crash point reached (blob-writing)');
}
