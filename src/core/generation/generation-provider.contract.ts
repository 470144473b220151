// The behaviour every GenerationProvider promises, run against each provider over its offline fake
// (generation-providers.test.ts): images of the requested size and count with their seeds, progress that
// only moves forward, cancellation mid-run, and each upstream failure named by what happens next.
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GenerationError, type GenerationFailureKind, type GenerationProvider, type GenerationProgress } from './generation-provider.ts';
import { generationRequestSchema, type ResolvedGenerationRequest } from './generation-request.ts';

/** The fault and timing knobs every generation fake has (fakes/shared/generation-fake.ts). */
export interface ContractFake {
  setFaults(faults: Record<string, unknown>): void;
  setOutcomes(outcomes: ReadonlyArray<'ok' | 'failed' | 'malformed'>): void;
  setTiming(timing: { stepMs?: number; progressSteps?: number }): void;
  reset(): void;
  requests: ReadonlyArray<{ kind: string }>;
}

export interface ProviderHarness {
  fake: ContractFake;
  /** The provider under test, pointed at the fake, with millisecond waits (and timeouts long enough for a loaded machine). */
  provider: GenerationProvider;
  /** The same provider with timeouts of a few hundred ms, for the hang test. */
  impatient: GenerationProvider;
  /** A provider (or fake setting) the fake answers with 401; `undo` restores the fake. */
  unauthorized(): { provider: GenerationProvider; undo(): void };
  /** How many times the upstream was told to stop (interrupt calls); null when the protocol has no cancel. */
  upstreamCancels(): number | null;
  close(): Promise<void>;
}

export function contractRequest(overrides: Partial<ResolvedGenerationRequest> = {}): ResolvedGenerationRequest {
  const parsed = generationRequestSchema.parse({
    checkpoint: { id: 'demo/checkpoint-xl', name: 'Demo XL', baseModel: 'SDXL 1.0' },
    loras: [{ id: 'demo/lora-ink', weight: 0.6 }, { id: 'demo/lora-car', weight: 0.4 }],
    prompt: '水墨山水，远山与孤舟, masterpiece',
    negativePrompt: 'blurry',
    sampler: 'DPM++ 2M Karras',
    steps: 6,
    cfgScale: 7,
    width: 256,
    height: 320,
    seed: 1234,
    batch: 1,
  });
  return { ...parsed, ...overrides } as ResolvedGenerationRequest;
}

async function failureOf(run: Promise<unknown>): Promise<GenerationError> {
  const error = await run.then(() => null, (e: unknown) => e);
  expect(error, 'expected the run to fail').toBeInstanceOf(GenerationError);
  return error as GenerationError;
}

