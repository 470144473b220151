// Helpers for the generation tests: a scripted GenerationProvider (latency, progress, failures, hanging until
// aborted) standing in for an upstream, and a client that calls the API route handlers in process with
// injected services (no build, no server).
import sharp from 'sharp';
import { GenerationError, type GenerationFailureKind, type GenerationProvider, type GenerationProviderKind } from '../../core/generation/generation-provider.ts';
import type { ResolvedGenerationRequest } from '../../core/generation/generation-request.ts';
import type { ServerServices } from '../start-up.ts';

export interface ScriptedProvider extends GenerationProvider {
  calls: ResolvedGenerationRequest[];
  /** Signals of the runs under way (a test aborts or inspects them). */
  signals: AbortSignal[];
  /** The apiToken each call received. */
  tokens: Array<string | undefined>;
}

/**
 * A provider whose n-th call does `script[n]` (the last entry repeats): `ok` draws a small PNG per batch image
 * after `latencyMs`, a failure kind throws that GenerationError, `hang` waits until aborted.
 */
export function scriptedProvider(options: {
  kind?: GenerationProviderKind;
  name?: string;
  latencyMs?: number;
  script?: Array<'ok' | 'hang' | GenerationFailureKind>;
}): ScriptedProvider {
  const script = options.script ?? ['ok'];
  const name = options.name ?? 'scripted';
  const provider: ScriptedProvider = {
    kind: options.kind ?? 'modelscope',
    name,
    billed: false,
    calls: [],
    signals: [],
    tokens: [],
    async generate(request, { signal, onProgress, apiToken }) {
      provider.tokens.push(apiToken);
      const step = script[Math.min(provider.calls.length, script.length - 1)]!;
      provider.calls.push(request);
      provider.signals.push(signal);
      const aborted = () => new GenerationError('cancelled', 'aborted', name);
      if (step === 'hang') {
        onProgress?.({ progress: 0.1, message: 'hanging' });
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(aborted()), { once: true }));
      }
      if (step !== 'ok') throw new GenerationError(step as GenerationFailureKind, `${step} (scripted)`, name);
      onProgress?.({ progress: 0.5, message: 'halfway' });
      await new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 0));
      if (signal.aborted) throw aborted();
      return Promise.all(
        Array.from({ length: request.batch }, async (_, i) => ({
          seed: request.seed + i,
          bytes: await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: (request.seed + i) % 256, g: 80, b: 160 } } }).png().toBuffer(),
        })),
      );
    },
  };
  return provider;
}

type Route = (input: { request: Request; params: Record<string, string | undefined>; url: URL; clientAddress?: string; locals?: unknown }) => Promise<Response>;

/** Calls route handlers in process as a same-site browser with `token`'s session cookie. */
export function routeClient(services: ServerServices, token?: string) {
  const call = async (route: Route, method: string, path: string, options: { params?: Record<string, string>; json?: unknown; body?: string; headers?: Record<string, string> } = {}) => {
    const url = new URL(path, 'http://huaku.test');
    const headers = new Headers(options.headers);
    if (token) headers.set('cookie', `${services.config.community.session.cookieName}=${token}`);
    if (method !== 'GET') headers.set('origin', url.origin);
    let body = options.body;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const request = new Request(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const response = await route({ request, params: options.params ?? {}, url, clientAddress: '127.0.0.1', locals: { services } });
    const text = await response.text();
    return { status: response.status, text, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: response.headers };
  };
  return call;
}
