// node:http ⇄ fetch Request/Response for the API route table (src/server/serve.ts), sized for what API
// exchanges are: small JSON bodies both ways. Astro's generic conversion (astro/app/node) streams every
// request body through an async iterable, wires an abort signal to the socket for every request, parses the
// URL three times and streams every answer chunk by chunk; in a profile of bench/community-like.ts that was
// most of what the built server spent beyond the route itself. Here:
//   - a body of known length up to BUFFERED_BODY_LIMIT (every JSON body the API accepts) is read into one
//     Buffer; larger or chunked bodies (uploads) still stream;
//   - `request.signal` is made on first use (only server-sent event routes ask) and aborts when the client
//     goes away before the answer is complete;
//   - a JSON answer is written with its Content-Length, head and body in one write; anything else (an
//     event stream) goes through the adapter's streaming writeResponse, as before.
import type http from 'node:http';
import { writeResponse } from 'astro/app/node';

/** Request bodies up to this size, with a Content-Length, are buffered (route.ts refuses JSON above 64 KiB). */
export const BUFFERED_BODY_LIMIT = 64 * 1024;

/** What the adapter allows a streamed request body (1 GiB): the routes enforce their own, far smaller limits. */
const STREAMED_BODY_LIMIT = 1024 * 1024 * 1024;

/** A Request whose `signal` is made on first use, following the node:http response it will answer. */
class NodeRequest extends Request {
  readonly response: http.ServerResponse;
  lazySignal: AbortSignal | undefined;

  constructor(url: string, init: RequestInit, response: http.ServerResponse) {
    super(url, init);
    this.response = response;
  }
}

// An accessor over Request's `signal` (declared as a field by the DOM types, so not overridable in the class).
Object.defineProperty(NodeRequest.prototype, 'signal', {
  configurable: true,
  get(this: NodeRequest): AbortSignal {
    if (!this.lazySignal) {
      const controller = new AbortController();
      this.lazySignal = controller.signal;
      const res = this.response;
      // The client left when the response closes (its socket closed) before it finished.
      const abandoned = () => {
        if (!res.writableFinished) controller.abort();
      };
      if (res.destroyed || res.socket?.destroyed) abandoned();
      else res.once('close', abandoned);
    }
    return this.lazySignal;
  },
});

/**
 * The fetch Request of a node:http request. `url` is the absolute URL (the caller parses it once for the
 * route); headers are Node's (duplicates already merged or dropped as Node does).
 */
export async function requestFromNode(req: http.IncomingMessage, res: http.ServerResponse, url: string): Promise<Request> {
  const method = req.method ?? 'GET';
  const headers = new Headers();
  for (const name in req.headers) {
    const value = req.headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') headers.append(name, value);
    else for (const item of value) headers.append(name, item);
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (method !== 'GET' && method !== 'HEAD') {
    const length = req.headers['content-length'];
    const declared = length === undefined || req.headers['transfer-encoding'] !== undefined ? NaN : Number(length);
    if (declared <= BUFFERED_BODY_LIMIT) {
      if (declared > 0) init.body = (await readBody(req)) as Uint8Array<ArrayBuffer>;
    } else {
      init.body = limited(req, STREAMED_BODY_LIMIT) as unknown as BodyInit;
      init.duplex = 'half';
    }
  }
  return new NodeRequest(url, init, res);
}

/** The whole body of a request whose (small) length is declared. */
function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => chunks.push(chunk);
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onClose = () => {
      done();
      reject(new Error('the client closed the connection before sending the whole request body'));
    };
    const done = () => {
      req.off('data', onData).off('end', onEnd).off('error', onClose).off('close', onClose);
    };
    req.on('data', onData).once('end', onEnd).once('error', onClose).once('close', onClose);
  });
}

async function* limited(source: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let received = 0;
  for await (const chunk of source) {
    received += chunk.byteLength;
    if (received > limit) throw new Error(`Body size limit exceeded: received more than ${limit} bytes`);
    yield chunk;
  }
}

/** A header list as writeHead takes it, with the lowercase names of the headers it must always carry. */
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
  if (response.body !== null && !json) {
    // The adapter's writeHead merges these under the response's own headers.
    for (let i = 0; i < defaults.pairs.length; i++) if ((present & (1 << i)) === 0) res.setHeader(defaults.pairs[i]![0], defaults.pairs[i]![1]);
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
  for (let i = 0; i < defaults.pairs.length; i++) if ((present & (1 << i)) === 0) head.push(defaults.pairs[i]![0], defaults.pairs[i]![1]);
  // JSON and empty bodies: end() writes the head and the body in one go (a corked writev).
  const body = response.body === null ? null : Buffer.from(await response.arrayBuffer());
  if (body && !hasLength) head.push('content-length', String(body.byteLength));
  if (response.statusText) res.writeHead(response.status, response.statusText, head);
  else res.writeHead(response.status, head);
  if (body) res.end(body);
  else res.end();
}
