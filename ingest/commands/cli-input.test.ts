// Command-line input is bounded in one place (flag-values.ts): absurd flag values exit 2 with the
// command's usage before anything runs, and `inspect --file` streams at most INSPECT_MAX_BYTES.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as runMain } from '../testing/run-cli.ts';
import { INSPECT_MAX_BYTES, MAX_PAGE, parsePageRange, positiveInt, requestRate } from './flag-values.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-cli-input-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const env = { DATABASE_URL: `sqlite:${path.join(dir, 'never-opened.db')}`, LIBLIB_API_BASE: 'http://127.0.0.1:9' };
const runCli = (args: string[]) => runMain(args, { env, cwd: dir });

describe('flag values', () => {
  it('refuses absurd values with exit 2, the flag, what it expects and the usage', async () => {
    const cases: Array<[string[], string]> = [
      [['liblib', '--rps', '0.0001'], '--rps "0.0001": expected requests per second from 0.01 to 50'],
      [['liblib', '--rps', '51'], '--rps "51"'],
      [['liblib', '--rps=-1'], '--rps "-1"'],
      [['liblib', '--rps', '1e3'], '--rps "1e3"'],
      [['liblib', '--rps', 'NaN'], '--rps "NaN"'],
      [['retry-failed', '--rps', '0'], '--rps "0"'],
      [['liblib', '--pages', '1-99999999999999999999'], `pages from 1 to ${MAX_PAGE}`],
      [['liblib', '--pages', '99999999999999999999'], '--pages "99999999999999999999"'],
      [['liblib', '--pages', '0-3'], `pages run from 1 to ${MAX_PAGE}`],
      [['liblib', '--pages', '9-3'], 'the range must be ascending'],
      [['liblib', '--pages', `1-${MAX_PAGE + 1}`], `pages run from 1 to ${MAX_PAGE}`],
      [['liblib', '--page-size', '1000000000000000000000'], '--page-size'],
      [['liblib', '--max-works', '0.5'], '--max-works "0.5": expected a whole number'],
      [['toploras', '--limit', '100000'], '--limit "100000": expected a whole number from 1 to 500'],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((result, i) => {
      const [args, message] = cases[i]!;
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(message);
      expect(result.stderr, args.join(' ')).toContain(`Usage: npm run ingest -- ${args[0]}`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
    expect(fs.existsSync(path.join(dir, 'never-opened.db'))).toBe(false);
  });

  it('accepts the sane ones', () => {
    expect(requestRate('rps', '0.5', 4)).toBe(0.5);
    expect(requestRate('rps', '50', 4)).toBe(50);
    expect(requestRate('rps', undefined, 4)).toBe(4);
    expect(parsePageRange('2-')).toEqual({ from: 2, to: null });
    expect(parsePageRange('3')).toEqual({ from: 3, to: 3 });
    expect(parsePageRange(`1-${MAX_PAGE}`)).toEqual({ from: 1, to: MAX_PAGE });
    expect(positiveInt('limit', '20', 5, 500)).toBe(20);
  });
});

describe('inspect --file', () => {
  it('stops reading an endless file at the cap and says so (exit 2)', async () => {
    const result = await runCli(['inspect', '--source', 'liblib', '--endpoint', 'list', '--file', '/dev/zero']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--file "/dev/zero": larger than ${INSPECT_MAX_BYTES / 1024 / 1024} MiB, stopped reading`);
  });

  it('names a file it cannot read', async () => {
    const result = await runCli(['inspect', '--source', 'liblib', '--endpoint', 'list', '--file', path.join(dir, 'missing.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read it (ENOENT');
  });
});
