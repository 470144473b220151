// The server's entry point into the core: configuration parsed once, the Store, the BlobStore, a logger
// and the community services (sessions, caches, rate limits, jobs), created on the first request and
// shared by every on-demand route. The job workers start with them.
import { createBlobStore } from '../core/blob/create-blob-store.ts';
import { createCommunityServices, type CommunityServices } from './community/services.ts';
import { loadConfig } from '../core/env.ts';
import { createLogger } from '../core/log.ts';
import { createStore } from '../core/store/create-store.ts';

export type ServerContext = CommunityServices;

let context: Promise<ServerContext> | undefined;

export function getServerContext(): Promise<ServerContext> {
  context ??= (async () => {
    const config = loadConfig();
    const log = createLogger(config, { component: 'server' });
    const store = await createStore(config.database);
    return createCommunityServices({ config, store, blobs: createBlobStore(config.blob), log });
  })().catch((error: unknown) => {
    // Do not cache a failed start (a database file briefly unopenable): the next request tries again.
    context = undefined;
    throw error;
  });
  return context;
}
