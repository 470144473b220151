// GET/HEAD /media/<key>: objects of the local BlobStore (uploads, thumbnails, ingested images).
// With S3 in production, MEDIA_BASE_URL points browsers at the bucket/CDN and this route is unused.
// Keys are content-addressed, so a found object is cached for a year; misses are never cached.
import { Readable } from 'node:stream';
import type { APIRoute } from 'astro';
import type { BlobHead } from '../../core/blob/blob-store.ts';
import { InvalidInputError, NotFoundError, ServiceUnavailableError } from '../../core/errors.ts';
import { refusalResponse } from '../../server/http/api-error.ts';
import { getBlobStore } from '../../server/start-up.ts';

export const prerender = false;

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Types a browser may render inline from our origin; anything else is served as a download. */
const INLINE_TYPE = /^(image\/(png|jpeg|webp|gif|avif)|video\/(mp4|webm)|audio\/(mpeg|ogg|wav|webm))$/;

export const GET: APIRoute = ({ request }) => serve(request, 'GET');
export const HEAD: APIRoute = ({ request }) => serve(request, 'HEAD');

const PREFIX = '/media/';

/**
 * The key from the raw request path, each segment decoded once with decodeURIComponent: the exact
 * inverse of BlobStore.publicUrl. Not Astro's `params` or `url`: those are decoded repeatedly
 * (`%2525` → `%`) yet leave `%23`, `%3F`, `%2F` encoded, and `url` turns a decoded `\` into `/`.
 */
function keyFrom(request: Request): string {
  const { pathname } = new URL(request.url);
  if (!pathname.startsWith(PREFIX)) return '';
  try {
    return pathname.slice(PREFIX.length).split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new InvalidInputError(`invalid blob key: malformed percent-encoding in ${JSON.stringify(pathname)}`);
  }
}

async function serve(request: Request, method: 'GET' | 'HEAD'): Promise<Response> {
  try {
    // The BlobStore alone, not the server's services: published files stay served while the database is down.
    const blobs = getBlobStore();
    const key = keyFrom(request);
    if (!key) return notFound();
    if (method === 'HEAD') {
      const head = await blobs.head(key);
      return head ? new Response(null, { headers: headersFor(head) }) : notFound();
    }
    const object = await blobs.get(key);
    if (!object) return notFound();
    const body = Readable.toWeb(object.body) as ReadableStream<Uint8Array>;
    return new Response(body, { headers: headersFor(object) });
  } catch (cause) {
    if (cause instanceof InvalidInputError) return refusalResponse(new InvalidInputError(cause.message, { code: 'invalid_key' }));
    if (cause instanceof ServiceUnavailableError) return refusalResponse(cause);
    throw cause;
  }
}

function headersFor(head: BlobHead): Headers {
  // A safe type only: what may render inline keeps its own, anything else (an uploaded text/html or SVG)
  // is opaque bytes, downloaded, never interpreted on our origin.
  const declared = head.contentType?.split(';')[0]!.trim().toLowerCase() ?? '';
  const inline = INLINE_TYPE.test(declared);
  const contentType = inline ? declared : 'application/octet-stream';
  const headers = new Headers({
    'Content-Type': contentType,
    'Content-Length': String(head.size),
    'Cache-Control': IMMUTABLE,
    'X-Content-Type-Options': 'nosniff',
    // Uploaded files are untrusted: never let one run script or load anything as a document on our origin.
    'Content-Security-Policy': "default-src 'none'; sandbox",
  });
  if (head.lastModified) headers.set('Last-Modified', head.lastModified.toUTCString());
  if (!inline) headers.set('Content-Disposition', 'attachment');
  return headers;
}

const notFound = () => refusalResponse(new NotFoundError('文件不存在', { code: 'not_found' }));
