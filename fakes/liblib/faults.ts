// Fault injection for the fake Liblib: per request kind, seeded probabilities and/or explicit schedules.
// Faults are decided before normal handling; every decision is recorded in the request log.

import { makeRng, type Rng } from './rng.ts';

export type RequestKind = 'list' | 'detail' | 'author' | 'comments' | 'pnginfo' | 'image' | 'other';
export const REQUEST_KINDS: readonly RequestKind[] = ['list', 'detail', 'author', 'comments', 'pnginfo', 'image', 'other'];

/**
 * What happens to one request.
 * - `ok`: normal handling (after any latency).
 * - `500` `502` `503` `504`: that status; JSON kinds get a JSON error body, images a text body.
 * - `429`: Retry-After in seconds; `429-date`: Retry-After as an HTTP-date; `429-none`: no Retry-After.
 * - `reset`: the connection is reset (RST) after the request is read; no response.
 * - `hang`: no response until the client gives up (or close()).
 * - `truncate`: JSON kinds: a 200 whose body is cut in the middle (Content-Length matches the cut body,
 *   so the transport succeeds and JSON parsing fails). Images: the full Content-Length is announced, half
 *   the bytes are sent, then the connection is destroyed.
 * - `html200`: a 200 `text/html` WAF/captcha page instead of JSON. `html502`: a gateway's 502 HTML page.
 */
export type FaultAction =
  | 'ok'
  | '500'
  | '502'
  | '503'
  | '504'
  | '429'
  | '429-date'
  | '429-none'
  | 'reset'
  | 'hang'
  | 'truncate'
  | 'html200'
  | 'html502';

export interface FaultSpec {
  /** Added before every response of this kind (ms). */
  latencyMs?: number;
  /** Plus a uniform random 0..jitterMs (seeded). */
  jitterMs?: number;
  /** Probability of a 5xx; the status is drawn from statuses5xx (default [500, 502, 503]). */
  rate5xx?: number;
  statuses5xx?: readonly (500 | 502 | 503 | 504)[];
  /** Probability of a 429. */
  rate429?: number;
  /** Retry-After value in seconds (default 1). */
  retryAfterSeconds?: number;
  /** 'seconds' (default), 'date' (HTTP-date), 'mixed' (either, seeded), 'none' (no header). */
  retryAfterForm?: 'seconds' | 'date' | 'mixed' | 'none';
  resetRate?: number;
  hangRate?: number;
  truncateRate?: number;
  htmlRate?: number;
  /** Status of the HTML page: 200, 502 or 'mixed' (default). */
  htmlStatus?: 200 | 502 | 'mixed';
  /**
   * Explicit actions for the 1st, 2nd, … request of this kind (counted since setFaults). After the
   * schedule is used up the rates apply. Latency applies to scheduled requests too.
   */
  schedule?: readonly FaultAction[];
}

/** Ways a detail payload drifts from the contract (for the uuids configured in `FaultConfig.drift`). */
export type DriftKind =
  /** generateInfo.samplingStep is a string ("30") in every image. */
  | 'samplingStepString'
  /** `images` and `imagesV2` are absent. */
  | 'imagesMissing'
  /** `images` is null. */
  | 'imagesNull'
  /** every image's generateInfo is null. */
  | 'generateInfoNull'
  /** generateInfo.metainformation is not valid JSON. */
  | 'metainformationInvalid'
  /** coverId is a JSON string instead of a number. */
  | 'coverIdString'
  /** `uuid` is absent. */
  | 'uuidMissing';

export interface FaultConfig {
  /** Seed of the fault PRNG (default 1). Same seed + same request order per kind → same faults. */
  seed?: number | string;
  /** Applies to every kind; a per-kind spec overrides it field by field. */
  all?: FaultSpec;
  list?: FaultSpec;
  detail?: FaultSpec;
  author?: FaultSpec;
  comments?: FaultSpec;
  pnginfo?: FaultSpec;
  image?: FaultSpec;
  other?: FaultSpec;
  /** Detail payloads of these work uuids drift from the contract, every time. */
  drift?: Readonly<Record<string, DriftKind | readonly DriftKind[]>>;
  /**
   * Permanently failing units: detail/comments of these work uuids, author of these user uuids, and these
   * image paths (or absolute URLs) answer `status` every time (default 500). With status 200 the API
   * answers the envelope `{code:-1, msg:"系统繁忙，请稍后再试", data:null}` instead.
   */
  failing?: { uuids?: readonly string[]; paths?: readonly string[]; status?: number };
}

export interface FaultDecision {
  action: FaultAction;
  latencyMs: number;
  /** Set for 429 / 429-date. */
  retryAfter: string | null;
}

function mergeSpec(a: FaultSpec | undefined, b: FaultSpec | undefined): FaultSpec {
  return { ...(a ?? {}), ...(b ?? {}) };
}

/** An HTTP-date `seconds` from now, rounded up to the next whole second. */
function httpDateIn(seconds: number, now = Date.now()): string {
  return new Date(Math.ceil((now + seconds * 1000) / 1000) * 1000).toUTCString();
}

