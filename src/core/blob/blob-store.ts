import type { Readable } from 'node:stream';

/** Object metadata: small string pairs stored beside the object (S3 user metadata, a sidecar file locally). */
export type BlobMetadata = Record<string, string>;

export interface PutOptions {
  contentType?: string;
  metadata?: BlobMetadata;
}

export interface BlobHead {
  key: string;
  size: number;
  contentType: string | undefined;
  metadata: BlobMetadata;
  lastModified: Date | undefined;
}

export interface BlobObject extends BlobHead {
  body: Readable;
}

/**
 * Object storage behind one interface (Immich's storage drivers): a local directory by default and any
 * S3-protocol bucket in production. Both implementations pass blob-store.contract.ts.
 * Keys are relative, `/`-separated paths; keys with `..`, absolute paths, backslashes or control
 * characters are rejected with an InvalidInputError before any I/O.
 */
export interface BlobStore {
  readonly driver: 'local' | 's3';
  put(key: string, body: Buffer | Uint8Array | Readable, options?: PutOptions): Promise<BlobHead>;
  /** null when the object does not exist. */
  head(key: string): Promise<BlobHead | null>;
  /** null when the object does not exist. */
  get(key: string): Promise<BlobObject | null>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** The URL browsers load the object from (`MEDIA_BASE_URL` + key, or the bucket's own URL). */
  publicUrl(key: string): string;
  /** Throws ServiceUnavailableError naming the host/dir and what to do when the store is unusable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
