// The one sharp policy every decode in the project uses (uploads, downloads, thumbnails).

/**
 * How strict sharp is when decoding: truncated or corrupt data fails, mere warnings (extraneous bytes
 * after a JPEG marker, common on the web and harmless in browsers) do not.
 */
export const SHARP_FAIL_ON = 'error' as const;
