/**
 * An author's avatar as the ingest stored it in the BlobStore (authors.avatar_json): the site shows these
 * objects under /media, never the upstream URL, which rots and is hotlink-protected.
 */
export interface StoredAvatar {
  /** The upstream URL it was downloaded from: when the author's avatar URL changes, it is fetched again. */
  from: string;
  /** The original's blob key (content-addressed: `avatars/{source}/{hash}.{ext}`). */
  key: string;
  width: number;
  height: number;
  /** Each distinct WebP thumbnail (src/core/media/thumbnails.ts keys) with its pixel width, narrowest first. */
  thumbnails: Array<{ key: string; width: number }>;
}
