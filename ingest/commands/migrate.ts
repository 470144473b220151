import { openMigratedStore } from '../../src/core/store/create-store.ts';
import type { Command } from './command.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply database migrations (SQLite file or MySQL/MariaDB from DATABASE_URL)',
  usage: 'npm run migrate',
  options: {},
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
