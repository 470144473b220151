// What the three generation fakes (modelscope-inference, a1111, comfyui) share: options for latency,
// progress steps and faults; the transport faults of fakes/liblib/faults.ts (decided per request kind:
// `list` = submitting work, `detail` = status and progress calls, `image` = output images, `other` = the
// rest); a schedule of task outcomes (ok, failed, malformed); the request log; and the step clock that
// makes a task take time and report progress.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { FaultEngine, type FaultAction, type FaultConfig, type RequestKind } from '../liblib/faults.ts';
import { sleep } from './server.ts';

/** How a task ends: drawn normally, failed upstream, or answered in a shape the contract does not allow. */
export type TaskOutcome = 'ok' | 'failed' | 'malformed';

export interface GenerationFakeOptions {
  host?: string;
  port?: number;
  /** Progress steps a task reports (default: the request's steps, at most 20). */
  progressSteps?: number;
  /** Milliseconds per progress step (default 150: about 3 s for a 20-step image; tests use 1–2). */
  stepMs?: number;
  /** Transport faults (5xx, 429 with Retry-After, resets, hangs, truncation) per kind: `list` submits, `detail` status calls, `image` outputs. */
  faults?: FaultConfig;
  /** How the 1st, 2nd, … task ends; after the list, `ok`. */
  outcomes?: readonly TaskOutcome[];
}

export interface GenerationRecordedRequest {
  seq: number;
  method: string;
  path: string;
  kind: RequestKind;
  status: number | null;
  fault: FaultAction | null;
  /** The Authorization header as received (tests check where a token went). */
  authorization: string | null;
}

/** The knobs every generation fake exposes besides its own. */
export interface GenerationFakeControls {
  requests: GenerationRecordedRequest[];
  setFaults(faults: FaultConfig): void;
  setOutcomes(outcomes: readonly TaskOutcome[]): void;
  setTiming(timing: { stepMs?: number; progressSteps?: number }): void;
  /** Back to the options it started with; request log cleared. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_STEP_MS = 150;
const MAX_PROGRESS_STEPS = 20;

/** Shared state and helpers of one generation fake. */
export class GenerationFakeCore {
  readonly faults: FaultEngine;
  readonly requests: GenerationRecordedRequest[] = [];
  readonly closing = new AbortController();
  #options: GenerationFakeOptions;
  #outcomes: TaskOutcome[];
  #stepMs: number;
  #progressSteps: number | undefined;
  #seq = 0;

  constructor(options: GenerationFakeOptions) {
    this.#options = options;
    this.faults = new FaultEngine(options.faults ?? {});
    this.#outcomes = [...(options.outcomes ?? [])];
    this.#stepMs = options.stepMs ?? DEFAULT_STEP_MS;
    this.#progressSteps = options.progressSteps;
  }

  #closed: Promise<void> | null = null;

  /**
   * Stop the fake once, whoever asks: end waiting tasks and latencies, run `before` (a fake's own open work),
   * stop accepting and drop kept-alive connections. Later calls return the same promise.
   */
  close(server: Server, before?: () => void): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.closing.abort();
      before?.();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return this.#closed;
  }

  /** The next task's outcome (consumes the schedule). */
  nextOutcome(): TaskOutcome {
    return this.#outcomes.shift() ?? 'ok';
  }

