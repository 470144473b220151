// Helpers for the community tests: a migrated SQLite store in a temp dir, Redis availability, services
// built on them, and test images.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { LocalBlobStore } from '../../core/blob/local-blob-store.ts';
import { loadConfig } from '../../core/env.ts';
import { createLogger } from '../../core/log.ts';
import { pingRedis } from '../cache/ping-redis.ts';
import { openMigratedStore, type MigratableStore } from '../../core/store/create-store.ts';
import { testConfig, uniqueSuffix, type ServiceAvailability } from '../../core/testing/services.ts';
import { createServerServices, type ServerServices } from '../start-up.ts';

export async function tempSqliteStore(): Promise<{ store: MigratableStore; dir: string; cleanup(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-community-'));
  const store = await openMigratedStore({ kind: 'sqlite', file: path.join(dir, 'huaku.db') });
  return {
    store,
    dir,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function redisAvailability(): Promise<ServiceAvailability> {
  const url = testConfig.testing.redisUrl;
  if (!url) return { available: false, reason: 'TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379)' };
  return pingRedis(url, 2000).then(
    () => ({ available: true, reason: '' }),
    (error: Error) => ({ available: false, reason: error.message }),
  );
}

/** A key prefix no other test run uses, so suites can share one Redis. */
export const testRedisPrefix = () => `huaku-test-${uniqueSuffix()}:`;

/** Community services over a temp SQLite store and blob dir, optionally with Redis. */
export async function testServices(env: Record<string, string> = {}, options: { startWorkers?: boolean } = {}): Promise<ServerServices & { dir: string; cleanup(): Promise<void> }> {
  const { store, dir, cleanup } = await tempSqliteStore();
  const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_WRITE: 'off', RATE_LIMIT_IP: 'off', RATE_LIMIT_LOGIN: 'off', ...env }, dir);
  const blobs = new LocalBlobStore({ driver: 'local', dir: path.join(dir, 'blobs'), publicBaseUrl: '/media' });
  const services = await createServerServices({ config, store, blobs, log: createLogger(config) }, options);
  return {
    ...services,
    /** The temp directory: the SQLite file is dir/huaku.db, blobs under dir/blobs. */
    dir,
    cleanup: async () => {
      await services.close();
      await blobs.close();
      await cleanup();
    },
  };
}

/** A small real image of the given format (solid colour, with a gradient so it compresses like a photo). */
export async function testImage(format: 'png' | 'jpeg' | 'webp', width = 64, height = 48): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) % 251;
  return sharp(raw, { raw: { width, height, channels: 3 } }).toFormat(format).toBuffer();
}
