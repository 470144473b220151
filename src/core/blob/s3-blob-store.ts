// BlobStore over an S3-protocol bucket (AWS S3, MinIO, R2, s3rver in tests).
//
// Metadata travels as S3 user metadata (`x-amz-meta-<key>` headers). S3 lowercases the names, so
// assertValidMetadata only accepts lowercase names; header values must be ASCII and lose surrounding
// spaces, so values that are not plain printable ASCII (a Chinese work slug, an empty string) are sent as
// METADATA_ENCODED_MARKER + encodeURIComponent(value) and decoded on read (see blob-key.ts). Plain ASCII
// values such as URLs and numbers are stored as they are and stay readable in any S3 console.
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobConfig } from '../env.ts';
import { ServiceUnavailableError } from '../errors.ts';
import {
  assertValidBlobKey,
  assertValidMetadata,
  decodeMetadataValue,
  encodeMetadataValue,
  joinPublicUrl,
} from './blob-key.ts';
import type { BlobHead, BlobMetadata, BlobObject, BlobStore, PutOptions } from './blob-store.ts';

export type S3BlobConfig = Extract<BlobConfig, { driver: 's3' }>;

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Error codes of a request that never reached a server: the endpoint is down, wrong or unreachable. */
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/** The S3 client settings every bucket of ours uses (the blob store's and the site deploy's). */
export function s3ClientConfig(config: Pick<S3BlobConfig, 'endpoint' | 'region' | 'forcePathStyle' | 'accessKeyId' | 'secretAccessKey'>): S3ClientConfig {
  const clientConfig: S3ClientConfig = {
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    // s3rver and several S3-compatible stores mishandle the SDK's default flexible checksums
    // (aws-chunked streamed bodies with trailing CRCs): only send or check them when S3 demands it.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Without a connection timeout an endpoint that drops packets hangs ping() and every put.
    requestHandler: { connectionTimeout: 10_000 },
  };
  if (config.endpoint) clientConfig.endpoint = config.endpoint;
  // Without keys the SDK's default chain (env, profile, instance role) applies; env.ts rejects half a pair.
  if (config.accessKeyId !== undefined && config.secretAccessKey !== undefined) {
    clientConfig.credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey };
  }
  return clientConfig;
}

export class S3BlobStore implements BlobStore {
  readonly driver = 's3' as const;
  readonly bucket: string;
  /** The endpoint as configured, or AWS's regional endpoint; used in messages and public URLs. */
  readonly endpoint: string;
  private readonly client: S3Client;
  private readonly config: S3BlobConfig;

  constructor(config: S3BlobConfig) {
    this.config = config;
    this.bucket = config.bucket;
    this.endpoint = (config.endpoint ?? `https://s3.${config.region}.amazonaws.com`).replace(/\/+$/, '');
    this.client = new S3Client(s3ClientConfig(config));
  }

  /** Takes ownership of a stream body: it is consumed, or destroyed when the put fails. */
  async put(key: string, body: Buffer | Uint8Array | Readable, options: PutOptions = {}): Promise<BlobHead> {
    const metadata = { ...options.metadata };
    const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
    try {
      assertValidBlobKey(key);
      assertValidMetadata(metadata);
    } catch (error) {
      if (body instanceof Readable) body.destroy();
      throw error;
    }
    const params = {
      Bucket: this.bucket,
      Key: key,
      ContentType: contentType,
      Metadata: encodeMetadata(metadata),
    };

    if (!(body instanceof Readable)) {
      try {
        await this.client.send(new PutObjectCommand({ ...params, Body: body, ContentLength: body.byteLength }));
      } catch (error) {
        throw this.translate(error);
      }
      return { key, size: body.byteLength, contentType, metadata, lastModified: undefined };
    }

    // The length of a stream is unknown up front: lib-storage buffers it into parts (multipart upload above
    // 5 MiB, a single PUT below) and aborts the multipart upload if anything fails.
    // The caller's stream failing (a download cut short) is rethrown unchanged, not blamed on S3.
    let size = 0;
    let sourceError: unknown;
    const counted = Readable.from(
      (async function* countBytes() {
        try {
          for await (const chunk of body as AsyncIterable<Buffer | Uint8Array | string>) {
            const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            size += bytes.byteLength;
            yield bytes;
          }
        } catch (error) {
          sourceError = error;
          throw error;
        }
      })(),
      { objectMode: false },
    );
    try {
      await new Upload({ client: this.client, params: { ...params, Body: counted } }).done();
    } catch (error) {
      body.destroy();
      counted.destroy();
      // lib-storage aborts the multipart upload after a failure and, if that abort fails too (s3rver does
      // not implement AbortMultipartUpload), throws the abort's error instead: the source's failure is
      // still the cause worth reporting.
      if (sourceError !== undefined) throw sourceError;
      throw this.translate(error);
    }
    return { key, size, contentType, metadata, lastModified: undefined };
  }

