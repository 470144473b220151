// The Response class of a render process (./render-child.ts). Astro's renderer encodes a page once and hands
// the bytes to `new Response(bytes)`; undici copies them on construction (webidl's
// getCopyOfBytesHeldByBufferSource): ~170 µs for a 52 KB page against ~7 µs without a body, about 5 % of a
// render process's CPU in a profile of a 5k-work build, before the GC the copies cause. A render process
// only needs the bytes to write them, so this Response keeps them as they are and undici holds no body.
// `body` still answers a stream of those bytes (Astro checks `response.body === null` on a 404 page); the
// methods that read undici's body (text(), clone()…) throw, naming this file, instead of answering an empty
// page, should a later Astro call them before returning the page's response.

/** Statuses that may not have a body: constructed as usual, so undici refuses bytes for them as before. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const BODY_METHODS = ['arrayBuffer', 'blob', 'bytes', 'formData', 'json', 'text', 'clone'] as const;

export interface PageResponses {
  /** A Response class to install as `globalThis.Response`. */
  PageResponse: typeof Response;
  /** The bytes a response was constructed with, when it kept them. */
  keptBytes(response: Response): Uint8Array | undefined;
}

export function pageResponses(): PageResponses {
  const kept = new WeakMap<Response, Uint8Array>();
  const refuseRead = (response: Response, what: string): void => {
    if (!kept.has(response)) return;
    throw new Error(
      `a page's Response was read (${what}) in a render process, which keeps only its bytes (src/integrations/prerender/page-response.ts): Astro now reads or re-wraps a page's response before returning it (Astro changed?)`,
    );
  };
  class PageResponse extends Response {
    constructor(body?: BodyInit | null, init?: ResponseInit) {
      const keep = body instanceof Uint8Array && !NULL_BODY_STATUSES.has(init?.status ?? 200);
      super(keep ? null : body, init);
      if (keep) kept.set(this, body);
    }
  }
  const bodyGetter = Object.getOwnPropertyDescriptor(Response.prototype, 'body')!.get!;
  const streams = new WeakMap<Response, ReadableStream<Uint8Array>>();
  Object.defineProperty(PageResponse.prototype, 'body', {
    configurable: true,
    get(this: Response) {
      const bytes = kept.get(this);
      if (!bytes) return bodyGetter.call(this);
      // One stream per response, as undici's getter answers.
      let stream = streams.get(this);
      if (!stream) {
        stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes);
            controller.close();
          },
        });
        streams.set(this, stream);
      }
      return stream;
    },
  });
  for (const method of BODY_METHODS) {
    const original = Response.prototype[method] as (...args: unknown[]) => unknown;
    Object.defineProperty(PageResponse.prototype, method, {
      configurable: true,
      writable: true,
      value(this: Response, ...args: unknown[]) {
        refuseRead(this, `${method}()`);
        return original.apply(this, args);
      },
    });
  }
  return { PageResponse, keptBytes: (response) => kept.get(response) };
}
