// A disk that fills up: an OpenWriteStream for LocalBlobStore that writes through to the real file until
// `capacityBytes` have been written in total, then fails every write with ENOSPC, as a full filesystem
// does. Mounting a tiny tmpfs needs privileges CI may not have; this fails at the same boundary.
import fs from 'node:fs';
import { Writable } from 'node:stream';
import type { OpenWriteStream } from '../blob/local-blob-store.ts';

export interface FullDisk {
  openWriteStream: OpenWriteStream;
  /** Bytes written so far through every stream. */
  readonly written: number;
  /** Free space again (the operator cleaned up): writes succeed from now on. */
  free(): void;
}

export function fullDisk(capacityBytes: number): FullDisk {
  let written = 0;
  let capacity = capacityBytes;
  const openWriteStream: OpenWriteStream = (file, options) => {
    const real = fs.createWriteStream(file, options);
    return new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (written + chunk.byteLength > capacity) {
          callback(Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC', errno: -28, syscall: 'write' }));
          return;
        }
        written += chunk.byteLength;
        real.write(chunk, callback);
      },
      final(callback) {
        real.end(callback);
      },
      destroy(error, callback) {
        if (real.closed) return callback(error);
        real.once('close', () => callback(error));
        real.destroy();
      },
    });
  };
  return {
    openWriteStream,
    get written() {
      return written;
    },
    free() {
      capacity = Number.POSITIVE_INFINITY;
    },
  };
}
