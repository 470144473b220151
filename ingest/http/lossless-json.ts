// Lossless JSON: Liblib ids such as 1951175521614138640 exceed 2^53 and JSON.parse would round them.
// JSON.parse's reviver receives each primitive's source text (`context.source`, Node ≥ 21), so an
// integer literal that is not a safe integer comes back as a string with its exact digits.

const INTEGER_LITERAL = /^-?\d+$/;
/** Every unsafe integer has at least 16 digits (2^53 = 9007199254740992); without such a run, parse fast. */
const LONG_DIGIT_RUN = /\d{16}/;

function reviver(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && Number.isInteger(value)) {
    const source = context?.source;
    if (source !== undefined && INTEGER_LITERAL.test(source)) return source;
  }
  return value;
}

/**
 * Parse JSON, returning integers beyond ±(2^53 − 1) as decimal strings (exact digits); every other
 * number is unchanged (floats, exponent literals, safe integers). Throws SyntaxError on invalid JSON.
 */
export function parseJsonLossless(text: string): unknown {
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text);
  return JSON.parse(text, reviver);
}
