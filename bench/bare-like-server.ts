// The baselines for bench/community-like.ts, in their own process like the Astro server:
//   hello: a bare node:http handler answering a constant JSON body (the ceiling of any Node handler);
//   like:  a bare node:http handler doing all the work the real endpoint must do, with the same code, but
//          without Astro: the middleware's edge work (src/server/http/edge.ts: trusted-proxy client,
//          cross-site check, security headers) around the route function itself (reactionRoutes('like'):
//          session from the cookie, rate limits, path parameter validation, setReaction on the Store and the
//          cache), on the server's own services (getServerServices(), workers included). Only the routing
//          is a regular expression. So the ratio measures what the built server adds (src/server/serve.ts:
//          the route table's dispatch, Astro's request/response conversion), nothing else.
// Configuration comes from the environment like the server's (DATABASE_URL, REDIS_URL…); prints its port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleOnDemand } from '../src/server/http/edge.ts';
import { reactionRoutes } from '../src/server/http/reaction-routes.ts';
import { getServerServices, serverConfig } from '../src/server/start-up.ts';

const mode = process.argv[2];
const hello = JSON.stringify({ artwork_id: 1, like_count: 1, isLiked: true, is_liked: true });
const routes = reactionRoutes('like');
const config = serverConfig();
if (mode === 'like') await getServerServices();

const server = http.createServer(async (req, res) => {
  if (mode !== 'like') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(hello);
    return;
  }
  try {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const id = /^\/api\/artworks\/([^/]+)\/like$/.exec(url.pathname)?.[1];
    const route = req.method === 'POST' ? routes.POST : req.method === 'DELETE' ? routes.DELETE : undefined;
    if (!id || !route) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = new Request(url, { method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
    const locals = {};
    const clientAddress = req.socket.remoteAddress;
    const response = await handleOnDemand(config, { request, url, clientAddress, locals }, () => route({ request, url, params: { id }, clientAddress, locals }));
    res.writeHead(response.status, [...response.headers].flat());
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => {
  server.close();
  if (mode !== 'like') process.exit(0);
  void getServerServices().then((services) => services.close()).finally(() => process.exit(0));
});
