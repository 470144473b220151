// What every on-demand request (pages, API routes, /media) goes through before and after its route, in one
// function so the Astro middleware (src/middleware.ts) and anything serving routes without Astro (the
// like benchmark's bare server) do the same work: the client resolved once through the trusted proxies
// (client-address.ts) and kept in `locals.client` for the rate limits; a cross-site write refused before
// any route runs; refusals a page throws (a database that is down → 503 with Retry-After) answered instead
// of a 500; and the security headers (security-headers.ts) on the response.
import type { Config } from '../../core/env.ts';
import { clientOf, isSameSiteWrite, type ClientInfo } from './client-address.ts';
import { pageErrorResponse } from './page-errors.ts';
import { crossSite } from './route.ts';
import { applySecurityHeaders, securityHeaderOptions } from './security-headers.ts';

export interface EdgeInput {
  request: Request;
  url: URL;
  /** The socket peer (undefined when unknown). */
  clientAddress: string | undefined;
  /** The request's locals: `client` is set on them. */
  locals: object;
}

export async function handleOnDemand(config: Config, input: EdgeInput, next: () => Promise<Response>): Promise<Response> {
  const client = clientOf(config.server, input);
  (input.locals as { client?: ClientInfo }).client = client;
  let response: Response;
  if (!isSameSiteWrite(input.request, client, config.server.siteUrl)) response = crossSite().toResponse();
  else {
    try {
      response = await next();
    } catch (error) {
      const answer = pageErrorResponse(error);
      if (!answer) throw error;
      response = answer;
    }
  }
  const options = securityHeaderOptions(config);
  try {
    applySecurityHeaders(response.headers, options);
  } catch {
    // Immutable headers (Response.redirect(), a fetched response): copy them into a response we own.
    response = new Response(response.body, response);
    applySecurityHeaders(response.headers, options);
  }
  return response;
}
