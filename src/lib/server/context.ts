// The server's entry point into the core: configuration parsed once, the Store, the BlobStore and a
// logger, created on the first request and shared by every on-demand route.
import { createBlobStore } from '../blob/create-blob-store.ts';
import type { BlobStore } from '../blob/blob-store.ts';
import { loadConfig, type Config } from '../env.ts';
import { createLogger, type Logger } from '../log.ts';
import { createStore } from '../store/create-store.ts';
import type { Store } from '../store/store.ts';

export interface ServerContext {
  config: Config;
  store: Store;
  blobs: BlobStore;
  log: Logger;
}

let context: Promise<ServerContext> | undefined;

export function getServerContext(): Promise<ServerContext> {
  context ??= (async () => {
    const config = loadConfig();
    const log = createLogger(config, { component: 'server' });
    return { config, store: createStore(config.database), blobs: createBlobStore(config.blob), log };
  })().catch((error: unknown) => {
    // Do not cache a failed start (a database file briefly unopenable): the next request tries again.
    context = undefined;
    throw error;
  });
  return context;
}
