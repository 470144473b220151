// GET /api/health: is the server able to reach its database and blob store?
// 200 {status:'ok'} when both answer, 503 {status:'degraded'} otherwise (load balancers take the node out).
import type { APIRoute } from 'astro';
import { UserFacingError, errorMessage } from '../../core/errors.ts';
import { getServerServices, type ServerServices } from '../../server/start-up.ts';

export const prerender = false;

/** A check that takes longer than this counts as failed, so the endpoint always answers promptly. */
const CHECK_TIMEOUT_MS = 3000;
const NO_STORE = { 'Cache-Control': 'no-store' };

interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

export const GET: APIRoute = async () => {
  let services: ServerServices;
  try {
    services = await getServerServices();
  } catch (error) {
    // The services could not even be created (bad configuration, unopenable database file).
    return Response.json({ status: 'degraded', error: errorMessage(error) }, { status: 503, headers: NO_STORE });
  }
  const { store, blobs } = services;
  const [database, blob] = await Promise.all([
    // Reachable is not enough: an unmigrated database would fail the first real request.
    check(async () => {
      await store.ping();
      await store.assertMigrated();
    }),
    check(() => blobs.ping()),
  ]);
  const ok = database.ok && blob.ok;
  const body = {
    status: ok ? 'ok' : 'degraded',
    database: { ok: database.ok, dialect: store.dialect, ms: database.ms, ...(database.error ? { error: database.error } : {}) },
    blobs: { ok: blob.ok, driver: blobs.driver, ...(blob.error ? { error: blob.error } : {}) },
  };
  return Response.json(body, { status: ok ? 200 : 503, headers: NO_STORE });
};

async function check(ping: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([ping(), timeout]);
    return { ok: true, ms: elapsed(started) };
  } catch (error) {
    const message = error instanceof UserFacingError ? error.format().replace(/\n\s*/g, ' ') : errorMessage(error);
    return { ok: false, ms: elapsed(started), error: message };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
