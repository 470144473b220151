// BlobStore over a local directory: the embedded default (`data/blobs`, served at `/media`).
//
// Layout under the root directory:
//   <root>/<key>                 the object's bytes, at exactly the key's path, so a static file server can
//                                serve `/media/<key>` straight from the directory
//   <root>/.meta/<key>           a JSON sidecar { version, contentType, metadata }; a parallel tree with
//                                the same shape as the objects, so a sidecar can never collide with an
//                                object (keys cannot start a segment with a dot) and a key that conflicts in
//                                one tree conflicts in the other too
//   <dir>/.<uuid>.tmp            in-flight writes, beside their target so the final rename is atomic
//
// A put writes both files to temp names, renames the sidecar and then the object: the object's rename is
// the commit point. A crash before it leaves at most an orphaned sidecar or temp file, never a half object
// under a real key; head/get only see keys whose object file exists. Deleting removes the object first for
// the same reason. Temp files orphaned by a hard crash are dot-files that no key can name.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobConfig } from '../env.ts';
import { InvalidInputError, ServiceUnavailableError } from '../errors.ts';
import { assertValidBlobKey, assertValidMetadata, joinPublicUrl } from './blob-key.ts';
import type { BlobHead, BlobMetadata, BlobObject, BlobStore, PutOptions } from './blob-store.ts';

export type LocalBlobConfig = Extract<BlobConfig, { driver: 'local' }>;

/** Opens the stream an object's bytes are written to: fs.createWriteStream, or a test's failing disk. */
export type OpenWriteStream = (file: string, options: { flags: 'wx'; flush: boolean }) => Writable;

const META_DIR = '.meta';
const SERVICE = 'blob store (local)';
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const DIR_HINT = 'Set BLOB_LOCAL_DIR to a writable directory (default data/blobs) or fix the permissions of this one.';

interface Sidecar {
  version: 1;
  contentType: string;
  metadata: BlobMetadata;
}

export class LocalBlobStore implements BlobStore {
  readonly driver = 'local' as const;
  /** Absolute path of the root directory. */
  readonly root: string;
  private readonly metaRoot: string;
  private readonly publicBaseUrl: string;
  private readonly openWriteStream: OpenWriteStream;

  /** `options.openWriteStream`: the filesystem boundary, replaceable so tests can fill the disk. */
  constructor(config: LocalBlobConfig, options: { openWriteStream?: OpenWriteStream } = {}) {
    this.root = path.resolve(config.dir);
    this.metaRoot = path.join(this.root, META_DIR);
    this.publicBaseUrl = config.publicBaseUrl;
    this.openWriteStream = options.openWriteStream ?? ((file, streamOptions) => fs.createWriteStream(file, streamOptions));
  }

