// Paginated lists (the feed in both orders): page slicing, the numbered links to show, page URLs.
// Page 1 lives at the list's base path (`/feed`), page n ≥ 2 at `<base>/<n>`, so a list has one URL per page.

/** Works per feed page: a multiple of 2, 3, 4 and 6 so full pages fill every column count. */
export const FEED_PAGE_SIZE = 48;

export interface PageSlice<T> {
  items: T[];
  /** 1-based. */
  page: number;
  pageCount: number;
}

/** The number of pages `total` items make (at least 1, so an empty list still has its first page). */
export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

/** Items of page `page` (1-based). */
export function pageSlice<T>(items: readonly T[], page: number, size: number): PageSlice<T> {
  return { items: items.slice((page - 1) * size, page * size), page, pageCount: pageCount(items.length, size) };
}

/** `/feed` for page 1, `/feed/3` for page 3. */
export function pagePath(basePath: string, page: number): string {
  return page <= 1 ? basePath : `${basePath}/${page}`;
}

/**
 * The page numbers to link, with `null` for a gap: always the first and last pages and `around` pages
 * either side of the current one, e.g. 1 … 4 5 [6] 7 8 … 20.
 */
export function pageNumbers(current: number, total: number, around = 2): (number | null)[] {
  const shown = new Set<number>([1, total]);
  for (let n = current - around; n <= current + around; n++) if (n >= 1 && n <= total) shown.add(n);
  const sorted = [...shown].sort((a, b) => a - b);
  const result: (number | null)[] = [];
  for (const [i, n] of sorted.entries()) {
    const previous = sorted[i - 1];
    // A gap of one page is shown as that page, not as an ellipsis standing for it.
    if (previous !== undefined && n - previous === 2) result.push(previous + 1);
    else if (previous !== undefined && n - previous > 2) result.push(null);
    result.push(n);
  }
  return result;
}

/** getStaticPaths entries of a list's numbered pages 2…n (page 1 is the base path, never `/1`). */
export function laterPageParams(total: number, size = FEED_PAGE_SIZE): { params: { page: string }; props: { page: number } }[] {
  return Array.from({ length: pageCount(total, size) - 1 }, (_, i) => ({ params: { page: String(i + 2) }, props: { page: i + 2 } }));
}
