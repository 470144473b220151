import { describe, it } from 'vitest';
import { createTestDatabase, mysqlAvailability } from '../../testing/mysql.ts';
import { serviceGate } from '../../testing/services.ts';
import { migrationsDir } from '../create-store.ts';
import { describeStoreContract } from '../store.contract.ts';
import { openMysqlStore } from './mysql-store.ts';

const runs = serviceGate('MariaDB/MySQL', await mysqlAvailability());

if (runs) {
  describeStoreContract('MariaDB/MySQL (mysql2)', async () => {
    const main = await createTestDatabase('huaku_contract');
    const bare = await createTestDatabase('huaku_bare');
    const store = openMysqlStore(main.target);
    await store.migrate(migrationsDir('mysql'));
    await store.migrate(migrationsDir('mysql')); // idempotent
    return {
      store,
      openUnmigrated: async () => openMysqlStore(bare.target),
      cleanup: async () => {
        await store.close();
        await main.drop();
        await bare.drop();
      },
    };
  });
} else {
  describe.skip('Store contract: MariaDB/MySQL (mysql2)', () => {
    it('needs TEST_MYSQL_URL', () => {});
  });
}
