// Blob keys for downloaded originals, from a template (seed 000: `liblib/transportation/{yyyy}/{mm}/{dd}/
// {slug}/{index}_{hash}.{ext}`), generalised to every source and category.
//
// Decisions:
// - {hash} is the first 16 hex characters (64 bits) of the content's SHA-256. That is short enough for
//   readable keys and, with the slug and index beside it, far from any collision; the full 64-character
//   hex digest goes in the database (work_images.content_hash) and in the object's metadata, and dedupe
//   compares the full digest.
// - {yyyy}/{mm}/{dd} come from the work's published date in UTC. A work without a date renders
//   0000/00/00 rather than today's date: the key must not depend on when the crawler ran, or a rerun
//   would upload the same content under a new key.
// - Every value is sanitised into one safe key segment: `/`, `\`, control characters, whitespace and
//   characters that need escaping in URLs or are reserved on Windows become `-`; leading dots are
//   dropped (no `.`/`..` segments, no dot-files); Chinese and other letters are kept; each value is cut
//   to MAX_VALUE_BYTES of UTF-8 on a character boundary. The rendered key is then checked with the
//   BlobStore's own key rules.
// - The template is checked when it is compiled: unknown placeholders, unbalanced braces, a template
//   without {hash} or {ext}, or static text that is not a valid key are configuration errors.
import { createHash } from 'node:crypto';
import { UserFacingError, InvalidInputError } from '../errors.ts';
import { assertValidBlobKey } from '../blob/blob-key.ts';
import { compileTemplate, placeholderList, renderTemplate, type TemplatePart } from './placeholder-template.ts';

const MEDIA_KEY_PLACEHOLDERS = ['source', 'category', 'yyyy', 'mm', 'dd', 'slug', 'index', 'hash', 'ext'] as const;
export type MediaKeyPlaceholder = (typeof MEDIA_KEY_PLACEHOLDERS)[number];

/** The default template for Liblib; `{category}` comes from configuration (e.g. "transportation"). */
export const LIBLIB_MEDIA_KEY_TEMPLATE = 'liblib/{category}/{yyyy}/{mm}/{dd}/{slug}/{index}_{hash}.{ext}';

/** A template that fits every source: the source name first. */
export const DEFAULT_MEDIA_KEY_TEMPLATE = '{source}/{category}/{yyyy}/{mm}/{dd}/{slug}/{index}_{hash}.{ext}';

/** Hex characters of the SHA-256 that go into a key as {hash}. */
export const KEY_HASH_LENGTH = 16;

/** Longest rendering of one value, in UTF-8 bytes (a key segment may hold 255). */
const MAX_VALUE_BYTES = 100;

export interface MediaKeyInput {
  source: string;
  category: string;
  slug: string;
  /** The image's position in its work (0-based). */
  index: number;
  /** The work's published date; null renders 0000/00/00. */
  publishedAt: Date | null;
  /** The full lowercase hex SHA-256 of the content (64 characters). */
  contentHash: string;
  /** The extension of the detected format, without a dot. */
  ext: string;
}

const ALL_PLACEHOLDERS: ReadonlySet<MediaKeyPlaceholder> = new Set(MEDIA_KEY_PLACEHOLDERS);
const TEMPLATE_HINT = `Placeholders: ${placeholderList(MEDIA_KEY_PLACEHOLDERS)}; e.g. ${LIBLIB_MEDIA_KEY_TEMPLATE}`;

/** A checked key template. Construct once (at startup) so a bad template fails before any download. */
export class MediaKeyTemplate {
  readonly template: string;
  readonly placeholders: ReadonlySet<MediaKeyPlaceholder>;
  private readonly parts: readonly TemplatePart<MediaKeyPlaceholder>[];

  constructor(template: string) {
    this.template = template;
    const { parts, used } = compileTemplate(template, MEDIA_KEY_PLACEHOLDERS, (reason) => templateError(template, reason));
    if (!used.has('hash')) {
      throw templateError(template, 'it has no {hash}: keys must follow the content, or a changed image would overwrite the old one');
    }
    if (!used.has('ext')) throw templateError(template, 'it has no {ext}');
    this.parts = parts;
    this.placeholders = used;
    // The static text must make a valid key by itself (no "..", no leading "/", no empty segment).
    const sample = this.renderValues(Object.fromEntries(MEDIA_KEY_PLACEHOLDERS.map((p) => [p, 'x'])) as Record<MediaKeyPlaceholder, string>);
    try {
      assertValidBlobKey(sample);
    } catch (error) {
      throw templateError(template, error instanceof Error ? error.message : String(error));
    }
  }

