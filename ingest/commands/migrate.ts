import { openMigratedStore } from '../../src/core/store/create-store.ts';
import type { CommandRunner } from './command.ts';

export const migrateCommand: CommandRunner = {
  async run({ config, out }) {
    const where = config.database.kind === 'sqlite' ? config.database.file : `${config.database.host}:${config.database.port}/${config.database.database}`;
    const store = await openMigratedStore(config.database);
    try {
      await store.assertMigrated();
      out(`database migrated: ${config.database.kind} ${where}`);
    } finally {
      await store.close();
    }
    return 0;
  },
};