  /** Progress steps for a request of `requested` sampling steps. */
  stepsFor(requested: number): number {
    return Math.max(1, this.#progressSteps ?? Math.min(MAX_PROGRESS_STEPS, Math.max(1, requested)));
  }

  get stepMs(): number {
    return this.#stepMs;
  }

  record(req: IncomingMessage, path: string, kind: RequestKind): GenerationRecordedRequest {
    const rec: GenerationRecordedRequest = { seq: ++this.#seq, method: req.method ?? 'GET', path, kind, status: null, fault: null, authorization: req.headers.authorization ?? null };
    this.requests.push(rec);
    return rec;
  }

  /**
   * Applies this request's transport fault. Returns true when the fault answered (or dropped) the request,
   * false when normal handling should go on (after any latency).
   */
  async transportFault(req: IncomingMessage, res: ServerResponse, rec: GenerationRecordedRequest): Promise<boolean> {
    const decision = this.faults.decide(rec.kind);
    if (decision.action !== 'ok') rec.fault = decision.action;
    if (decision.latencyMs > 0 && !(await sleep(decision.latencyMs, this.closing.signal))) {
      res.destroy();
      return true;
    }
    // 429s carry the engine's Retry-After; a 503 carries one too when the kind's spec sets retryAfterSeconds.
    const spec503 = decision.action === '503' ? this.faults.spec(rec.kind).retryAfterSeconds : undefined;
    const retryAfter = decision.retryAfter ?? (spec503 === undefined ? null : String(spec503));
    const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};
    switch (decision.action) {
      case 'ok':
      case 'truncate':
        return false;
      case 'reset':
        req.socket.resetAndDestroy();
        return true;
      case 'hang':
        this.closing.signal.addEventListener('abort', () => res.destroy(), { once: true });
        return true;
      case '429':
      case '429-date':
      case '429-none':
        sendJson(res, rec, 429, { errors: { message: 'Too Many Requests: 请求过于频繁，请稍后再试（演示故障）' } }, headers);
        return true;
      case 'html200':
        sendText(res, rec, 200, '<!DOCTYPE html><html><body>请完成安全验证后继续访问</body></html>', 'text/html; charset=utf-8');
        return true;
      default: {
        const status = decision.action === 'html502' ? 502 : Number(decision.action);
        sendText(res, rec, status, `<html><head><title>${status}</title></head><body><h1>${status}</h1><hr>nginx</body></html>`, 'text/html', headers);
        return true;
      }
    }
  }

  /**
   * Runs `steps` steps of stepMs each, calling onStep(n) after step n (1-based). Resolves false when
   * `stop` aborted first (an interrupt) or the server is closing.
   */
  async runSteps(steps: number, stop: AbortSignal, onStep: (step: number) => void): Promise<boolean> {
    const signal = AbortSignal.any([stop, this.closing.signal]);
    for (let step = 1; step <= steps; step++) {
      if (!(await sleep(this.#stepMs, signal))) return false;
      onStep(step);
    }
    return !signal.aborted;
  }

  setFaults(faults: FaultConfig): void {
    this.faults.set(faults);
  }

  setOutcomes(outcomes: readonly TaskOutcome[]): void {
    this.#outcomes = [...outcomes];
  }

  setTiming(timing: { stepMs?: number; progressSteps?: number }): void {
    if (timing.stepMs !== undefined) this.#stepMs = timing.stepMs;
    if (timing.progressSteps !== undefined) this.#progressSteps = timing.progressSteps;
  }

  reset(): void {
    this.faults.set(this.#options.faults ?? {});
    this.#outcomes = [...(this.#options.outcomes ?? [])];
    this.#stepMs = this.#options.stepMs ?? DEFAULT_STEP_MS;
    this.#progressSteps = this.#options.progressSteps;
    this.requests.length = 0;
  }
}

/** The request body as text and, when it parses, as JSON (`undefined` when it is not JSON). */
export async function readBody(req: IncomingMessage): Promise<{ text: string; json: unknown }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return { text, json: undefined };
  try {
    return { text, json: JSON.parse(text) as unknown };
  } catch {
    return { text, json: undefined };
  }
}

export function sendJson(res: ServerResponse, rec: GenerationRecordedRequest, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendBytes(res, rec, status, Buffer.from(JSON.stringify(value)), 'application/json', headers);
}

function sendText(res: ServerResponse, rec: GenerationRecordedRequest, status: number, text: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
  sendBytes(res, rec, status, Buffer.from(text), type, headers);
}

/** Sends a body; a `truncate` fault on this request cuts it in half (Content-Length announces the full size, then the socket closes). */
export function sendBytes(res: ServerResponse, rec: GenerationRecordedRequest, status: number, body: Buffer, type: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  rec.status = status;
  res.writeHead(status, { 'content-type': type, 'content-length': String(body.length), ...headers });
  if (rec.fault === 'truncate') {
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    return;
  }
  res.end(body);
}

/** A seed in range for the fakes' RNGs: -1 (random) becomes a fixed value derived from the task id. */
export function resolveSeed(seed: unknown, taskId: string): number {
  if (typeof seed === 'number' && Number.isInteger(seed) && seed >= 0) return seed;
  let h = 0;
  for (const ch of taskId) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return h % 2 ** 31;
}