  /** Takes ownership of a stream body: it is consumed, or destroyed when the put fails before reading it. */
  async put(key: string, body: Buffer | Uint8Array | Readable, options: PutOptions = {}): Promise<BlobHead> {
    let file: string;
    let metaFile: string;
    const metadata = { ...options.metadata };
    const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
    try {
      assertValidBlobKey(key);
      assertValidMetadata(metadata);
      file = this.objectPath(key);
      metaFile = this.sidecarPath(key);
      await fsp.mkdir(path.dirname(file), { recursive: true }).catch((error) => {
        throw this.writeError(error, key);
      });
      await fsp.mkdir(path.dirname(metaFile), { recursive: true }).catch((error) => {
        throw this.writeError(error, key);
      });
    } catch (error) {
      if (body instanceof Readable) body.destroy();
      throw error;
    }

    const objectTmp = tempPathBeside(file);
    const metaTmp = tempPathBeside(metaFile);
    let size = 0;
    let output: Writable | undefined;
    try {
      // The write stream's own failures (ENOSPC, EACCES) become errors that say what to do; the caller's
      // stream failing is rethrown unchanged. pipeline() destroys every stream with the first error, so
      // whichever stream reported first is the origin.
      const source = body instanceof Readable ? body : Readable.from([body]);
      output = this.openWriteStream(objectTmp, { flags: 'wx', flush: true });
      let failedFirst: 'source' | 'output' | undefined;
      source.on('error', () => (failedFirst ??= 'source'));
      output.on('error', () => (failedFirst ??= 'output'));
      try {
        await pipeline(
          source,
          async function* countBytes(chunks: AsyncIterable<Buffer | Uint8Array | string>) {
            for await (const chunk of chunks) {
              const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
              size += bytes.byteLength;
              yield bytes;
            }
          },
          output,
        );
      } catch (error) {
        throw failedFirst === 'output' ? this.writeError(error, key) : error;
      }
      try {
        const sidecar: Sidecar = { version: 1, contentType, metadata };
        await fsp.writeFile(metaTmp, JSON.stringify(sidecar), { flag: 'wx', flush: true });
        await fsp.rename(metaTmp, metaFile);
        await fsp.rename(objectTmp, file);
      } catch (error) {
        throw this.writeError(error, key);
      }
    } catch (error) {
      // The temp file may still be opening when the source fails; removing it before the stream has
      // closed could let the open recreate it afterwards.
      const pending = output;
      if (pending && !pending.closed) await new Promise<void>((resolve) => pending.once('close', () => resolve()));
      await Promise.all([removeQuietly(objectTmp), removeQuietly(metaTmp)]);
      throw error;
    }
    // A concurrent delete may already have removed the file; the put itself succeeded.
    const stat = await fsp.stat(file).catch(() => undefined);
    return { key, size, contentType, metadata, lastModified: stat?.mtime };
  }

  async head(key: string): Promise<BlobHead | null> {
    assertValidBlobKey(key);
    let stat: fs.Stats;
    try {
      stat = await fsp.stat(this.objectPath(key));
    } catch (error) {
      if (isMissing(error)) return null;
      throw this.readError(error);
    }
    if (!stat.isFile()) return null; // a directory: other keys use this key as a prefix
    return this.describe(key, stat);
  }

  async get(key: string): Promise<BlobObject | null> {
    assertValidBlobKey(key);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.objectPath(key), 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw this.readError(error);
    }
    try {
      // Size and body come from the same open file, so a concurrent overwrite (a rename) cannot mix them.
      const stat = await handle.stat();
      if (!stat.isFile()) {
        await handle.close();
        return null;
      }
      const head = await this.describe(key, stat);
      return { ...head, body: handle.createReadStream() };
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidBlobKey(key);
    await removeQuietly(this.objectPath(key));
    await removeQuietly(this.sidecarPath(key));
  }

  publicUrl(key: string): string {
    return joinPublicUrl(this.publicBaseUrl, key);
  }

  async ping(): Promise<void> {
    const probe = path.join(this.root, `.ping-${randomUUID()}.tmp`);
    try {
      await fsp.mkdir(this.root, { recursive: true });
      await fsp.writeFile(probe, '');
      await fsp.rm(probe, { force: true });
    } catch (error) {
      const code = errorCode(error);
      const reason =
        code === 'ENOTDIR' || code === 'EEXIST'
          ? `${this.root} cannot be used as a directory (it, or one of its parents, is a regular file)`
          : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
            ? `${this.root} is not writable (${code})`
            : code === 'ENOSPC'
              ? `the disk holding ${this.root} is full`
              : `${this.root} cannot be created or written (${code ?? String(error)})`;
      throw new ServiceUnavailableError(SERVICE, reason, { hint: DIR_HINT, cause: error });
    }
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  private async describe(key: string, stat: fs.Stats): Promise<BlobHead> {
    const sidecar = await this.readSidecar(key);
    return {
      key,
      size: stat.size,
      contentType: sidecar?.contentType ?? DEFAULT_CONTENT_TYPE,
      metadata: sidecar?.metadata ?? {},
      lastModified: stat.mtime,
    };
  }

  /** undefined when the object has no sidecar (a file copied in by hand). */
  private async readSidecar(key: string): Promise<Sidecar | undefined> {
    const file = this.sidecarPath(key);
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (error) {
      if (isMissing(error) || errorCode(error) === 'EISDIR') return undefined;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`corrupt blob sidecar ${file}: ${String(error)} (delete it and put the object again)`, {
        cause: error,
      });
    }
    if (!isSidecar(parsed)) {
      throw new Error(`corrupt blob sidecar ${file}: unexpected shape (delete it and put the object again)`);
    }
    return parsed;
  }

