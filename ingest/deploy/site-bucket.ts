// The bucket a CDN serves the site from (DEPLOY_BUCKET): the few S3 calls deploy and history need, with the
// same client settings as the blob store (s3ClientConfig).
import {
  CreateBucketCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { s3ClientConfig } from '../../src/core/blob/s3-blob-store.ts';
import type { SiteBucketConfig } from '../../src/core/env.ts';
import { ServiceUnavailableError } from '../../src/core/errors.ts';

export interface PutObject {
  body: Buffer | string;
  contentType: string;
  cacheControl?: string;
}

export interface StoredObject {
  body: Buffer;
  contentType?: string;
  cacheControl?: string;
  etag?: string;
  lastModified?: Date;
}

export class SiteBucket {
  readonly name: string;
  readonly #client: S3Client;

  constructor(config: SiteBucketConfig) {
    this.name = config.bucket;
    this.#client = new S3Client(s3ClientConfig(config));
  }

  /** Create the bucket when missing (tests, a fresh MinIO); a real CDN bucket already exists. */
  async ensure(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.name }));
    } catch {
      await this.#client.send(new CreateBucketCommand({ Bucket: this.name })).catch((error: unknown) => {
        throw new ServiceUnavailableError('site bucket', `"${this.name}" is unreachable: ${(error as Error).message}`, {
          hint: 'check DEPLOY_BUCKET, DEPLOY_S3_ENDPOINT (or S3_ENDPOINT) and the S3_* credentials',
          cause: error,
        });
      });
    }
  }

  async put(key: string, object: PutObject): Promise<void> {
    await this.#client.send(new PutObjectCommand({
      Bucket: this.name, Key: key, Body: object.body, ContentType: object.contentType,
      ...(object.cacheControl ? { CacheControl: object.cacheControl } : {}),
    }));
  }

  /** The object's bytes, or null when there is none. */
  async get(key: string): Promise<Buffer | null> {
    return (await this.getObject(key))?.body ?? null;
  }

  /** The object with the headers its upload stored, or null when there is none. */
  async getObject(key: string): Promise<StoredObject | null> {
    try {
      const response = await this.#client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
      return {
        body: Buffer.from(await response.Body!.transformToByteArray()),
        ...(response.ContentType ? { contentType: response.ContentType } : {}),
        ...(response.CacheControl ? { cacheControl: response.CacheControl } : {}),
        ...(response.ETag ? { etag: response.ETag } : {}),
        ...(response.LastModified ? { lastModified: response.LastModified } : {}),
      };
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return null;
      throw error;
    }
  }

  /** Every key under `prefix`. */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      await this.#client.send(new DeleteObjectsCommand({ Bucket: this.name, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
    }
  }

  close(): void {
    this.#client.destroy();
  }
}
