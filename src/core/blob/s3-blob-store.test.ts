import { Readable } from 'node:stream';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceUnavailableError } from '../errors.ts';
import { closedPort } from '../testing/net.ts';
import { S3RVER_CREDENTIALS, s3TestConfig, startS3rver } from '../testing/s3rver.ts';
import { serviceGate, uniqueSuffix } from '../testing/services.ts';
import { METADATA_ENCODED_MARKER } from './blob-key.ts';
import { describeBlobStoreContract, randomStream, SEED_METADATA, STREAM_BYTES } from './blob-store.contract.ts';
import { readAll } from '../testing/images.ts';
import { createBlobStore } from './create-blob-store.ts';
import { S3BlobStore, type S3BlobConfig } from './s3-blob-store.ts';

const CREDENTIALS = S3RVER_CREDENTIALS;
const s3Config = s3TestConfig;

const started = await startS3rver();
const available = serviceGate('s3rver', {
  available: 'endpoint' in started,
  reason: 'error' in started ? `s3rver did not start: ${String(started.error)}` : '',
});
const s3rver = 'endpoint' in started ? started : undefined;
afterAll(async () => {
  await s3rver?.stop();
});

const rawClient = s3rver
  ? new S3Client({ endpoint: s3rver.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS })
  : undefined;
afterAll(() => rawClient?.destroy());

async function listKeys(bucket: string): Promise<string[]> {
  const output = await rawClient!.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (output.Contents ?? []).map((object) => object.Key!).sort();
}

/** A store on a fresh bucket of the shared s3rver. */
async function freshStore(overrides: Partial<S3BlobConfig> = {}): Promise<{ store: S3BlobStore; bucket: string }> {
  const bucket = `huaku-test-${uniqueSuffix()}`;
  const store = new S3BlobStore(s3Config(s3rver!.endpoint, bucket, overrides));
  await store.ensureBucket();
  return { store, bucket };
}

if (available) {
  describeBlobStoreContract('S3 (s3rver)', async () => {
    const { store, bucket } = await freshStore();
    return { store, cleanup: () => store.close(), listRaw: () => listKeys(bucket) };
  });
}

