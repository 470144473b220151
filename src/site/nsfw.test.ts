import { describe, expect, it } from 'vitest';
import { isSensitive } from './nsfw.ts';

describe('isSensitive', () => {
  it('blurs the levels above Soft', () => {
    expect(isSensitive('None')).toBe(false);
    expect(isSensitive('Soft')).toBe(false);
    expect(isSensitive('Mature')).toBe(true);
    expect(isSensitive('X')).toBe(true);
  });
});
