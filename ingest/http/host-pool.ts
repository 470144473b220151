// One polite client per upstream host behind one HttpClient: the API host and the image CDN each get
// their own rate limit and stage slots, as politeness is per host (docs/upstream.md §0).
import type { HttpClient, HttpRequest, HttpStats, JsonResponse, StreamResponse } from './http-client.ts';

export class HostPool implements HttpClient {
  readonly #clients = new Map<string, HttpClient>();
  readonly #create: (origin: string) => HttpClient;

  constructor(create: (origin: string) => HttpClient) {
    this.#create = create;
  }

  #client(url: string): HttpClient {
    const origin = new URL(url).origin;
    let client = this.#clients.get(origin);
    if (!client) {
      client = this.#create(origin);
      this.#clients.set(origin, client);
    }
    return client;
  }

  json(request: HttpRequest): Promise<JsonResponse> {
    return this.#client(request.url).json(request);
  }

  stream(request: HttpRequest): Promise<StreamResponse> {
    return this.#client(request.url).stream(request);
  }

  /** Totals over every host; `byHost` has each one. */
  stats(): HttpStats {
    const total: HttpStats = { requests: 0, retries: 0, rateLimited: 0, bytes: 0 };
    for (const client of this.#clients.values()) {
      const s = client.stats();
      total.requests += s.requests;
      total.retries += s.retries;
      total.rateLimited += s.rateLimited;
      total.bytes += s.bytes;
    }
    return total;
  }

  byHost(): Record<string, HttpStats> {
    return Object.fromEntries([...this.#clients].map(([origin, client]) => [origin, client.stats()]));
  }

  async close(): Promise<void> {
    // Clients stay listed after closing so their stats can still be read for the run report.
    await Promise.all([...this.#clients.values()].map((client) => client.close()));
  }
}
