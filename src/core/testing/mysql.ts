// MariaDB/MySQL for tests: the admin URL comes from TEST_MYSQL_URL; each suite gets its own database.
import mysql from 'mysql2/promise';
import { parseDatabaseUrl, type DatabaseConfig } from '../env.ts';
import { testConfig, uniqueSuffix, type ServiceAvailability } from './services.ts';

export type MysqlDatabaseConfig = Extract<DatabaseConfig, { kind: 'mysql' }>;

export async function mysqlAvailability(): Promise<ServiceAvailability> {
  const adminUrl = testConfig.testing.mysqlUrl;
  if (!adminUrl) return { available: false, reason: 'TEST_MYSQL_URL is not set (e.g. mysql://huaku:huaku@127.0.0.1:3306/huaku_test)' };
  try {
    const connection = await mysql.createConnection({ uri: adminUrl, connectTimeout: 3000 });
    await connection.end();
    return { available: true, reason: '' };
  } catch (error) {
    return { available: false, reason: `cannot connect to ${new URL(adminUrl).host}: ${(error as Error).message}` };
  }
}

/** A fresh database `<prefix>_<suffix>` on the TEST_MYSQL_URL server; `drop()` removes it. */
export async function createTestDatabase(prefix: string): Promise<{ target: MysqlDatabaseConfig; drop(): Promise<void> }> {
  const adminUrl = testConfig.testing.mysqlUrl;
  if (!adminUrl) throw new Error('TEST_MYSQL_URL is not set');
  const admin = await mysql.createConnection({ uri: adminUrl });
  const name = `${prefix}_${uniqueSuffix()}`;
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    target: parseDatabaseUrl(url.toString()) as MysqlDatabaseConfig,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}
