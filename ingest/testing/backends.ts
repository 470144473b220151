// The two storage backends the ingest tests run on: SQLite + local blobs always, and MariaDB + s3rver
// whenever TEST_MYSQL_URL is set (.ci/run sets it and REQUIRE_SERVICES, so a missing one fails loudly).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from '../../src/core/blob/blob-store.ts';
import { LocalBlobStore } from '../../src/core/blob/local-blob-store.ts';
import { S3BlobStore } from '../../src/core/blob/s3-blob-store.ts';
import { createStore, migrationsDir, openMigratedStore, type MigratableStore } from '../../src/core/store/create-store.ts';
import type { DatabaseConfig } from '../../src/core/env.ts';
import { createTestDatabase, mysqlAvailability } from '../../src/core/testing/mysql.ts';
import { S3RVER_CREDENTIALS, s3TestConfig, startS3rver } from '../../src/core/testing/s3rver.ts';
import { serviceGate, uniqueSuffix } from '../../src/core/testing/services.ts';

export interface TestBackend {
  name: string;
  database: DatabaseConfig;
  store: MigratableStore;
  blobs: BlobStore;
  /** Env for a child process (the CLI) to use the same database and blobs. */
  env: Record<string, string>;
  /** Every original and thumbnail object key, sorted. */
  listBlobKeys(): Promise<string[]>;
  cleanup(): Promise<void>;
}

function walk(dir: string, root = dir): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.')) return []; // sidecar metadata and temp files
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full, root) : [path.relative(root, full).split(path.sep).join('/')];
  });
}

async function sqliteLocalBackend(): Promise<TestBackend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-backend-'));
  const database: DatabaseConfig = { kind: 'sqlite', file: path.join(dir, 'huaku.db') };
  const blobDir = path.join(dir, 'blobs');
  const store = await openMigratedStore(database);
  return {
    name: 'SQLite + local blobs',
    database,
    store,
    blobs: new LocalBlobStore({ driver: 'local', dir: blobDir, publicBaseUrl: '/media' }),
    env: { DATABASE_URL: `sqlite:${database.file}`, BLOB_DRIVER: 'local', BLOB_LOCAL_DIR: blobDir },
    listBlobKeys: async () => walk(blobDir).sort(),
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const mysqlReady = serviceGate('MariaDB/MySQL (ingest)', await mysqlAvailability());

/** MariaDB + s3rver, or null when MariaDB is not configured (and not required). */
async function mysqlS3Backend(): Promise<TestBackend | null> {
  if (!mysqlReady) return null;
  const started = await startS3rver();
  if ('error' in started) throw new Error(`s3rver did not start: ${String(started.error)}`);
  const db = await createTestDatabase('huaku_ingest');
  const bucket = `huaku-ingest-${uniqueSuffix()}`;
  const blobs = new S3BlobStore(s3TestConfig(started.endpoint, bucket));
  await blobs.ensureBucket();
  const store = await createStore(db.target);
  await store.migrate(migrationsDir('mysql'));
  const client = new S3Client({ endpoint: started.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  return {
    name: 'MariaDB + s3rver',
    database: db.target,
    store,
    blobs,
    env: {
      DATABASE_URL: db.target.url, BLOB_DRIVER: 's3', S3_ENDPOINT: started.endpoint, S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    },
    async listBlobKeys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    cleanup: async () => {
      client.destroy();
      await store.close();
      await blobs.close();
      await db.drop();
      await started.stop();
    },
  };
}

/** The backends to run a suite on, in order. */
export const BACKENDS: Array<{ name: string; open: () => Promise<TestBackend | null> }> = [
  { name: 'SQLite + local blobs', open: sqliteLocalBackend },
  { name: 'MariaDB + s3rver', open: mysqlS3Backend },
];
