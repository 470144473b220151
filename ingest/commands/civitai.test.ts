// `ingest civitai images …` and `ingest inspect --source civitai`, in process through the CLI's main().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCivitai, type FakeCivitai } from '../../fakes/civitai/server.ts';
import { runCli } from '../testing/run-cli.ts';

let fake: FakeCivitai;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-civitai-cli-'));
beforeAll(async () => {
  fake = await startFakeCivitai({ auth: { keys: ['good'] } });
});
afterAll(async () => {
  await fake.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Run the CLI's main() with only this configuration; returns the exit code and what it printed. */
function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(args, {
    cwd: dir,
    env: {
      LOG_LEVEL: 'silent', CIVITAI_API_BASE: fake.apiBaseUrl, INGEST_RPS: '200', DATABASE_URL: `sqlite:${path.join(dir, 'huaku.db')}`,
      BLOB_LOCAL_DIR: path.join(dir, 'blobs'), REPORTS_DIR: path.join(dir, 'reports'), ...env,
    },
  });
}

describe('ingest civitai', () => {
  it('rejects bad arguments with exit 2 and what each flag expects', async () => {
    const cases: Array<[string[], string]> = [
      [['civitai'], 'missing sub-command'],
      [['civitai', 'models'], 'unknown sub-command "models"'],
      [['civitai', 'images'], 'choose exactly one of --model'],
      [['civitai', 'images', '--model', '1', '--creator', 'x'], '(got --model, --creator)'],
      [['civitai', 'images', '--model', 'abc'], '--model "abc": expected a whole number'],
      [['civitai', 'images', '--model', '1', '--nsfw', 'Spicy'], '--nsfw: NSFW level "Spicy"'],
      [['civitai', 'images', '--model', '1', '--template', '{model_id}'], 'does not name the image'],
      [['civitai', 'images', '--model', '1', '--metadata', 'xml'], '--metadata "xml": expected json, txt, exif or none'],
      [['civitai', 'images', '--model', '1', '--on-duplicate', 'merge'], '--on-duplicate "merge"'],
      [['civitai', 'images', '--model', '1', '--thumbnails', 'big'], '--thumbnails "big"'],
      [['civitai', 'images', '--filter', 'cursor=abc'], '--filter cursor: set by the downloader'],
      [['civitai', 'images', '--model', '1', '--catalog', '--out', 'x'], '--out: folder options do not apply with --catalog'],
      [['inspect', '--source', 'civitai', '--endpoint', 'nope', '--file', 'x'], 'civitai has images, model, model-version'],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toContain(message);
    }
  });

  it('downloads a model into a folder, then skips everything on a second run', async () => {
    const model = fake.catalogue.models[1]!;
    const out = path.join(dir, 'images');
    const args = ['civitai', 'images', '--model', String(model.id), '--limit', '5', '--out', out, '--template', 'by-creator', '--metadata', 'txt', '--thumbnails', '128'];
    const first = await cli(args, { CIVITAI_API_KEY: 'good' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/5 downloaded, 0 skipped/);
    expect(fs.readdirSync(path.join(out, 'thumbnails'))).not.toHaveLength(0);
    expect(fake.requests.filter((r) => r.endpoint === 'images').every((r) => r.authorization === 'Bearer good')).toBe(true);
    const second = await cli(args, { CIVITAI_API_KEY: 'good' });
    expect(second.stdout).toMatch(/0 downloaded, 5 skipped \(5 already there/);
  });

  it('says clearly when the key is wrong (exit 1)', async () => {
    const result = await cli(['civitai', 'images', '--creator', 'NeonDrifter', '--out', path.join(dir, 'x')], { CIVITAI_API_KEY: 'bad' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Error: Civitai refused the API key \(401 Unauthorized\).*CIVITAI_API_KEY is wrong or revoked\n\s+→ .*CIVITAI_API_KEY/);
  });

  it('--catalog stores into the database and blob store and prints the run report', async () => {
    expect((await cli(['migrate'])).code).toBe(0);
    const version = fake.catalogue.models[2]!.versions[0]!;
    const result = await cli(['civitai', 'images', '--version', String(version.id), '--catalog', '--nsfw', 'all'], { CIVITAI_API_KEY: 'good' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/# Run \d+: civitai images:crawl — SUCCESS/);
    expect(fs.readdirSync(path.join(dir, 'blobs', 'civitai'))).not.toHaveLength(0);
  });

  it('inspect validates and normalizes a recorded /images response, or names the drifted paths', async () => {
    const response = await fetch(`${fake.apiBaseUrl}/api/v1/images?limit=2&withMeta=true`, { headers: { authorization: 'Bearer good' } });
    const file = path.join(dir, 'images.json');
    fs.writeFileSync(file, await response.text());
    const ok = await cli(['inspect', '--source', 'civitai', '--endpoint', 'images', '--file', file]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).items).toHaveLength(2);
    const drifted = path.join(dir, 'drifted.json');
    fs.writeFileSync(drifted, JSON.stringify({ items: [{ id: 'x', url: 5 }], metadata: {} }));
    const bad = await cli(['inspect', '--source', 'civitai', '--endpoint', 'images', '--file', drifted]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('items[0].id');
    expect(bad.stdout).toContain('items[0].url');
  });
});
