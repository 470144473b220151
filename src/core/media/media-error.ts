// The error for a media unit that cannot become a stored image or video: the upstream answered, but not with an
// image we can keep. The crawl ledger records it with kind `media` (errorKindOf reads `kind`).

export type MediaErrorReason =
  /** The body is not an image at all (an HTML error page served with 200, JSON, an empty body). */
  | 'not-image'
  /** A recognised format we do not store (a video) or cannot decode (BMP, HEIC with this sharp build). */
  | 'unsupported'
  /** The bytes start like an image, but the decoder fails (truncated download, corrupt data, pixel bomb). */
  | 'corrupt'
  /** The body exceeds the configured maximum size (bytes, or a video's dimensions or frame count). */
  | 'too-large'
  /** A video longer than the configured maximum duration. */
  | 'too-long'
  /** Expected a video, got something else (an image, an archive, a page), whatever its name says. */
  | 'not-video';

/** Reasons that may go away by downloading again (a truncated transfer, a CDN error page). */
const RETRYABLE_REASONS: ReadonlySet<MediaErrorReason> = new Set(['not-image', 'not-video', 'corrupt']);

export class MediaError extends Error {
  readonly kind = 'media' as const;
  readonly reason: MediaErrorReason;
  /** The image's URL (credentials redacted). */
  readonly url: string;
  /** Whether downloading again later might succeed. */
  readonly retryable: boolean;
  constructor(reason: MediaErrorReason, url: string, message: string, options: { cause?: unknown } = {}) {
    super(`${message} (${url})`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MediaError';
    this.reason = reason;
    this.url = url;
    this.retryable = RETRYABLE_REASONS.has(reason);
  }
}
