import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-08-01T12:00:00Z');

  it('parses delta-seconds', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(' 30 ')).toBe(30_000);
    expect(parseRetryAfter('1.5')).toBe(1500);
  });

  it('parses an HTTP-date relative to now; a past date means no wait', () => {
    expect(parseRetryAfter('Fri, 01 Aug 2025 12:00:05 GMT', { now })).toBe(5000);
    expect(parseRetryAfter('Fri, 01 Aug 2025 11:59:00 GMT', { now })).toBe(0);
  });

  it('caps long waits', () => {
    expect(parseRetryAfter('3600')).toBe(120_000);
    expect(parseRetryAfter('3600', { maxMs: 10_000 })).toBe(10_000);
    expect(parseRetryAfter('Sat, 02 Aug 2025 12:00:00 GMT', { now })).toBe(120_000);
  });

  it('returns null for missing or invalid values', () => {
    for (const value of [undefined, null, '', '  ', '-1', 'soon', '1e3', 'Fri, 99 Foo 2025']) {
      expect(parseRetryAfter(value), String(value)).toBeNull();
    }
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['3', '10'])).toBe(3000);
  });
});
