import { describe, expect, it } from 'vitest';
import { generationRequestSchema } from '../../core/generation/generation-request.ts';
import { comparisonJson, gridLayout, loraComparison, strengthComparison } from './comparison.ts';
import type { FormLora, FormValues } from './form-values.ts';

const base: FormValues = {
  prompt: 'a cat', negativePrompt: '', checkpoint: { id: 'sdxl', name: 'SDXL 1.0', baseModel: 'SDXL 1.0' }, loras: [], sampler: 'Euler a',
  steps: 20, cfgScale: 7, width: 512, height: 768, seed: -1, batch: 3,
};
const lora = (n: number, weight = 0.8): FormLora => ({ loraId: String(n), id: `o/l${n}`, name: `L${n}`, baseModels: ['SDXL'], weight });

describe('comparisons', () => {
  it('对比生成: one job per LoRA, each alone, one seed, one image', () => {
    const plan = loraComparison(base, [lora(1), lora(2, 0.6)], 42);
    expect(plan.columns).toEqual(['L1 · 0.8', 'L2 · 0.6']);
    expect(plan.cells.map((c) => [c.request.loras.map((l) => l.id), c.request.seed, c.request.batch])).toEqual([
      [['o/l1'], 42, 1],
      [['o/l2'], 42, 1],
    ]);
    for (const cell of plan.cells) expect(generationRequestSchema.safeParse(cell.request).success).toBe(true);
  });

  it('强度对比: weights across, seeds down', () => {
    const plan = strengthComparison(base, lora(1), [7, 8]);
    expect(plan.columns).toEqual(['权重 0.4', '权重 0.6', '权重 0.8', '权重 1']);
    expect(plan.rows).toEqual(['种子 7', '种子 8']);
    expect(plan.cells.map((c) => `${c.row}${c.column}:${c.request.seed}@${c.request.loras[0]!.weight}`)).toEqual([
      '00:7@0.4', '01:7@0.6', '02:7@0.8', '03:7@1', '10:8@0.4', '11:8@0.6', '12:8@0.8', '13:8@1',
    ]);
  });

  it('lays the grid out with headings and keeps each cell’s job in the JSON', () => {
    const plan = strengthComparison(base, lora(1), [7, 8]);
    const layout = gridLayout(plan, { width: 100, height: 150 });
    expect(layout).toMatchObject({ width: 148 + 4 * 108, height: 84 + 2 * 158 });
    expect(layout.cells[5]).toEqual({ x: 148 + 108, y: 84 + 158, width: 100, height: 150 });
    const json = comparisonJson(plan, plan.cells.map((_, i) => ({ jobId: `j${i}`, imageUrl: `/media/${i}.png` })));
    expect(json.cells[5]).toMatchObject({ label: '种子 8 / 权重 0.6', job_id: 'j5', image_url: '/media/5.png', request: { seed: 8 } });
  });
});