export function generationProviderContract(name: string, setup: () => Promise<ProviderHarness>): void {
  describe(`GenerationProvider contract: ${name}`, () => {
    let h: ProviderHarness;
    const run = (request: ResolvedGenerationRequest, onProgress?: (p: GenerationProgress) => void, signal = new AbortController().signal) =>
      h.provider.generate(request, { signal, onProgress });
    const expectKind = async (promise: Promise<unknown>, kind: GenerationFailureKind): Promise<GenerationError> => {
      const error = await failureOf(promise);
      expect(error.kind, error.message).toBe(kind);
      expect(error.provider).toBe(h.provider.name);
      return error;
    };

    beforeAll(async () => {
      h = await setup();
    });
    afterAll(async () => {
      await h?.close();
    });
    beforeEach(() => {
      h.fake.reset();
      h.fake.setTiming({ stepMs: 1, progressSteps: 4 });
    });

    it('draws images of the requested size, one per batch item, each with its seed; same request, same bytes', async () => {
      const request = contractRequest({ batch: 2 });
      const images = await run(request);
      expect(images).toHaveLength(2);
      expect(images.map((i) => i.seed)).toEqual([1234, 1235]);
      for (const image of images) {
        const meta = await sharp(image.bytes).metadata();
        expect([meta.width, meta.height]).toEqual([256, 320]);
      }
      expect(Buffer.from(images[0]!.bytes).equals(Buffer.from(images[1]!.bytes))).toBe(false);
      const again = await run(contractRequest({ batch: 1 }));
      expect(Buffer.from(again[0]!.bytes).equals(Buffer.from(images[0]!.bytes))).toBe(true);
    });

    it('reports progress that only moves forward, ending at 1', async () => {
      h.fake.setTiming({ stepMs: 3, progressSteps: 6 });
      const updates: number[] = [];
      await run(contractRequest(), (p) => updates.push(p.progress));
      expect(updates.length).toBeGreaterThanOrEqual(2);
      expect(updates).toEqual([...updates].sort((a, b) => a - b));
      expect(updates.every((p) => p >= 0 && p <= 1)).toBe(true);
      expect(updates.at(-1)).toBe(1);
      expect(updates.some((p) => p > 0 && p < 1)).toBe(true);
    });

    it('stops mid-run when aborted: cancelled, and the upstream is told where it can be', async () => {
      h.fake.setTiming({ stepMs: 20, progressSteps: 200 });
      const controller = new AbortController();
      const before = h.upstreamCancels();
      const started = performance.now();
      const running = run(contractRequest(), (p) => {
        if (p.progress > 0) controller.abort();
      }, controller.signal);
      setTimeout(() => controller.abort(), 150); // ModelScope reports progress only per poll
      await expectKind(running, 'cancelled');
      expect(performance.now() - started).toBeLessThan(3000); // 200 × 20 ms would be the whole run
      if (before !== null) await expect.poll(() => h.upstreamCancels()).toBeGreaterThan(before);
    });

    it('401 → auth (not retried)', async () => {
      const { provider, undo } = h.unauthorized();
      try {
        const error = await failureOf(provider.generate(contractRequest(), { signal: new AbortController().signal }));
        expect(error.kind).toBe('auth');
        expect(error.fallsBack).toBe(true);
        expect(error.retryable).toBe(false);
      } finally {
        undo();
      }
    });

    it('429 → quota with the Retry-After seconds (falls back, not retried here)', async () => {
      h.fake.setFaults({ list: { schedule: ['429'], retryAfterSeconds: 7 } });
      const error = await expectKind(run(contractRequest()), 'quota');
      expect(error.retryAfterSeconds).toBe(7);
      expect(h.fake.requests.filter((r) => r.kind === 'list')).toHaveLength(1);
    });

    it('a 5xx is retried and the run succeeds; 5xx every time → unavailable', async () => {
      h.fake.setFaults({ list: { schedule: ['503'] } });
      const images = await run(contractRequest());
      expect(images).toHaveLength(1);
      expect(h.fake.requests.filter((r) => r.kind === 'list')).toHaveLength(2);
      h.fake.setFaults({ list: { rate5xx: 1, statuses5xx: [502] } });
      const error = await expectKind(run(contractRequest()), 'unavailable');
      expect(error.retryable).toBe(true);
    });

    it('a call that hangs times out → unavailable', async () => {
      h.fake.setFaults({ list: { hangRate: 1 } });
      const error = await failureOf(h.impatient.generate(contractRequest(), { signal: new AbortController().signal }));
      expect(error.kind).toBe('unavailable');
      expect(error.message).toContain('超时');
    });

    it('a task that fails upstream → failed (not retried)', async () => {
      h.fake.setOutcomes(['failed']);
      const error = await expectKind(run(contractRequest()), 'failed');
      expect(error.fallsBack).toBe(false);
      expect(h.fake.requests.filter((r) => r.kind === 'list')).toHaveLength(1);
    });

    it('an answer of the wrong shape → malformed', async () => {
      h.fake.setOutcomes(['malformed']);
      await expectKind(run(contractRequest()), 'malformed');
    });
  });
}
