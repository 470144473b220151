// Display names (community users, Google profiles, upstream authors) as the site shows them. Invisible and
// direction-changing characters let one name pass for another (`admin` + a zero-width space), reverse the
// text around it (U+202E), or hide entirely (Hangul fillers); they are stripped wherever a name enters:
// the Store's user and author repositories, registration and the Google login.

/**
 * Format and control characters (bidi embeddings/overrides/isolates, zero-width spaces and joiners, BOM,
 * soft hyphen…), other default-ignorable code points (variation selectors aside: emoji need them), and
 * the fillers that render as blank. A zero-width joiner between two emoji survives (👩‍🎨).
 */
const INVISIBLE = /\p{Cc}|\p{Cf}|\p{Co}|\p{Cs}|[\u115F\u1160\u3164\uFFA0\u2800\u180E\u034F\u17B4\u17B5\uFFF9-\uFFFB]/gu;
const PICTOGRAPH_BEFORE = /\p{Extended_Pictographic}\uFE0F?$/u;
const PICTOGRAPH_AFTER = /^\p{Extended_Pictographic}/u;

/** The name without invisible or bidi-control characters, whitespace collapsed to single spaces, NFC. */
export function sanitizeDisplayName(value: string): string {
  return value
    .normalize('NFC')
    .replace(/[\t\n\r\v\f\u0085\u2028\u2029]/g, ' ')
    .replace(INVISIBLE, (char, offset: number, whole: string) =>
      char === '\u200D' && PICTOGRAPH_BEFORE.test(whole.slice(0, offset)) && PICTOGRAPH_AFTER.test(whole.slice(offset + 1)) ? char : '',
    )
    .replace(/\s+/gu, ' ')
    .trim();
}
