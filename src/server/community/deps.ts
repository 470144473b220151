// What the community services use: the core (configuration, Store, BlobStore, logger), the cache and the
// job queue. The server's start-up passes its services, which include these.
import type { BlobStore } from '../../core/blob/blob-store.ts';
import type { Config } from '../../core/env.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../../core/store/store.ts';
import type { CommunityCache } from '../cache/community-cache.ts';
import type { JobQueue } from '../jobs/job-queue.ts';

export interface CommunityDeps {
  config: Config;
  store: Store;
  blobs: BlobStore;
  log: Logger;
  cache: CommunityCache;
  jobs: JobQueue;
}
