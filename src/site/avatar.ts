// An author's avatar as an <img> (the stored copy and its thumbnails) or, without one, their initial.
import type { SnapshotAuthor } from '../core/snapshot/schema.ts';

type AvatarAuthor = Pick<SnapshotAuthor, 'name' | 'avatarUrl' | 'avatarThumbs'>;

export interface AvatarImage {
  src: string;
  /** Width descriptors of every stored size (thumbnails and the original when wider), or null. */
  srcset: string | null;
}

/**
 * The image for an avatar shown at `cssPx` CSS pixels: `src` is the narrowest thumbnail covering it at 2×
 * (else the widest thumbnail, else the original), `srcset` lets the browser pick by density. Null: draw
 * the initial (no stored avatar).
 */
export function avatarImage(author: AvatarAuthor, cssPx: number): AvatarImage | null {
  if (!author.avatarUrl) return null;
  const thumbs = [...(author.avatarThumbs ?? [])].sort((a, b) => a.width - b.width);
  if (thumbs.length === 0) return { src: author.avatarUrl, srcset: null };
  const src = (thumbs.find((t) => t.width >= cssPx * 2) ?? thumbs[thumbs.length - 1]!).url;
  return { src, srcset: thumbs.map((t) => `${t.url} ${t.width}w`).join(', ') };
}

/** The fallback: the name's first character (a whole code point), or 佚 for a nameless author. */
export function avatarInitial(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? '佚';
}
