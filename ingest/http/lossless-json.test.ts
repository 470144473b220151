import { describe, expect, it } from 'vitest';
import { parseJsonLossless } from './lossless-json.ts';

describe('parseJsonLossless', () => {
  it('keeps integers beyond 2^53 as exact strings and leaves other numbers alone', () => {
    expect(parseJsonLossless('{"id":1951175521614138640,"n":1.5,"small":42}')).toEqual({
      id: '1951175521614138640',
      n: 1.5,
      small: 42,
    });
  });

  it('handles nesting, arrays, negatives and the 2^53 boundary', () => {
    const data = parseJsonLossless(
      '{"a":[9007199254740991,9007199254740992,-9007199254740993],"b":{"c":12345678901234567890123},"d":"1951175521614138640"}',
    );
    expect(data).toEqual({
      a: [9007199254740991, '9007199254740992', '-9007199254740993'],
      b: { c: '12345678901234567890123' },
      d: '1951175521614138640',
    });
  });

  it('leaves exponent and fractional literals as numbers', () => {
    expect(parseJsonLossless('[1e20, 12345678901234567.5, 0.1, -0]')).toEqual([1e20, 12345678901234567.5, 0.1, -0]);
  });

  it('works without big numbers (fast path) and on scalars', () => {
    expect(parseJsonLossless('{"x":[1,2,3],"y":null}')).toEqual({ x: [1, 2, 3], y: null });
    expect(parseJsonLossless('1951175521614138640')).toBe('1951175521614138640');
  });

  it('throws SyntaxError on invalid or truncated JSON', () => {
    expect(() => parseJsonLossless('<html>oops</html>')).toThrow(SyntaxError);
    expect(() => parseJsonLossless('{"id":1951175521614138640,')).toThrow(SyntaxError);
    expect(() => parseJsonLossless('')).toThrow(SyntaxError);
  });
});
