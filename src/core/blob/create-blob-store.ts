import type { BlobConfig } from '../env.ts';
import type { BlobStore } from './blob-store.ts';
import { LocalBlobStore } from './local-blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

/** The BlobStore the configuration asks for (BLOB_DRIVER): a local directory or an S3-protocol bucket. */
export function createBlobStore(config: BlobConfig): BlobStore {
  switch (config.driver) {
    case 'local':
      return new LocalBlobStore(config);
    case 's3':
      return new S3BlobStore(config);
  }
}
