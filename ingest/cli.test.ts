// The ingest CLI through main(), in process; two smoke tests start the real entry point in a child process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { testConfig } from '../src/core/testing/services.ts';
import { createTestDatabase } from '../src/core/testing/mysql.ts';
import { COMMANDS } from './commands/command-table.ts';
import { heavyPackagesIn, parseLoadedModules, RECORD_MODULES_PRELOAD } from './testing/loaded-modules.ts';
import { runCli as runMain, spawnCli } from './testing/run-cli.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const runCli = (args: string[], env: Record<string, string> = {}) => runMain(args, { env, cwd: dir });
const sqlite = (name: string) => ({ DATABASE_URL: `sqlite:${path.join(dir, name)}`, BLOB_LOCAL_DIR: path.join(dir, 'blobs') });

// A child process pays Node's start-up and, for migrate, the SQLite driver: generous on a busy machine.
describe('ingest CLI, the entry point in a child process', { timeout: 90_000 }, () => {
  it('--help exits 0 without loading any driver, SDK or native package; an unknown command exits 2', async () => {
    const [help, unknown] = await Promise.all([spawnCli(['--help'], { cwd: dir, nodeArgs: ['--import', RECORD_MODULES_PRELOAD] }), spawnCli(['frobnicate'], { cwd: dir })]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Commands:');
    const loaded = parseLoadedModules(help.stderr);
    expect(loaded.urls).toContain(`file://${path.join(import.meta.dirname, 'commands', 'command-table.ts')}`);
    expect(heavyPackagesIn(loaded.packages)).toEqual([]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });

  it('runs a command end to end: migrate a SQLite database', async () => {
    const result = await spawnCli(['migrate'], { cwd: dir, env: sqlite('smoke.db') });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('database migrated: sqlite');
    expect(fs.existsSync(path.join(dir, 'smoke.db'))).toBe(true);
  });
});

describe('ingest CLI', () => {
  it('prints help with exit 0, and usage errors exit 2', async () => {
    expect((await runCli(['--help'])).code).toBe(0);
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Commands:');
    const commands = ['start', 'migrate', 'doctor', 'serve'];
    const helps = await Promise.all(commands.map((command) => runCli([command, '--help'])));
    helps.forEach((help, i) => {
      expect(help.code, commands[i]).toBe(0);
      expect(help.stdout).toContain('Usage:');
    });
    const [unknown, badFlag] = await Promise.all([runCli(['frobnicate']), runCli(['migrate', '--bogus'])]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("Unknown option '--bogus'");
  });

  it("<command> --help and bad flags never import the command's module", async () => {
    const loads = COMMANDS.map((command) => vi.spyOn(command, 'load'));
    try {
      for (const command of COMMANDS) {
        const help = await runCli([command.name, '--help']);
        expect(help.code, command.name).toBe(0);
        expect(help.stdout).toContain(`Usage: ${command.usage}`);
        for (const option of Object.keys(command.options)) expect(help.stdout, command.name).toContain(option);
        expect((await runCli([command.name, '--no-such-flag'])).code, command.name).toBe(2);
      }
      for (const load of loads) expect(load).not.toHaveBeenCalled();
    } finally {
      for (const load of loads) load.mockRestore();
    }
  });

  it('rejects bad crawl arguments with exit 2 and what each flag expects', async () => {
    const cases: Array<[string[], string]> = [
      [['liblib', '--pages', 'ten'], '--pages "ten": expected N, N-M or N-'],
      [['liblib', '--pages', '5-2'], 'the range must be ascending'],
      [['liblib', '--mode', 'sometimes'], '--mode "sometimes": expected full or incremental'],
      [['liblib', '--category', '美食'], '--category "美食": unknown; known: 汽车交通'],
      [['liblib', '--rps', '0'], '--rps "0": expected requests per second from 0.01 to 50'],
      [['liblib', '--media-concurrency', '0'], '--media-concurrency "0": expected a whole number from 1 to 64'],
      [['inspect', '--endpoint', 'nope', '--file', 'x'], '--endpoint "nope": liblib has list, detail, author, comments'],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, sqlite('args.db'))));
    results.forEach((result, i) => {
      expect(result.code, cases[i]![0].join(' ')).toBe(2);
      expect(result.stderr).toContain(cases[i]![1]);
    });
  });

  it('exits 2 on bad configuration, listing every bad key without a stack trace', async () => {
    const result = await runCli(['doctor'], { DATABASE_URL: 'postgres://nope/db', PORT: 'eighty', BLOB_DRIVER: 's3' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL: expected sqlite:<file>');
    expect(result.stderr).toContain('PORT: expected a port number');
    expect(result.stderr).toContain('S3_BUCKET: required when BLOB_DRIVER=s3');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('migrates SQLite idempotently and doctor reports each service', async () => {
    const env = sqlite('cli.db');
    const unmigrated = await runCli(['doctor'], env);
    expect(unmigrated.code).toBe(1);
    expect(unmigrated.stdout).toMatch(/FAIL\s+database \(sqlite\): .*missing \d+ migration.*npm run migrate/);

    const first = await runCli(['migrate'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('database migrated: sqlite');
    expect((await runCli(['migrate'], env)).code).toBe(0);

    const doctor = await runCli(['doctor'], { ...env, S3_REGION: 'cn-north-1' });
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/ok\s+database \(sqlite\): reachable/);
    expect(doctor.stdout).toMatch(/ok\s+blob store \(local\): writable/);
    expect(doctor.stdout).toMatch(/ok\s+redis: not configured/);
    expect(doctor.stdout).toMatch(/ok\s+ffmpeg \(video posters and previews\): (system|npm static) binaries.*ffmpeg version .*ffprobe version /);
    expect(doctor.stdout).toMatch(/S3_REGION\s+cn-north-1\n/);
    expect(doctor.stdout).toMatch(/PORT\s+4321 \(default\)/);
    expect(doctor.stdout).toContain(`Node ${process.version}`);
  });

  it('names an unreachable MySQL host and what to do, with exit 1', async () => {
    const migrate = await runCli(['migrate'], { DATABASE_URL: 'mysql://huaku:secret@127.0.0.1:1/huaku' });
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toContain('127.0.0.1:1');
    expect(migrate.stderr).toContain('start MySQL/MariaDB');
    expect(migrate.stderr).not.toContain('secret');
    const doctor = await runCli(['doctor'], { DATABASE_URL: 'mysql://huaku:secret@127.0.0.1:1/huaku', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/FAIL\s+database \(mysql\): .*127\.0\.0\.1:1/);
    expect(doctor.stdout).toMatch(/FAIL\s+redis: .*127\.0\.0\.1:1/);
    expect(doctor.stdout).toMatch(/DATABASE_URL\s+mysql:\/\/huaku:\*\*\*\*@127\.0\.0\.1:1\/huaku/);
  });

  it.runIf(testConfig.testing.mysqlUrl !== undefined && testConfig.testing.redisUrl !== undefined)(
    'doctor reports a real MariaDB and Redis as reachable',
    async () => {
      // Its own database: the shared test database may hold another checkout's migration history.
      const db = await createTestDatabase('huaku_cli');
      try {
        const env = { DATABASE_URL: db.target.url, REDIS_URL: testConfig.testing.redisUrl!, BLOB_LOCAL_DIR: path.join(dir, 'blobs') };
        const migrated = await runCli(['migrate'], env);
        expect(migrated.code, migrated.stderr).toBe(0);
        const doctor = await runCli(['doctor'], env);
        expect(doctor.stdout).toMatch(/ok\s+database \(mysql\): reachable/);
        expect(doctor.stdout).toMatch(/ok\s+redis: reachable in [\d.]+ ms \(Redis \d/);
        expect(doctor.code).toBe(0);
      } finally {
        await db.drop();
      }
    },
  );
});