describe.runIf(available)('S3BlobStore', () => {
  const stores: S3BlobStore[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    while (stores.length > 0) await stores.pop()!.close();
  });
  function track<T extends { store: S3BlobStore }>(made: T): T {
    stores.push(made.store);
    return made;
  }

  it('createBlobStore picks the S3 driver', async () => {
    const store = createBlobStore(s3Config(s3rver!.endpoint, 'any'));
    expect(store).toBeInstanceOf(S3BlobStore);
    expect(store.driver).toBe('s3');
    await store.close();
  });

  it('ping against a closed port names the endpoint and says what to do', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const store = new S3BlobStore(s3Config(endpoint, 'some-bucket'));
    stores.push(store);
    const error = await store.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    const message = (error as ServiceUnavailableError).message;
    expect(message).toContain(endpoint);
    expect(message).toContain('some-bucket');
    expect(message).toContain('ECONNREFUSED');
    expect((error as ServiceUnavailableError).format()).toMatch(/Start the S3 server.*S3_ENDPOINT/);
  });

  it('other operations against a closed port fail the same way', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const store = new S3BlobStore(s3Config(endpoint, 'some-bucket'));
    stores.push(store);
    await expect(store.put('a', Buffer.from('x'))).rejects.toThrow(ServiceUnavailableError);
    await expect(store.head('a')).rejects.toThrow(endpoint);
  });

  it('ping against a missing bucket says to create it', async () => {
    const store = new S3BlobStore(s3Config(s3rver!.endpoint, `missing-${uniqueSuffix()}`));
    stores.push(store);
    const error = await store.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).message).toMatch(/bucket "missing-[a-z0-9]+" does not exist/);
    expect((error as ServiceUnavailableError).format()).toMatch(/Create the bucket.*S3_BUCKET/);
  });

  it('get on a missing bucket is the same ServiceUnavailableError, not a missing object', async () => {
    const store = new S3BlobStore(s3Config(s3rver!.endpoint, `missing-${uniqueSuffix()}`));
    stores.push(store);
    await expect(store.get('a')).rejects.toThrow(/does not exist/);
  });

  it('ensureBucket creates a missing bucket and is idempotent', async () => {
    const bucket = `huaku-test-${uniqueSuffix()}`;
    const store = new S3BlobStore(s3Config(s3rver!.endpoint, bucket));
    stores.push(store);
    await expect(store.ping()).rejects.toThrow(ServiceUnavailableError);
    await store.ensureBucket();
    await store.ensureBucket();
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('stores metadata as S3 user metadata: ASCII as is, other values marked and percent-encoded', async () => {
    const { store, bucket } = track(await freshStore());
    await store.put('meta/1.png', Buffer.from('x'), { metadata: { ...SEED_METADATA, title: '猫' } });
    const raw = await rawClient!.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta/1.png' }));
    expect(raw.Metadata).toMatchObject({
      original_url: SEED_METADATA.original_url,
      image_index: '0',
      width: '1024',
      height: '1536',
      work_slug: METADATA_ENCODED_MARKER + encodeURIComponent(SEED_METADATA.work_slug),
      title: `${METADATA_ENCODED_MARKER}%E7%8C%AB`,
    });
  });

  it('a Buffer goes up in one PutObject; a large stream as a multipart upload', async () => {
    const { store } = track(await freshStore());
    const send = vi.spyOn(S3Client.prototype, 'send');
    const commands = () => send.mock.calls.map(([command]) => command.constructor.name);

    await store.put('one.bin', Buffer.alloc(6 * 1024 * 1024, 1));
    expect(commands()).toEqual(['PutObjectCommand']);

    send.mockClear();
    const { stream } = randomStream(STREAM_BYTES);
    await store.put('many.bin', stream);
    expect(commands()).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    expect((await store.head('many.bin'))!.size).toBe(STREAM_BYTES);
  });

  it('a failing source stream rejects with its own error and leaves no object', async () => {
    const { store, bucket } = track(await freshStore());
    const failing = Readable.from(
      (async function* failing() {
        yield Buffer.alloc(6 * 1024 * 1024, 1); // past the first 5 MiB part: a multipart upload is under way
        throw new Error('upstream connection reset');
      })(),
      { objectMode: false },
    );
    await expect(store.put('broken.bin', failing)).rejects.toThrow('upstream connection reset');
    expect(await store.head('broken.bin')).toBeNull();
    expect(await listKeys(bucket)).toEqual([]);
  });

  it('publicUrl is path-style on the endpoint and serves the object there', async () => {
    const { store, bucket } = track(await freshStore());
    const key = '作品/猫 1.png';
    await store.put(key, Buffer.from('public bytes'), { contentType: 'image/png' });
    const url = store.publicUrl(key);
    expect(url).toBe(`${s3rver!.endpoint}/${bucket}/%E4%BD%9C%E5%93%81/%E7%8C%AB%201.png`);
    // s3rver has no ACLs: an anonymous GET stands in for a public bucket.
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('public bytes');
  });

  it('publicUrl uses MEDIA_BASE_URL when it is an absolute URL, and virtual-hosted style without path style', async () => {
    const cdn = new S3BlobStore(s3Config('http://minio.local:9000/', 'img', { publicBaseUrl: 'https://cdn.example.com/media' }));
    const vhost = new S3BlobStore(s3Config('https://s3.example.com', 'img', { forcePathStyle: false }));
    const aws = new S3BlobStore({ ...s3Config('', 'img'), endpoint: undefined, region: 'eu-west-1' });
    stores.push(cdn, vhost, aws);
    expect(cdn.publicUrl('a/b c.png')).toBe('https://cdn.example.com/media/a/b%20c.png');
    expect(new S3BlobStore(s3Config('http://minio.local:9000/', 'img')).publicUrl('a')).toBe('http://minio.local:9000/img/a');
    expect(vhost.publicUrl('a/b.png')).toBe('https://img.s3.example.com/a/b.png');
    expect(aws.publicUrl('a.png')).toBe('https://s3.eu-west-1.amazonaws.com/img/a.png');
  });

  it('get streams the body', async () => {
    const { store } = track(await freshStore());
    await store.put('s', Buffer.from('streamed'));
    const object = await store.get('s');
    expect(object!.body).toBeInstanceOf(Readable);
    expect((await readAll(object!.body)).toString()).toBe('streamed');
  });
});