export class FaultEngine {
  #config: FaultConfig = {};
  #rng = new Map<RequestKind, Rng>();
  #count = new Map<RequestKind, number>();
  #drift = new Map<string, DriftKind[]>();
  #failingUuids = new Set<string>();
  #failingPaths = new Set<string>();

  constructor(config: FaultConfig = {}) {
    this.set(config);
  }

  /** Replaces the configuration and restarts the PRNG streams and schedules. */
  set(config: FaultConfig): void {
    this.#config = config;
    this.#rng.clear();
    this.#count.clear();
    this.#drift.clear();
    for (const [uuid, kinds] of Object.entries(config.drift ?? {})) {
      this.#drift.set(uuid, typeof kinds === 'string' ? [kinds] : [...kinds]);
    }
    this.#failingUuids = new Set(config.failing?.uuids ?? []);
    this.#failingPaths = new Set(
      (config.failing?.paths ?? []).map((p) => (p.startsWith('http') ? new URL(p).pathname : p)),
    );
  }

  get config(): FaultConfig {
    return this.#config;
  }

  spec(kind: RequestKind): FaultSpec {
    return mergeSpec(this.#config.all, this.#config[kind]);
  }

  #rngFor(kind: RequestKind): Rng {
    let rng = this.#rng.get(kind);
    if (!rng) {
      rng = makeRng('faults', this.#config.seed ?? 1, kind);
      this.#rng.set(kind, rng);
    }
    return rng;
  }

  /** Decides the next request of this kind. Consumes the schedule, then seeded draws. */
  decide(kind: RequestKind, now = Date.now()): FaultDecision {
    const spec = this.spec(kind);
    const rng = this.#rngFor(kind);
    const n = this.#count.get(kind) ?? 0;
    this.#count.set(kind, n + 1);
    // Fixed number of draws per request keeps the streams aligned whatever the outcome.
    const rAction = rng.next();
    const rJitter = rng.next();
    const rPick = rng.next();
    const latencyMs = Math.max(0, (spec.latencyMs ?? 0) + (spec.jitterMs ?? 0) * rJitter);

    let action: FaultAction = 'ok';
    const scheduled = spec.schedule?.[n];
    if (scheduled !== undefined) {
      action = scheduled;
    } else {
      const table: [number, () => FaultAction][] = [
        [spec.resetRate ?? 0, () => 'reset'],
        [spec.hangRate ?? 0, () => 'hang'],
        [
          spec.rate5xx ?? 0,
          () => {
            const statuses = spec.statuses5xx && spec.statuses5xx.length > 0 ? spec.statuses5xx : ([500, 502, 503] as const);
            return String(statuses[Math.floor(rPick * statuses.length)]) as FaultAction;
          },
        ],
        [
          spec.rate429 ?? 0,
          () => {
            const form = spec.retryAfterForm ?? 'seconds';
            if (form === 'none') return '429-none';
            if (form === 'date') return '429-date';
            if (form === 'mixed') return rPick < 0.5 ? '429' : '429-date';
            return '429';
          },
        ],
        [spec.truncateRate ?? 0, () => 'truncate'],
        [
          spec.htmlRate ?? 0,
          () => {
            const s = spec.htmlStatus ?? 'mixed';
            if (s === 200) return 'html200';
            if (s === 502) return 'html502';
            return rPick < 0.5 ? 'html200' : 'html502';
          },
        ],
      ];
      let acc = 0;
      for (const [rate, make] of table) {
        acc += rate;
        if (rAction < acc) {
          action = make();
          break;
        }
      }
    }
    const seconds = spec.retryAfterSeconds ?? 1;
    const retryAfter = action === '429' ? String(seconds) : action === '429-date' ? httpDateIn(seconds, now) : null;
    return { action, latencyMs, retryAfter };
  }

  driftFor(uuid: string): DriftKind[] {
    return this.#drift.get(uuid) ?? [];
  }

  isFailingUuid(uuid: string): boolean {
    return this.#failingUuids.has(uuid);
  }

  isFailingPath(path: string): boolean {
    return this.#failingPaths.has(path);
  }

  get failingStatus(): number {
    return this.#config.failing?.status ?? 500;
  }
}

/** Applies drift kinds to a detail `data` object in place. */
export function applyDrift(data: Record<string, unknown>, kinds: readonly DriftKind[]): void {
  const images = Array.isArray(data.images) ? (data.images as Record<string, unknown>[]) : [];
  for (const kind of kinds) {
    switch (kind) {
      case 'samplingStepString':
        for (const img of images) {
          const gi = img.generateInfo as Record<string, unknown> | null;
          if (gi) gi.samplingStep = String(gi.samplingStep);
        }
        break;
      case 'imagesMissing':
        delete data.images;
        delete data.imagesV2;
        break;
      case 'imagesNull':
        data.images = null;
        break;
      case 'generateInfoNull':
        for (const img of images) img.generateInfo = null;
        break;
      case 'metainformationInvalid':
        for (const img of images) {
          const gi = img.generateInfo as Record<string, unknown> | null;
          if (gi && typeof gi.metainformation === 'string') gi.metainformation = gi.metainformation.slice(0, 40);
        }
        break;
      case 'coverIdString':
        data.coverId = String(data.coverId);
        break;
      case 'uuidMissing':
        delete data.uuid;
        break;
    }
  }
}
