// GET /api/health: can this server answer requests, and if not, which part failed?
//   200 {status:'ok'}        database and blob store usable (Redis too, when configured)
//   200 {status:'degraded'}  Redis is down: the server answers from the database (slower, still correct)
//   503 {status:'down'}      the database or the blob store is unreachable, read-only or full: load
//                            balancers take the node out (Retry-After says when to look again)
// Each part says ok or not and a short problem code (`unavailable`, `timeout`, `not_migrated`); the
// details (hosts, paths, driver messages) go to the server log, never to the (anonymous) caller.
import type { APIRoute } from 'astro';
import { ServiceUnavailableError, UserFacingError } from '../../core/errors.ts';
import { RETRY_AFTER_SECONDS } from '../../server/http/api-error.ts';
import { getBlobStore, getServerServices, type ServerServices } from '../../server/start-up.ts';

export const prerender = false;

/** A check that takes longer than this counts as failed, so the endpoint always answers promptly. */
const CHECK_TIMEOUT_MS = 3000;
const NO_STORE = { 'Cache-Control': 'no-store' };

type Problem = 'unavailable' | 'timeout' | 'not_migrated' | 'error';

interface CheckResult {
  ok: boolean;
  ms: number;
  problem?: Problem;
  /** For the log only. */
  error?: unknown;
}

class CheckTimeout extends Error {}

export const GET: APIRoute = async () => {
  const blobs = getBlobStore();
  let services: ServerServices | null = null;
  let startError: unknown;
  try {
    services = await getServerServices();
  } catch (error) {
    startError = error; // the database cannot be opened (getServerServices logged why)
  }
  const store = services?.store;
  const redis = services?.redis ?? null;
  const [database, blob, cache] = await Promise.all([
    // Reachable is not enough: ping also refuses a read-only database, and an unmigrated one would fail
    // the first real request.
    store
      ? check(async () => {
          await store.ping();
          await store.assertMigrated();
        })
      : Promise.resolve<CheckResult>({ ok: false, ms: 0, problem: classify(startError), error: startError }),
    check(() => blobs.ping()),
    redis
      ? check(async () => {
          if (!(await redis.ping())) throw new ServiceUnavailableError('Redis', 'no answer');
        })
      : Promise.resolve(null),
  ]);
  const failed = Object.entries({ database, blobs: blob, redis: cache }).filter(([, result]) => result && !result.ok);
  if (failed.length > 0 && services) {
    services.log.warn(Object.fromEntries(failed.map(([name, result]) => [name, result!.error])), 'health check failed');
  }
  const down = !database.ok || !blob.ok;
  const body = {
    status: down ? 'down' : cache && !cache.ok ? 'degraded' : 'ok',
    database: { ok: database.ok, dialect: store?.dialect ?? null, ms: database.ms, ...(database.problem ? { problem: database.problem } : {}) },
    blobs: { ok: blob.ok, driver: blobs.driver, ms: blob.ms, ...(blob.problem ? { problem: blob.problem } : {}) },
    redis: cache ? { ok: cache.ok, ms: cache.ms, ...(cache.problem ? { problem: cache.problem } : {}) } : { ok: null, configured: false },
  };
  return Response.json(body, { status: down ? 503 : 200, headers: down ? { ...NO_STORE, 'Retry-After': String(RETRY_AFTER_SECONDS) } : NO_STORE });
};

function classify(error: unknown): Problem {
  if (error instanceof CheckTimeout) return 'timeout';
  if (error instanceof ServiceUnavailableError) return 'unavailable';
  // assertJournalApplied's refusal: a person must run the migrations.
  if (error instanceof UserFacingError && /migration/.test(error.message)) return 'not_migrated';
  return 'error';
}

async function check(ping: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([ping(), timeout]);
    return { ok: true, ms: elapsed(started) };
  } catch (error) {
    return { ok: false, ms: elapsed(started), problem: classify(error), error };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
