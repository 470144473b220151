import mysql from 'mysql2/promise';
import { describe, it } from 'vitest';
import { parseDatabaseUrl } from '../../env.ts';
import { serviceGate, testConfig, uniqueSuffix } from '../../testing/services.ts';
import { migrationsDir } from '../create-store.ts';
import { describeStoreContract } from '../store.contract.ts';
import { openMysqlStore } from './mysql-store.ts';

const adminUrl = testConfig.testing.mysqlUrl;

async function mysqlAvailability() {
  if (!adminUrl) return { available: false, reason: 'TEST_MYSQL_URL is not set (e.g. mysql://huaku:huaku@127.0.0.1:3306/huaku_test)' };
  try {
    const connection = await mysql.createConnection({ uri: adminUrl, connectTimeout: 3000 });
    await connection.end();
    return { available: true, reason: '' };
  } catch (error) {
    return { available: false, reason: `cannot connect to ${new URL(adminUrl).host}: ${(error as Error).message}` };
  }
}

const runs = serviceGate('MariaDB/MySQL', await mysqlAvailability());

/** A fresh database per suite, on the server TEST_MYSQL_URL names; dropped afterwards. */
async function createDatabase(prefix: string) {
  const admin = await mysql.createConnection({ uri: adminUrl! });
  const name = `${prefix}_${uniqueSuffix()}`;
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = new URL(adminUrl!);
  url.pathname = `/${name}`;
  return {
    target: parseDatabaseUrl(url.toString()) as { kind: 'mysql'; url: string; host: string; port: number; database: string },
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

if (runs) {
  describeStoreContract('MariaDB/MySQL (mysql2)', async () => {
    const main = await createDatabase('huaku_contract');
    const bare = await createDatabase('huaku_bare');
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
