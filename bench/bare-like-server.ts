// The baselines for bench/community-like.ts, in their own process like the Astro server:
//   hello: a bare node:http handler answering a constant JSON body (the ceiling of any Node handler);
//   like:  a bare node:http handler doing the like endpoint's work with the same code (session from the
//          cookie, then setReaction on the Store and the cache) but without Astro, routing or zod.
// Configuration comes from the environment like the server's (DATABASE_URL, REDIS_URL…); prints its port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBlobStore } from '../src/core/blob/create-blob-store.ts';
import { setReaction } from '../src/server/community/actions.ts';
import { createServerServices } from '../src/server/start-up.ts';
import { loadConfig } from '../src/core/env.ts';
import { authenticateRequest } from '../src/server/http/request-auth.ts';
import { createLogger } from '../src/core/log.ts';
import { createStore } from '../src/core/store/create-store.ts';

const mode = process.argv[2];
const config = loadConfig();
const log = createLogger(config);
const services = mode === 'like' ? await createServerServices({ config, store: await createStore(config.database), blobs: createBlobStore(config.blob), log }, { startWorkers: false }) : null;
const hello = JSON.stringify({ artwork_id: 1, like_count: 1, isLiked: true, is_liked: true });

const server = http.createServer(async (req, res) => {
  if (!services) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(hello);
    return;
  }
  try {
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers as Record<string, string> });
    const auth = await authenticateRequest(services, request);
    const id = Number(/^\/api\/artworks\/(\d+)\/like$/.exec(req.url ?? '')?.[1]);
    if (!auth.session || !id) {
      res.writeHead(401).end();
      return;
    }
    const { counts, active } = await setReaction(services, auth.session.user, id, 'like', req.method === 'POST');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ artwork_id: id, like_count: counts.likes, isLiked: active, is_liked: active }));
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => {
  server.close();
  void services?.close().finally(() => process.exit(0));
  if (!services) process.exit(0);
});
