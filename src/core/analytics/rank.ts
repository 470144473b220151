/**
 * The `limit` largest entries by count; ties are ordered by key (code points), so the result does not
 * depend on the order the entries were counted in.
 */
export function topByCount<T>(entries: Iterable<T>, count: (entry: T) => number, key: (entry: T) => string, limit: number): T[] {
  return [...entries]
    .sort((a, b) => count(b) - count(a) || compareCodePoints(key(a), key(b)))
    .slice(0, Math.max(0, limit));
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