  private objectPath(key: string): string {
    const file = resolveInside(this.root, key);
    // Defence in depth: keys cannot start with a dot, so this only fails if validation was bypassed.
    if (file === this.metaRoot || file.startsWith(this.metaRoot + path.sep)) {
      throw new InvalidInputError(`invalid blob key ${JSON.stringify(key)}: it names the store's metadata tree`);
    }
    return file;
  }

  private sidecarPath(key: string): string {
    return resolveInside(this.metaRoot, key);
  }

  /** A directory that cannot be read (permissions, an I/O error, no file handles left) is unavailable, not a bug. */
  private readError(error: unknown): unknown {
    const code = errorCode(error);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EIO' || code === 'EMFILE' || code === 'ENFILE') {
      return new ServiceUnavailableError(SERVICE, `${this.root} cannot be read (${code})`, { hint: DIR_HINT, cause: error });
    }
    return error;
  }

  /** Turns a filesystem failure while writing `key` into an error that says what to do. */
  private writeError(error: unknown, key: string): unknown {
    const code = errorCode(error);
    switch (code) {
      case 'ENOSPC':
      case 'EDQUOT':
        return new ServiceUnavailableError(SERVICE, `no space left on the disk holding ${this.root} while writing ${JSON.stringify(key)}`, {
          hint: 'Free disk space (or move BLOB_LOCAL_DIR to a larger disk) and run again; nothing was stored for this key.',
          cause: error,
        });
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return new ServiceUnavailableError(SERVICE, `${this.root} is not writable (${code}) while writing ${JSON.stringify(key)}`, {
          hint: DIR_HINT,
          cause: error,
        });
      case 'ENOTDIR':
      case 'EEXIST':
        return new InvalidInputError(
          `cannot store blob key ${JSON.stringify(key)}: one of its parent segments is already an object (a directory store cannot hold both "a" and "a/b")`,
        );
      case 'EISDIR':
        return new InvalidInputError(
          `cannot store blob key ${JSON.stringify(key)}: other keys use it as a prefix (a directory store cannot hold both "a" and "a/b")`,
        );
      default:
        return error;
    }
  }
}

/** Resolves `key` under `base` and checks that the result stays inside it (exported for tests). */
export function resolveInside(base: string, key: string): string {
  const resolved = path.resolve(base, ...key.split('/'));
  if (!resolved.startsWith(base + path.sep)) {
    throw new InvalidInputError(`invalid blob key ${JSON.stringify(key)}: it resolves outside ${base}`);
  }
  return resolved;
}

/** A fixed-length dot-name in the target's directory: renaming it over the target is atomic. */
function tempPathBeside(file: string): string {
  return path.join(path.dirname(file), `.${randomUUID()}.tmp`);
}

async function removeQuietly(file: string): Promise<void> {
  try {
    await fsp.unlink(file);
  } catch (error) {
    // Missing, or a directory (the key is only a prefix of other keys): either way there is no such object.
    if (isMissing(error) || errorCode(error) === 'EISDIR') return;
    throw error;
  }
}

function isSidecar(value: unknown): value is Sidecar {
  if (typeof value !== 'object' || value === null) return false;
  const { contentType, metadata } = value as Record<string, unknown>;
  return (
    typeof contentType === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    Object.values(metadata).every((v) => typeof v === 'string')
  );
}

function errorCode(error: unknown): string | undefined {
  return isFsError(error) ? error.code : undefined;
}

function isFsError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** ENOTDIR: a parent segment is a file, so the key cannot exist either. */
function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
