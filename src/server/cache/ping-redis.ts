import { Redis } from 'ioredis';
import { ServiceUnavailableError, errorMessage } from '../../core/errors.ts';
import { maskUrlPassword } from '../../core/env.ts';

/** Connect once, PING, disconnect. Throws ServiceUnavailableError naming the host and what to do. */
export async function pingRedis(url: string, timeoutMs = 3000): Promise<{ ms: number; version: string | undefined }> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined); // reported through the rejected promise below
  const started = performance.now();
  try {
    await client.connect();
    await client.ping();
    const info = await client.info('server');
    return {
      ms: Math.round((performance.now() - started) * 10) / 10,
      version: /redis_version:(\S+)/.exec(info)?.[1],
    };
  } catch (error) {
    throw new ServiceUnavailableError('Redis', `cannot reach ${maskUrlPassword(url)}: ${errorMessage(error)}`, {
      hint: 'start Redis or fix REDIS_URL (leave it empty to run without Redis)',
      cause: error,
    });
  } finally {
    client.disconnect();
  }
}
