import { UserFacingError } from '../errors.ts';

export interface MigrationJournal {
  entries: Array<{ tag: string; when: number }>;
}

/**
 * Compare the newest migration recorded in the database (drizzle's __drizzle_migrations.created_at holds
 * the migration's folder timestamp) with the newest one shipped in the journal.
 */
export function assertJournalApplied(latestApplied: number | null, journal: MigrationJournal, where: string): void {
  const newest = journal.entries.at(-1);
  if (!newest) return;
  if (latestApplied === null || latestApplied < newest.when) {
    const pending = journal.entries.filter((entry) => latestApplied === null || entry.when > latestApplied);
    throw new UserFacingError(
      `${where} is missing ${pending.length} migration(s): ${pending.map((entry) => entry.tag).join(', ')}`,
      { hint: 'run `npm run migrate` (the same DATABASE_URL) and start again' },
    );
  }
}

/** drizzle's migration table is absent until the first migrate: treat "no such table" as nothing applied. */
export function isMissingTableError(error: unknown): boolean {
  // drizzle wraps driver errors (DrizzleQueryError); the driver's message and code are on `cause`.
  for (let e = error as { message?: string; code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (/no such table|doesn't exist|ER_NO_SUCH_TABLE/i.test(`${e.message ?? ''} ${e.code ?? ''}`)) return true;
  }
  return false;
}
