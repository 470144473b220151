import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '../../core/errors.ts';
import { closedPort } from '../../core/testing/net.ts';
import { serviceGate, testConfig } from '../../core/testing/services.ts';
import { pingRedis } from './ping-redis.ts';

const redisUrl = testConfig.testing.redisUrl;
const available = redisUrl
  ? await pingRedis(redisUrl).then(() => ({ available: true, reason: '' }), (e: Error) => ({ available: false, reason: e.message }))
  : { available: false, reason: 'TEST_REDIS_URL is not set' };

describe('pingRedis', () => {
  it.runIf(serviceGate('Redis', available))('answers with the server version on a real Redis', async () => {
    const result = await pingRedis(redisUrl!);
    expect(result.version).toMatch(/^\d+\.\d+/);
    expect(result.ms).toBeGreaterThanOrEqual(0);
  });

  it('names the host and says what to do when nothing listens', async () => {
    const port = await closedPort();
    const error = await pingRedis(`redis://:s3cret@127.0.0.1:${port}`, 1000).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    const text = (error as ServiceUnavailableError).format();
    expect(text).toContain(`127.0.0.1:${port}`);
    expect(text).toContain('REDIS_URL');
    expect(text).not.toContain('s3cret');
  });
});