  async head(key: string): Promise<BlobHead | null> {
    assertValidBlobKey(key);
    try {
      return toBlobHead(key, await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
    } catch (error) {
      // A HEAD response has no body, so a missing bucket also reads as NotFound here; ping() tells them apart.
      if (isNotFound(error)) return null;
      throw this.translate(error);
    }
  }

  async get(key: string): Promise<BlobObject | null> {
    assertValidBlobKey(key);
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!(output.Body instanceof Readable)) {
        throw new Error(`S3 GetObject for ${JSON.stringify(key)} returned a body that is not a Node stream`);
      }
      return { ...toBlobHead(key, output), body: output.Body };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw this.translate(error);
    }
  }

  async delete(key: string): Promise<void> {
    assertValidBlobKey(key);
    try {
      // S3 answers 204 for a missing key too.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw this.translate(error);
    }
  }

  /**
   * MEDIA_BASE_URL + key when it is an absolute http(s) URL (a CDN or the bucket's public domain);
   * otherwise the object's own URL on the endpoint (path-style, or virtual-hosted when path style is off).
   */
  publicUrl(key: string): string {
    if (/^https?:\/\//i.test(this.config.publicBaseUrl)) return joinPublicUrl(this.config.publicBaseUrl, key);
    if (this.config.forcePathStyle) return joinPublicUrl(`${this.endpoint}/${encodeURIComponent(this.bucket)}`, key);
    const url = new URL(this.endpoint);
    url.hostname = `${this.bucket}.${url.hostname}`;
    return joinPublicUrl(url.origin + url.pathname, key);
  }

  async ping(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      // HeadBucket's 404 has no body: on this request it can only mean the bucket.
      throw isNotFound(error) ? this.missingBucket(error) : this.translate(error);
    }
  }

  /** Creates the bucket when it is missing; used by tests and by `migrate`. */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (!isNotFound(error)) throw this.translate(error);
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      // Another process created it in between.
      const name = (error as { name?: string }).name;
      if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return;
      throw this.translate(error);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private serviceName(): string {
    return `blob store (S3 ${this.endpoint}, bucket ${this.bucket})`;
  }

  private missingBucket(cause: unknown): ServiceUnavailableError {
    return new ServiceUnavailableError(this.serviceName(), `the bucket "${this.bucket}" does not exist`, {
      hint: `Create the bucket (for example: aws s3 mb s3://${this.bucket} --endpoint-url ${this.endpoint}), or fix S3_BUCKET.`,
      cause,
    });
  }

  /** Connection and permission failures become ServiceUnavailableError saying what to do; others pass through. */
  private translate(error: unknown): unknown {
    if (isConnectionError(error)) {
      return new ServiceUnavailableError(this.serviceName(), `cannot connect (${describeError(error)})`, {
        hint: 'Start the S3 server (or check your network), and check S3_ENDPOINT.',
        cause: error,
      });
    }
    if (isNoSuchBucket(error)) return this.missingBucket(error);
    const status = httpStatus(error);
    if (status === 401 || status === 403) {
      return new ServiceUnavailableError(this.serviceName(), `access denied (HTTP ${status}, ${describeError(error)})`, {
        hint: 'Check S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY and the bucket policy.',
        cause: error,
      });
    }
    return error;
  }
}

function encodeMetadata(metadata: BlobMetadata): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, encodeMetadataValue(value)]));
}

function decodeMetadata(metadata: Record<string, string> | undefined): BlobMetadata {
  return Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, decodeMetadataValue(value)]));
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NotFound' || name === 'NoSuchKey' || (httpStatus(error) === 404 && !isNoSuchBucket(error));
}

function isNoSuchBucket(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'NoSuchBucket';
}

function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, name, errors } = error as { code?: unknown; name?: unknown; errors?: unknown };
  if (typeof code === 'string' && CONNECTION_ERRORS.has(code)) return true;
  // The SDK's connectionTimeout.
  if (name === 'TimeoutError') return true;
  // Node's happy-eyeballs connect (localhost → ::1 and 127.0.0.1) fails with an AggregateError.
  return Array.isArray(errors) && errors.some(isConnectionError);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message || error.name;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/** The fields HEAD and GET responses share, as a BlobHead. */
function toBlobHead(
  key: string,
  output: { ContentLength?: number; ContentType?: string; Metadata?: Record<string, string>; LastModified?: Date },
): BlobHead {
  return {
    key,
    size: output.ContentLength ?? 0,
    contentType: output.ContentType,
    metadata: decodeMetadata(output.Metadata),
    lastModified: output.LastModified,
  };
}
