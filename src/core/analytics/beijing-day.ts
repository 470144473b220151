// Days are counted in Beijing time (UTC+8, no daylight saving since 1991): a work published at
// 2025-01-01T20:00Z belongs to 2025-01-02 for a reader in China.
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `YYYY-MM-DD` of an ISO date-time in Beijing time. */
export function beijingDay(isoDateTime: string): string {
  return new Date(Date.parse(isoDateTime) + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** Every `YYYY-MM-DD` from `first` to `last` inclusive. */
export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`), end = Date.parse(`${last}T00:00:00Z`); t <= end; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** The day `count - 1` days before `last`: the first day of a window of `count` days ending on `last`. */
export function windowStart(last: string, count: number): string {
  return new Date(Date.parse(`${last}T00:00:00Z`) - (count - 1) * DAY_MS).toISOString().slice(0, 10);
}
