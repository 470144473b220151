import { describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli.ts';

describe('cache command', () => {
  it('is a no-op without Redis and refuses unknown subcommands', async () => {
    const rebuild = await runCli(['cache', 'rebuild'], { env: { LOG_LEVEL: 'silent' } });
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toContain('REDIS_URL is not set; nothing to rebuild');
    const flush = await runCli(['cache', 'flush'], { env: { LOG_LEVEL: 'silent' } });
    expect(flush.code).toBe(2);
    expect(flush.stderr).toContain('expected: cache rebuild');
  });
});
