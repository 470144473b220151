// `ingest generate` as a user runs it: on the offline fakes (--demo), refused parameters, and a provider
// that needs a token it does not have.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPngText } from '../../src/core/media/png-text.ts';
import { runCli } from '../testing/run-cli.ts';

const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'huaku-generate-cli-'));
afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

describe('ingest generate', () => {
  it('--demo draws on the offline fakes into cache/outputs/{task}/, each PNG with its parameters and a JSON recipe', async () => {
    const result = await runCli(['generate', '--demo', '--model', 'demo/checkpoint', '--prompt', '水墨山水', '--lora', 'demo/ink:0.6', '--width', '256', '--height', '256', '--steps', '4', '--seed', '42', '--batch', '2'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('演示模式 DEMO');
    expect(result.stdout).toMatch(/saved 2 image\(s\) from modelscope@/);
    const dir = path.join(cwd, 'cache/outputs/text-to-image-synthesis');
    const pngs = fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
    expect(pngs).toHaveLength(2);
    expect(pngs[0]).toMatch(/^\d{8}-\d{6}_42_0\.png$/);
    const text = readPngText(fs.readFileSync(path.join(dir, pngs[1]!)));
    expect(text.parameters).toMatch(/^水墨山水, <lora:demo\/ink:0.6>\nSteps: 4, Sampler: Euler a, CFG scale: 7, Seed: 43, Size: 256x256, Model: demo\/checkpoint, Huaku provider: "modelscope@/);
    const recipe = JSON.parse(fs.readFileSync(path.join(dir, pngs[1]!.replace('.png', '.json')), 'utf8')) as { demo: boolean; params: { seed: number } };
    expect(recipe).toMatchObject({ demo: true, params: { seed: 43 } });
  });

  it('refuses parameters out of range with the allowed range (exit 2), and says what to do without a token (exit 1)', async () => {
    const bad = await runCli(['generate', '--demo', '--model', 'm', '--prompt', 'p', '--steps', '500', '--width', '100'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('参数超出范围');
    expect(bad.stderr).toMatch(/steps: .*100/);
    const noToken = await runCli(['generate', '--model', 'm', '--prompt', 'p'], { cwd, env: { GENERATION_PROVIDERS: 'modelscope', MODELSCOPE_INFERENCE_BASE: 'http://127.0.0.1:9' } });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('请配置 API Key');
    expect(noToken.stderr).toContain('--demo');
  });
});
