// Every on-demand request (pages, API routes, /media) passes here, through the shared edge work of
// src/server/http/edge.ts: the client resolved through the trusted proxies, the cross-site write check
// (Astro's own origin check is off: it cannot see the protocol a TLS proxy forwards), page refusals as
// answers instead of Astro's 500 page, and the security headers. Prerendered pages pass through untouched
// at build time: the Node server (src/server/serve.ts) gives static files their headers.
import { defineMiddleware } from 'astro:middleware';
import { socketAddress } from './server/http/client-address.ts';
import { handleOnDemand } from './server/http/edge.ts';
import { serverConfig } from './server/start-up.ts';

export const onRequest = defineMiddleware((context, next) => {
  if (context.isPrerendered) return next();
  return handleOnDemand(serverConfig(), { request: context.request, url: context.url, clientAddress: socketAddress(context), locals: context.locals }, next);
});
