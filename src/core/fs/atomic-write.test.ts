import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-atomic-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const leftovers = (d: string) => fs.readdirSync(d).filter((name) => name.endsWith('.tmp'));

describe('writeFileAtomic', () => {
  it('writes text, bytes and chunks, creating the folder and replacing an existing file', async () => {
    const file = path.join(dir, 'nested', 'a.txt');
    await writeFileAtomic(file, 'first');
    expect(fs.readFileSync(file, 'utf8')).toBe('first');
    await writeFileAtomic(file, Buffer.from([0xe7, 0x94, 0xbb]));
    expect(fs.readFileSync(file, 'utf8')).toBe('画');
    await writeFileAtomic(file, ['a', Buffer.from('b'), 'c']);
    expect(fs.readFileSync(file, 'utf8')).toBe('abc');
    expect(leftovers(path.dirname(file))).toEqual([]);
  });

  it('a failure in the middle of writing leaves the old file byte for byte, and no temp file', async () => {
    const file = path.join(dir, 'atomic.json');
    await writeFileAtomic(file, '{"old": true}\n');
    const before = fs.readFileSync(file);
    function* halfThenFail(): Generator<string> {
      yield '{"new": [';
      yield '1, 2';
      throw new Error('disk went away mid-write');
    }
    await expect(writeFileAtomic(file, halfThenFail())).rejects.toThrow('disk went away mid-write');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });
});
