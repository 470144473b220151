// The Store over drizzle, shared by both dialects: the repositories (repositories/, one file each) run the
// same queries on either schema, since the two mirror each other; what differs lives behind the Dialect
// (dialect.ts) that sqlite/ and mysql/ implement. This module owns the connection scope they share.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Dialect } from './dialect.ts';
import { createAuthorRepository } from './repositories/author-repository.ts';
import { createCommentRepository } from './repositories/comment-repository.ts';
import type { RepositoryContext } from './repositories/context.ts';
import { createGenerationJobRepository, createGenerationPresetRepository } from './repositories/generation-job-repository.ts';
import { createImageRepository } from './repositories/image-repository.ts';
import { createJobRepository } from './repositories/job-repository.ts';
import { createLedgerRepository } from './repositories/ledger-repository.ts';
import { createLoraRepository } from './repositories/lora-repository.ts';
import { createReactionRepository } from './repositories/reaction-repository.ts';
import { createRunProgressRepository } from './repositories/run-progress-repository.ts';
import { createRunRepository } from './repositories/run-repository.ts';
import { createSessionRepository } from './repositories/session-repository.ts';
import { createUserRepository } from './repositories/user-repository.ts';
import { createWorkRepository } from './repositories/work-repository.ts';
import type { Store, StoreHealth } from './store.ts';

export function createDrizzleStore(dialect: Dialect): Store {
  // The connection (or transaction) the current async call chain already holds.
  const ambient = new AsyncLocalStorage<{ db: Db; inTransaction: boolean }>();

  const transaction = <T>(fn: () => Promise<T>): Promise<T> => {
    const held = ambient.getStore();
    if (held?.inTransaction) return fn();
    const inScope = (tx: Db) => ambient.run({ db: tx, inTransaction: true }, fn);
    // A transaction started inside a plain connection scope: on SQLite that scope already holds the one
    // connection, so the transaction must not queue behind it.
    return held ? dialect.transaction(inScope, held.db) : dialect.transaction(inScope);
  };

  const context: RepositoryContext = {
    dialect,
    t: dialect.tables,
    run(fn) {
      const held = ambient.getStore();
      if (held) return fn(held.db, held.inTransaction);
      return dialect.withConnection((db) => ambient.run({ db, inTransaction: false }, () => fn(db, false)));
    },
    transaction,
  };

  const store: Store = {
    dialect: dialect.name,
    authors: createAuthorRepository(context),
    works: createWorkRepository(context),
    images: createImageRepository(context),
    comments: createCommentRepository(context),
    runs: createRunRepository(context),
    runProgress: createRunProgressRepository(context),
    users: createUserRepository(context),
    sessions: createSessionRepository(context),
    likes: createReactionRepository(context, dialect.tables.likes),
    favorites: createReactionRepository(context, dialect.tables.favorites),
    loras: createLoraRepository(context),
    jobs: createJobRepository(context),
    ledger: createLedgerRepository(context),
    generationJobs: createGenerationJobRepository(context),
    generationPresets: createGenerationPresetRepository(context),
    transaction: (fn) => transaction(() => fn(store)),
    async ping(): Promise<StoreHealth> {
      const started = performance.now();
      await dialect.withConnection((db) => dialect.ping(db));
      return { dialect: dialect.name, ms: Math.round((performance.now() - started) * 10) / 10 };
    },
    assertMigrated: () => dialect.assertMigrated(),
    close: () => dialect.close(),
  };
  return store;
}
