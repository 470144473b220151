// The polite HTTP client's interface: one instance per upstream host, shared by every stage of a run.
import type { Readable } from 'node:stream';

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  /** A JSON body (serialized by the client) or raw bytes. */
  json?: unknown;
  body?: Buffer;
  /** Which stage is asking (list, detail, author, media…): selects the concurrency limit, and goes in logs. */
  stage: string;
  /** The unit of work (page number, work uuid, image url) for logs. */
  key: string;
  signal?: AbortSignal;
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed losslessly: integers beyond 2^53 come back as strings with their exact digits. */
  data: unknown;
}

export interface StreamResponse {
  status: number;
  headers: Record<string, string>;
  /** The caller must consume or destroy it; the stage's concurrency slot is held until it ends. */
  body: Readable;
}

export interface HttpStats {
  requests: number;
  retries: number;
  rateLimited: number;
  bytes: number;
}

export interface HttpClient {
  /** Request and parse a JSON body. Throws HttpError subclasses (see errors.ts) after retries. */
  json(request: HttpRequest): Promise<JsonResponse>;
  /** Request a body as a stream (media). 2xx only; errors as for json(). */
  stream(request: HttpRequest): Promise<StreamResponse>;
  stats(): HttpStats;
  close(): Promise<void>;
}
