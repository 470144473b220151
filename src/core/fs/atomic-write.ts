// The one way to replace a file so that a crash never leaves half of it behind: write a uniquely named temp
// file beside the target (same filesystem, so the rename is atomic), flush it to disk, then rename it over
// the target. On any failure the temp file is removed and the old file is left exactly as it was.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** What can be written: text, bytes, or chunks of either (written in order, e.g. from a generator). */
export type AtomicWriteData = string | Uint8Array | Iterable<string | Uint8Array>;

/** Write `data` to `file` atomically, creating its folder when needed. Temp files are `.<name>.<pid>.<id>.tmp`. */
export async function writeFileAtomic(file: string, data: AtomicWriteData): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx');
    for (const chunk of typeof data === 'string' || data instanceof Uint8Array ? [data] : data) {
      if (typeof chunk === 'string') await handle.write(chunk);
      else await handle.write(chunk);
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  }
}
