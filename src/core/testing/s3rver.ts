// A real S3-protocol server (s3rver) for tests, on 127.0.0.1 and a free port, storing into a temp dir.
import fsp from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { S3BlobConfig } from '../blob/s3-blob-store.ts';
import { uniqueSuffix } from './services.ts';

// s3rver ships no type declarations; this is the part of its API used here (lib/s3rver.js).
interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets?: Array<{ name: string }>;
}
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: S3rverOptions) => S3rverServer;

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3rver(): Promise<{ endpoint: string; stop(): Promise<void> } | { error: unknown }> {
  const directory = await fsp.mkdtemp(path.join(os.tmpdir(), `huaku-s3rver-${uniqueSuffix()}-`));
  try {
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
    const address = await server.run();
    return {
      endpoint: `http://127.0.0.1:${address.port}`,
      stop: async () => {
        await server.close();
        await fsp.rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await fsp.rm(directory, { recursive: true, force: true });
    return { error };
  }
}

export function s3TestConfig(endpoint: string, bucket: string, overrides: Partial<S3BlobConfig> = {}): S3BlobConfig {
  return {
    driver: 's3',
    endpoint,
    bucket,
    region: 'us-east-1',
    ...S3RVER_CREDENTIALS,
    forcePathStyle: true,
    publicBaseUrl: '/media',
    ...overrides,
  };
}
