import { describe, expect, it } from 'vitest';
import { main } from '../cli.ts';

describe('cache command', () => {
  it('is a no-op without Redis and refuses unknown subcommands', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      expect(await main(['cache', 'rebuild'], { LOG_LEVEL: 'silent' })).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(lines.join('')).toContain('REDIS_URL is not set; nothing to rebuild');
    const stderr = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['cache', 'flush'], { LOG_LEVEL: 'silent' })).toBe(2);
    } finally {
      process.stderr.write = stderr;
    }
  });
});
