// Every on-demand request (pages, API routes, /media) passes here: the client is resolved once through
// the trusted proxies (src/server/http/client-address.ts) and kept in `locals.client` for the rate limits;
// a cross-site write is refused before any route runs (Astro's own origin check is off: it cannot see
// the protocol a TLS proxy forwards); errors a page's frontmatter throws that are refusals (a database
// that is down → 503 with Retry-After) become their answer instead of Astro's 500 page; and the response
// gets the security headers. Prerendered pages pass through untouched at build time: the Node server
// (src/server/serve.ts) gives static files their headers.
import { defineMiddleware } from 'astro:middleware';
import { clientOf, isSameSiteWrite, socketAddress } from './server/http/client-address.ts';
import { pageErrorResponse } from './server/http/page-errors.ts';
import { crossSite } from './server/http/route.ts';
import { applySecurityHeaders, securityHeaderOptions } from './server/http/security-headers.ts';
import { serverConfig } from './server/start-up.ts';

export const onRequest = defineMiddleware(async (context, next) => {
  if (context.isPrerendered) return next();
  const config = serverConfig();
  const client = clientOf(config.server, { request: context.request, url: context.url, clientAddress: socketAddress(context) });
  (context.locals as { client?: typeof client }).client = client;
  let response: Response;
  if (!isSameSiteWrite(context.request, client, config.server.siteUrl)) response = crossSite().toResponse();
  else {
    try {
      response = await next();
    } catch (error) {
      const answer = pageErrorResponse(error);
      if (!answer) throw error;
      response = answer;
    }
  }
  try {
    applySecurityHeaders(response.headers, securityHeaderOptions(config));
  } catch {
    // Immutable headers (Response.redirect(), a fetched response): copy them into a response we own.
    response = new Response(response.body, response);
    applySecurityHeaders(response.headers, securityHeaderOptions(config));
  }
  return response;
});