  /** The blob key for one image. Throws InvalidInputError when a value the template uses is missing. */
  render(input: MediaKeyInput): string {
    const values = mediaKeyValues(input, this.placeholders);
    const key = this.renderValues(values);
    assertValidBlobKey(key);
    return key;
  }

  private renderValues(values: Record<MediaKeyPlaceholder, string>): string {
    return renderTemplate(this.parts, (placeholder) => values[placeholder]);
  }
}

/** Compile (or reuse) a template and render one key. */
export function renderMediaKey(template: string | MediaKeyTemplate, input: MediaKeyInput): string {
  return (typeof template === 'string' ? new MediaKeyTemplate(template) : template).render(input);
}

/** The sanitised value of every placeholder (exported for tests and for logs). */
function mediaKeyValues(
  input: MediaKeyInput,
  required: ReadonlySet<MediaKeyPlaceholder> = ALL_PLACEHOLDERS,
): Record<MediaKeyPlaceholder, string> {
  const need = (name: MediaKeyPlaceholder, value: string): string => {
    const segment = sanitizeKeySegment(value);
    if (required.has(name) && segment === '') {
      throw new InvalidInputError(`media key: {${name}} is empty (got ${JSON.stringify(value)})`);
    }
    return segment;
  };
  if (!/^[0-9a-f]{64}$/.test(input.contentHash)) {
    throw new InvalidInputError(`media key: contentHash must be a lowercase hex SHA-256, got ${JSON.stringify(input.contentHash)}`);
  }
  if (!Number.isSafeInteger(input.index) || input.index < 0) {
    throw new InvalidInputError(`media key: index must be a non-negative integer, got ${input.index}`);
  }
  const date = input.publishedAt;
  const dated = date !== null && !Number.isNaN(date.getTime());
  return {
    source: need('source', input.source),
    category: need('category', input.category),
    yyyy: dated ? String(date.getUTCFullYear()).padStart(4, '0') : '0000',
    mm: dated ? String(date.getUTCMonth() + 1).padStart(2, '0') : '00',
    dd: dated ? String(date.getUTCDate()).padStart(2, '0') : '00',
    slug: need('slug', input.slug),
    index: String(input.index),
    hash: input.contentHash.slice(0, KEY_HASH_LENGTH),
    ext: need('ext', input.ext.replace(/^\.+/, '').toLowerCase()),
  };
}

// Control and format characters, separators, and characters that need escaping in URLs or are reserved
// in Windows file names.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\s/\\<>:"|?*#%+&=;'`^{}[\]~]+/gu;

/** One safe key segment from any value (see the decisions at the top); '' when nothing is left. */
export function sanitizeKeySegment(value: string, maxBytes = MAX_VALUE_BYTES): string {
  // With the `u` flag a surrogate pair is one code point, so only lone halves match.
  let text = String(value).replace(/[\uD800-\uDFFF]/gu, '-').normalize('NFC');
  text = text.replace(UNSAFE, '-').replace(/-{2,}/g, '-');
  text = text.replace(/^[.\-]+/, '').replace(/[.\-]+$/, '');
  text = truncateUtf8(text, maxBytes).replace(/[.\-]+$/, '');
  return text;
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}

/**
 * The blob key of an author's avatar: `avatars/{source}/{hash}.{ext}`. Content-addressed (no author in it),
 * so the default avatar many users share is stored once and a rerun finds it without a lookup.
 */
export function avatarKey(source: string, contentHash: string, ext: string): string {
  if (!/^[0-9a-f]{64}$/.test(contentHash)) {
    throw new InvalidInputError(`avatar key: contentHash must be a lowercase hex SHA-256, got ${JSON.stringify(contentHash)}`);
  }
  const key = `avatars/${sanitizeKeySegment(source) || 'unknown'}/${contentHash.slice(0, KEY_HASH_LENGTH)}.${sanitizeKeySegment(ext.replace(/^\.+/, '').toLowerCase()) || 'bin'}`;
  assertValidBlobKey(key);
  return key;
}

/** Lowercase hex SHA-256 of a buffer (tests and small payloads; downloads hash while streaming). */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function templateError(template: string, reason: string): UserFacingError {
  return new UserFacingError(`invalid media key template ${JSON.stringify(template)}: ${reason}`, { hint: TEMPLATE_HINT });
}
