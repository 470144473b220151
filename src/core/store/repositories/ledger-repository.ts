// The crawl ledger: each unit of work (source, stage, key) with its status, attempts, last error
// kind and when it may run again, so an interrupted crawl resumes where it stopped and failures retry later.
import { and, asc, count, eq, gte, isNotNull, lt, lte, or, sql } from 'drizzle-orm';
import { LEDGER_STATUSES, type LedgerStatus, type Source } from '../../domain/enums.ts';
import type { LedgerEntry, LedgerRepository } from '../store.ts';
import { first, now, statusCounts, type RepositoryContext } from './context.ts';

export function createLedgerRepository({ dialect, t, run }: RepositoryContext): LedgerRepository {
  const ledgerUnit = (source: Source, stage: string, key: string) =>
    and(eq(t.crawlLedger.source, source), eq(t.crawlLedger.stage, stage), eq(t.crawlLedger.key, key));

  const ledger: LedgerRepository = {
    async enqueue(units) {
      if (units.length === 0) return 0;
      return run((db) =>
        dialect.insertIgnore(
          db,
          t.crawlLedger,
          units.map((u) => ({ source: u.source, stage: u.stage, key: u.key, payload: u.payload ?? null, runId: u.runId ?? null })),
        ),
      );
    },
    get: (source, stage, key) =>
      run(async (db) => first(await db.select().from(t.crawlLedger).where(ledgerUnit(source, stage, key)))),
    due: (source, stage, { now: at, maxAttempts, limit }) =>
      run((db) =>
        db
          .select()
          .from(t.crawlLedger)
          .where(
            and(
              eq(t.crawlLedger.source, source),
              eq(t.crawlLedger.stage, stage),
              or(
                eq(t.crawlLedger.status, 'pending'),
                and(
                  eq(t.crawlLedger.status, 'failed'),
                  lt(t.crawlLedger.attempts, maxAttempts),
                  lte(t.crawlLedger.nextAttemptAt, at),
                ),
              ),
            ),
          )
          .orderBy(asc(t.crawlLedger.id))
          .limit(limit),
      ),
    async markDone(id) {
      await run((db) =>
        db
          .update(t.crawlLedger)
          .set({ status: 'done', attempts: sql`${t.crawlLedger.attempts} + 1`, errorKind: null, errorMessage: null, nextAttemptAt: null, updatedAt: now() })
          .where(eq(t.crawlLedger.id, id)),
      );
    },
    async markFailed(id, failure) {
      return run(async (db) => {
        await db
          .update(t.crawlLedger)
          .set({
            status: 'failed',
            attempts: sql`${t.crawlLedger.attempts} + 1`,
            errorKind: failure.kind,
            errorMessage: failure.message.slice(0, 4000),
            nextAttemptAt: failure.nextAttemptAt,
            updatedAt: now(),
          })
          .where(eq(t.crawlLedger.id, id));
        return first(await db.select().from(t.crawlLedger).where(eq(t.crawlLedger.id, id))) as LedgerEntry;
      });
    },
    requeueFailed: (source, options = {}) =>
      run(async (db) =>
        dialect.affectedRows(
          await db
            .update(t.crawlLedger)
            .set({ status: 'pending', nextAttemptAt: null, updatedAt: now() })
            .where(
              and(
                eq(t.crawlLedger.source, source),
                eq(t.crawlLedger.status, 'failed'),
                options.stage ? eq(t.crawlLedger.stage, options.stage) : undefined,
                options.maxAttempts !== undefined ? lt(t.crawlLedger.attempts, options.maxAttempts) : undefined,
              ),
            ),
        ),
      ),
    async countByStatus(source, stage) {
      const rows = await run((db) =>
        db
          .select({ status: t.crawlLedger.status, n: count() })
          .from(t.crawlLedger)
          .where(and(eq(t.crawlLedger.source, source), stage ? eq(t.crawlLedger.stage, stage) : undefined))
          .groupBy(t.crawlLedger.status),
      );
      return statusCounts<LedgerStatus>(LEDGER_STATUSES, rows);
    },
    async nextRetryAt(source, stage, maxAttempts) {
      const rows = await run((db) =>
        db
          .select({ at: t.crawlLedger.nextAttemptAt })
          .from(t.crawlLedger)
          .where(
            and(
              eq(t.crawlLedger.source, source),
              eq(t.crawlLedger.stage, stage),
              eq(t.crawlLedger.status, 'failed'),
              lt(t.crawlLedger.attempts, maxAttempts),
              isNotNull(t.crawlLedger.nextAttemptAt),
            ),
          )
          .orderBy(asc(t.crawlLedger.nextAttemptAt))
          .limit(1),
      );
      return rows[0]?.at ?? null;
    },
    async touchedSince(source, since) {
      const recent = and(eq(t.crawlLedger.source, source), gte(t.crawlLedger.updatedAt, since));
      const [total] = await run((db) => db.select({ n: count() }).from(t.crawlLedger).where(recent));
      const failed = await run((db) =>
        db
          .select({ stage: t.crawlLedger.stage, key: t.crawlLedger.key, errorKind: t.crawlLedger.errorKind, errorMessage: t.crawlLedger.errorMessage })
          .from(t.crawlLedger)
          .where(and(recent, eq(t.crawlLedger.status, 'failed')))
          .orderBy(asc(t.crawlLedger.id)),
      );
      return { touched: Number(total?.n ?? 0), failed };
    },
  };
  return ledger;
}
