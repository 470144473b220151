import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleWork, writeTestSnapshot } from '../../src/core/snapshot/test-fixtures.ts';
import { runCli as runMain } from '../testing/run-cli.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-analyze-'));
const snapshotDir = path.join(dir, 'snapshot');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const runCli = (args: string[], env: Record<string, string> = {}) =>
  runMain(args, { cwd: dir, env: { DATABASE_URL: `sqlite:${path.join(dir, 'unused.db')}`, ...env } });

beforeAll(async () => {
  const works = [1, 2, 3, 4, 5, 6].map((n) =>
    sampleWork(n, {
      id: `w${n}`,
      prompt: n % 2 ? '赛博朋克风格的红色跑车，城市夜景' : 'red sports car | night city, <lora:neon:0.8>',
      models: [
        { type: 'CHECKPOINT', name: 'SDXL 1.0', url: null, loraId: null },
        { type: 'LORA', name: '霓虹 | <b>城市</b>', url: null, loraId: null },
      ],
    }),
  );
  await writeTestSnapshot(snapshotDir, works, { chunkSize: 4 });
});

// Drawing six charts takes a while on a busy machine.
describe('ingest analyze', { timeout: 120_000 }, () => {
  it('writes the PNG charts and a Markdown report that links them with the headline figures', async () => {
    const outDir = path.join(dir, 'reports');
    const result = await runCli(['analyze', '--snapshot', snapshotDir, '--out', outDir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^analyze: 6 works → .*analysis-\d{4}-\d{2}-\d{2}\.md and 6 chart\(s\)/);

    const files = fs.readdirSync(outDir).sort();
    const report = files.find((f) => f.endsWith('.md'))!;
    const date = /^analysis-(\d{4}-\d{2}-\d{2})\.md$/.exec(report)![1];
    const pngs = ['authors', 'checkpoints', 'daily', 'loras', 'sources', 'words'].map((id) => `analysis-${date}-${id}.png`);
    expect(files).toEqual([report, `analysis-${date}.json`, ...pngs].sort());
    // The summary as JSON: what the daily run keeps as the day's history (analysis.json).
    expect(JSON.parse(fs.readFileSync(path.join(outDir, `analysis-${date}.json`), 'utf8'))).toMatchObject({ totalWorks: 6 });
    for (const png of pngs) {
      const bytes = fs.readFileSync(path.join(outDir, png));
      expect(bytes.subarray(0, 8).toString('hex'), png).toBe('89504e470d0a1a0a');
      expect(bytes.length, png).toBeGreaterThan(5000);
    }

    const markdown = fs.readFileSync(path.join(outDir, report), 'utf8');
    expect(markdown).toContain(`# 画库数据分析 ${date}`);
    expect(markdown).toContain('- 作品 6 件（Liblib 6）');
    expect(markdown).toContain('最常用的 Checkpoint：SDXL 1.0（6 件作品）');
    for (const png of pngs) expect(markdown).toContain(`](${png})`);
    expect(markdown).toContain('## 提示词词云');
    expect(markdown).toContain('| 赛博朋克 | 3 |');
    // Numbers right-aligned; a `|` inside a name stays inside its cell, and markup in it is text.
    expect(markdown).toContain('| 排名 | 模型 | 引用作品数 |\n| ---: | --- | ---: |\n');
    expect(markdown).toContain('| 1 | 霓虹 \\| &lt;b&gt;城市&lt;/b&gt; | 6 |');
    expect(markdown).toContain('最常用的 LoRA：霓虹 | &lt;b&gt;城市&lt;/b&gt;（6 件作品）');
  });

  it('without a snapshot, exits 1 and says to write one', async () => {
    const result = await runCli(['analyze', '--snapshot', path.join(dir, 'nothing-here'), '--out', path.join(dir, 'unused')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no snapshot in');
    expect(result.stderr).toContain('npm run ingest -- snapshot');
    expect(fs.existsSync(path.join(dir, 'unused'))).toBe(false);
  });

  it('with an output directory it cannot create, exits 1 naming it', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'not a directory');
    const result = await runCli(['analyze', '--snapshot', snapshotDir, '--out', path.join(file, 'reports')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot write the analysis to ${path.join(file, 'reports')}`);
    expect(result.stderr).toContain('--out DIR');
  });

  it('reads SNAPSHOT_DIR and REPORTS_DIR by default and lists itself in the help', async () => {
    const reports = path.join(dir, 'default-reports');
    const [result, help, commandHelp] = await Promise.all([
      runCli(['analyze'], { SNAPSHOT_DIR: snapshotDir, REPORTS_DIR: reports }),
      runCli(['--help']),
      runCli(['analyze', '--help']),
    ]);
    expect(result.code).toBe(0);
    expect(fs.readdirSync(reports).some((f) => /^analysis-.*\.md$/.test(f))).toBe(true);
    expect(help.stdout).toMatch(/analyze\s+analyse the snapshot/);
    expect(commandHelp.code).toBe(0);
    expect(commandHelp.stdout).toContain('--snapshot <value>');
  });
});
