// Validation shared by every BlobStore driver, so that a key or a metadata map accepted by one driver is
// accepted by all of them (a feature must never work only with the local directory or only with S3).
import { InvalidInputError } from '../errors.ts';
import type { BlobMetadata } from './blob-store.ts';

/** S3's limit on key length, in UTF-8 bytes. */
export const MAX_BLOB_KEY_BYTES = 1024;

/**
 * The usual filesystem limit on one path component (NAME_MAX). The local driver stores each key at the
 * same relative path (and its sidecar at the same path under `.meta/`), so a longer segment could be
 * written to S3 but not to a directory.
 */
const MAX_BLOB_KEY_SEGMENT_BYTES = 255;

/** S3's limit on user metadata: the UTF-8 bytes of every key and (wire-encoded) value, summed. */
export const MAX_METADATA_BYTES = 2048;

// With the `u` flag a well-formed surrogate pair is one code point, so only lone halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Throws InvalidInputError unless `key` is a relative, `/`-separated path that cannot escape a root
 * directory and means the same thing on a filesystem and in a bucket.
 *
 * Besides `.` and `..`, every segment starting with a dot is rejected: the local driver keeps its
 * sidecars and temp files under dot-names (so no key can collide with them), and static file servers
 * (`send`, used by the Node adapter for `/media`) refuse to serve dotfiles anyway.
 */
export function assertValidBlobKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw invalidKey(key, 'the key is empty');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_BLOB_KEY_BYTES) {
    throw invalidKey(key, `the key is ${bytes} bytes long, the limit is ${MAX_BLOB_KEY_BYTES} (UTF-8)`);
  }
  const control = /[\u0000-\u001f\u007f]/.exec(key);
  if (control) {
    const code = control[0].codePointAt(0)!.toString(16).padStart(4, '0');
    throw invalidKey(key, `the key contains the control character U+${code.toUpperCase()}`);
  }
  if (LONE_SURROGATE.test(key)) throw invalidKey(key, 'the key is not well-formed Unicode (a lone surrogate)');
  if (key.includes('\\')) throw invalidKey(key, 'the key contains a backslash (use "/" between segments)');
  if (key.startsWith('/')) throw invalidKey(key, 'the key is an absolute path (keys are relative, without a leading "/")');
  for (const segment of key.split('/')) {
    if (segment === '') throw invalidKey(key, 'the key has an empty segment ("//" or a trailing "/")');
    if (segment === '..' || segment === '.') throw invalidKey(key, `the key has a "${segment}" segment`);
    const segmentBytes = Buffer.byteLength(segment, 'utf8');
    if (segmentBytes > MAX_BLOB_KEY_SEGMENT_BYTES) {
      throw invalidKey(
        key,
        `a segment is ${segmentBytes} bytes long, the limit is ${MAX_BLOB_KEY_SEGMENT_BYTES} (UTF-8, a filesystem name)`,
      );
    }
    if (segment.startsWith('.')) {
      throw invalidKey(key, `the segment "${segment}" starts with a dot (dot-names are reserved for the store)`);
    }
  }
}

function invalidKey(key: string, reason: string): InvalidInputError {
  return new InvalidInputError(`invalid blob key ${JSON.stringify(key)}: ${reason}`);
}

/** `base` + `/` + the key with each segment percent-encoded; `/` between segments stays literal. */
export function joinPublicUrl(base: string, key: string): string {
  assertValidBlobKey(key);
  const encoded = key.split('/').map(encodeURIComponent).join('/');
  return `${base.replace(/\/+$/, '')}/${encoded}`;
}

// Metadata keys become `x-amz-meta-<key>` headers and S3 lowercases them, so only lowercase header-safe
// names are accepted: a camelCase key would silently come back renamed from S3 but not from a directory.
const METADATA_KEY = /^[a-z0-9][a-z0-9_-]*$/;

/** Throws InvalidInputError unless every metadata pair would survive S3 unchanged. */
export function assertValidMetadata(metadata: BlobMetadata): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(metadata)) {
    if (!METADATA_KEY.test(key)) {
      throw new InvalidInputError(
        `invalid blob metadata key ${JSON.stringify(key)}: use lowercase letters, digits, "_" and "-" (S3 lowercases header names)`,
      );
    }
    if (typeof value !== 'string' || LONE_SURROGATE.test(value)) {
      throw new InvalidInputError(
        `invalid blob metadata value for ${JSON.stringify(key)}: expected a well-formed Unicode string`,
      );
    }
    bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(encodeMetadataValue(value), 'utf8');
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new InvalidInputError(`blob metadata is ${bytes} bytes once encoded, the limit is ${MAX_METADATA_BYTES}`);
  }
}

/**
 * Marks a metadata value that was percent-encoded for the wire. HTTP header values must be ASCII and
 * lose leading/trailing spaces, so values that are not plain printable ASCII travel as
 * MARKER + encodeURIComponent(value). A plain value that happens to start with the marker is encoded
 * too, which keeps decoding unambiguous.
 */
export const METADATA_ENCODED_MARKER = '~u8~';

const PLAIN_HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** The header-safe (ASCII) form of a metadata value; see METADATA_ENCODED_MARKER. */
export function encodeMetadataValue(value: string): string {
  if (PLAIN_HEADER_VALUE.test(value) && !value.startsWith(METADATA_ENCODED_MARKER)) return value;
  return METADATA_ENCODED_MARKER + encodeURIComponent(value);
}

/** Inverse of encodeMetadataValue; a value written by another tool that merely looks encoded is kept as is. */
export function decodeMetadataValue(value: string): string {
  if (!value.startsWith(METADATA_ENCODED_MARKER)) return value;
  try {
    return decodeURIComponent(value.slice(METADATA_ENCODED_MARKER.length));
  } catch {
    return value;
  }
}
