// node:http ⇄ fetch Request/Response for the API route table (src/server/serve.ts), sized for what API
// exchanges are: small JSON answers, and request bodies most routes never read (a like carries `{}`).
// Astro's generic conversion (astro/app/node) builds every request with a streamed body and an abort signal
// wired to the socket, parses the URL three times, and streams every answer chunk by chunk; in a profile of
// bench/community-like.ts that was most of what the built server spent beyond the route itself. Here:
//   - the request's body stream and `signal` are made on first use: a route that reads neither does not
//     pay for a ReadableStream, an AbortController and socket listeners;
//   - a JSON answer is written with its Content-Length, head and body in one write; anything else (an
//     event stream) goes through the adapter's streaming writeResponse, as before.
import type http from 'node:http';
import { writeResponse } from 'astro/app/node';

/** What the adapter allows a request body (1 GiB): the routes enforce their own, far smaller limits. */
const BODY_LIMIT = 1024 * 1024 * 1024;

/**
 * A Request made without its body: what reads the body (body, text(), json(), formData()…) reads it from
 * a copy of the request made on first use, whose body streams from the socket as the adapter's does.
 */
class NodeRequest extends Request {
  readonly response: http.ServerResponse;
  /** The node:http request to stream the body from; null for GET and HEAD. */
  readonly source: http.IncomingMessage | null;
  lazySignal: AbortSignal | undefined;
  withBody: Request | undefined;

  constructor(url: string, init: RequestInit, source: http.IncomingMessage | null, response: http.ServerResponse) {
    super(url, init);
    this.source = source;
    this.response = response;
  }

  bodied(): Request {
    if (!this.withBody) {
      // Node's fetch takes an async iterable body (as the adapter passes it), streamed: duplex 'half'.
      const init: RequestInit & { duplex: 'half' } = { method: this.method, headers: this.headers, body: limited(this.source!, BODY_LIMIT) as unknown as BodyInit, duplex: 'half' };
      this.withBody = new Request(this.url, init);
    }
    return this.withBody;
  }

  override arrayBuffer() {
    return this.source ? this.bodied().arrayBuffer() : super.arrayBuffer();
  }
  override blob() {
    return this.source ? this.bodied().blob() : super.blob();
  }
  override bytes() {
    return this.source ? this.bodied().bytes() : super.bytes();
  }
  override formData() {
    return this.source ? this.bodied().formData() : super.formData();
  }
  override json() {
    return this.source ? this.bodied().json() : super.json();
  }
  override text() {
    return this.source ? this.bodied().text() : super.text();
  }
  override clone(): Request {
    return this.source ? this.bodied().clone() : super.clone();
  }
}

// Accessors over what the DOM types declare as fields of Request (so not overridable in the class body).
Object.defineProperties(NodeRequest.prototype, {
  body: {
    configurable: true,
    get(this: NodeRequest) {
      return this.source ? this.bodied().body : null;
    },
  },
  bodyUsed: {
    configurable: true,
    get(this: NodeRequest) {
      return this.withBody?.bodyUsed ?? false;
    },
  },
  // Aborted when the response closes (its socket closed) before it finished: the client left.
  signal: {
    configurable: true,
    get(this: NodeRequest): AbortSignal {
      if (!this.lazySignal) {
        const controller = new AbortController();
        this.lazySignal = controller.signal;
        const res = this.response;
        const abandoned = () => {
          if (!res.writableFinished) controller.abort();
        };
        if (res.destroyed || res.socket?.destroyed) abandoned();
        else res.once('close', abandoned);
      }
      return this.lazySignal;
    },
  },
});

/**
 * The fetch Request of a node:http request. `url` is the absolute URL (the caller parses it once for the
 * route); headers are Node's (duplicates already merged or dropped as Node does).
 */
export function requestFromNode(req: http.IncomingMessage, res: http.ServerResponse, url: string): Request {
  const method = req.method ?? 'GET';
  const headers = new Headers();
  for (const name in req.headers) {
    const value = req.headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') headers.append(name, value);
    else for (const item of value) headers.append(name, item);
  }
  return new NodeRequest(url, { method, headers }, method === 'GET' || method === 'HEAD' ? null : req, res);
}

async function* limited(source: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let received = 0;
  for await (const chunk of source) {
    received += chunk.byteLength;
    if (received > limit) throw new Error(`Body size limit exceeded: received more than ${limit} bytes`);
    yield chunk;
  }
}

/** Headers every answer carries (the security headers), with their lowercase names looked up while writing. */
export interface DefaultHeaders {
  pairs: ReadonlyArray<readonly [string, string]>;
  /** Lowercase name → index in `pairs`. */
  index: ReadonlyMap<string, number>;
}

export function defaultHeaders(pairs: ReadonlyArray<readonly [string, string]>): DefaultHeaders {
  return { pairs, index: new Map(pairs.map(([name], i) => [name.toLowerCase(), i])) };
}

/**
 * Write a fetch Response to node:http, adding each default header the response does not carry itself. A
 * JSON body (built in memory by every API route) is sent with its length, in one write; other bodies
 * stream, flushed as they come (server-sent events), and are cancelled when the client leaves.
 */
export async function writeNodeResponse(response: Response, res: http.ServerResponse, defaults: DefaultHeaders): Promise<void> {
  const head: string[] = [];
  let present = 0;
  let hasLength = false;
  let json = false;
  for (const [name, value] of response.headers) {
    head.push(name, value);
    const index = defaults.index.get(name);
    if (index !== undefined) present |= 1 << index;
    else if (name === 'content-length') hasLength = true;
    else if (name === 'content-type') json = /^application\/(?:[\w.+-]+\+)?json\b/i.test(value);
  }
  const missing = defaults.pairs.filter((_, i) => (present & (1 << i)) === 0);
  if (response.body !== null && !json) {
    // The adapter's writeHead merges these under the response's own headers.
    for (const [name, value] of missing) res.setHeader(name, value);
    // Corked so that the head and the first chunk leave together; uncorked on the next turn, since a
    // stream (server-sent events) must not wait for its end to be sent.
    res.cork();
    const written = writeResponse(response, res);
    setImmediate(() => {
      if (!res.writableEnded) res.uncork();
    });
    await written;
    return;
  }
  for (const [name, value] of missing) head.push(name, value);
  // JSON and empty bodies: end() writes the head and the body in one go (a corked writev).
  const body = response.body === null ? null : Buffer.from(await response.arrayBuffer());
  if (body && !hasLength) head.push('content-length', String(body.byteLength));
  if (response.statusText) res.writeHead(response.status, response.statusText, head);
  else res.writeHead(response.status, head);
  if (body) res.end(body);
  else res.end();
}
