// The seam every image generator sits behind: ModelScope API-Inference, a creator's A1111/Forge or ComfyUI,
// and the offline fakes of each. One contract suite (generation-provider.contract.ts) runs against all of
// them. Providers never read configuration or the environment: the composition root builds them.
import type { GenerationProviderKindName } from '../env.ts';
import type { ResolvedGenerationRequest } from './generation-request.ts';

/** modelscope | a1111 | comfyui (the names GENERATION_PROVIDERS lists). */
export type GenerationProviderKind = GenerationProviderKindName;

export interface GenerationProgress {
  /** 0–1. */
  progress: number;
  /** One human-readable line for the job's log (never a token or a secret). */
  message?: string;
}

export interface GenerationRunOptions {
  /** Aborting cancels the upstream work where the protocol allows (A1111 interrupt, ComfyUI interrupt). */
  signal: AbortSignal;
  onProgress?: (update: GenerationProgress) => void;
  /** A token for this run only (a user's pasted ModelScope token): used, never stored or logged. */
  apiToken?: string;
}

export interface GeneratedImage {
  /** The image bytes exactly as the provider returned them (PNG, JPEG or WebP). */
  bytes: Uint8Array;
  /** The seed the provider used for this image (batch images differ). */
  seed: number;
}

export interface GenerationProvider {
  readonly kind: GenerationProviderKind;
  /** A stable name for logs and the job record, e.g. `modelscope`, `a1111@127.0.0.1:7860`. */
  readonly name: string;
  /** Whether this provider runs remotely and may bill the user (the UI asks to confirm first, seed 001 §9.6). */
  readonly billed: boolean;
  /** Runs one request to completion: batch images in order. Throws GenerationError subclasses. */
  generate(request: ResolvedGenerationRequest, options: GenerationRunOptions): Promise<GeneratedImage[]>;
}

/** Why a provider failed, named by what the caller does next. */
export type GenerationFailureKind =
  /** 401: no or wrong token. Not retried; the UI says 请配置 API Key. */
  | 'auth'
  /** 429 / 403 quota: not retried on this provider; the chain falls back to the next one. */
  | 'quota'
  /** 5xx, network errors, timeouts: retried with backoff, then the next provider. */
  | 'unavailable'
  /** The task itself failed upstream (bad prompt, model error): not retried. */
  | 'failed'
  /** The provider answered something we cannot read (contract drift): not retried. */
  | 'malformed'
  /** This provider cannot express the request (e.g. a negative LoRA weight on ModelScope): the next provider may. */
  | 'unsupported'
  /** The caller aborted. */
  | 'cancelled';

export class GenerationError extends Error {
  readonly kind: GenerationFailureKind;
  readonly provider: string;
  /** Seconds the upstream asked us to wait (Retry-After), when it did. */
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: GenerationFailureKind, message: string, provider: string, retryAfterSeconds?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GenerationError';
    this.kind = kind;
    this.provider = provider;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Worth trying again on the same provider later. */
  get retryable(): boolean {
    return this.kind === 'unavailable';
  }

  /** Worth trying the next configured provider now. */
  get fallsBack(): boolean {
    return this.kind === 'quota' || this.kind === 'unavailable' || this.kind === 'auth' || this.kind === 'unsupported';
  }
}
