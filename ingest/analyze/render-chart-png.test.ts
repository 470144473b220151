import { createCanvas, GlobalFonts, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { AnalyticsAccumulator } from '../../src/core/analytics/analytics-accumulator.ts';
import { buildAnalyticsCharts } from '../../src/core/analytics/chart-specs.ts';
import { CHART_FONT_FAMILY } from '../../src/core/analytics/chart-theme.ts';
import { sampleWork } from '../../src/core/snapshot/test-fixtures.ts';
import { registerChartFonts } from './chart-fonts.ts';
import { PNG_PIXEL_RATIO, renderChartPng } from './render-chart-png.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Grey levels of a sample of a PNG's pixels (every 7th: a prime stride, so no column pattern aliases). */
async function greyPixels(png: Buffer): Promise<{ width: number; height: number; grey: number[] }> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  const grey: number[] = [];
  for (let i = 0; i < data.length; i += 4 * 7) grey.push((data[i]! + data[i + 1]! + data[i + 2]!) / 3);
  return { width: image.width, height: image.height, grey };
}

function variance(values: number[]): number {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
}

function summaryOfSampleWorks() {
  const accumulator = new AnalyticsAccumulator();
  const prompts = ['红色跑车，城市夜景，超高清', 'masterpiece, red sports car, night city', '未来汽车，霓虹灯，雨夜街道'];
  for (let n = 1; n <= 30; n += 1) {
    accumulator.add(
      sampleWork(n, {
        id: `w${n}`,
        source: n % 3 === 0 ? 'civitai' : 'liblib',
        publishedAt: new Date(Date.UTC(2025, 0, 1 + (n % 5), 8)).toISOString(),
        prompt: prompts[n % 3]!,
        author: { id: `a${n % 4}`, username: `u${n % 4}`, name: `画师${n % 4}`, avatarUrl: null },
        models: [
          { type: 'CHECKPOINT', name: n % 2 ? 'SDXL 1.0' : '麦橘写实', url: null, loraId: null },
          { type: 'LORA', name: `赛车风格 v${n % 3}`, url: null, loraId: null },
        ],
      }),
    );
  }
  return accumulator.summarize();
}

describe('renderChartPng', () => {
  it('draws every analysis chart as a PNG of the chart size × pixel ratio that is not blank', async () => {
    const charts = buildAnalyticsCharts(summaryOfSampleWorks());
    expect(charts.map((c) => c.id)).toEqual(['daily', 'sources', 'authors', 'checkpoints', 'loras', 'words']);
    for (const chart of charts) {
      const png = await renderChartPng(chart);
      expect(png.subarray(0, 8), chart.id).toEqual(PNG_SIGNATURE);
      const { width, height, grey } = await greyPixels(png);
      expect([width, height], chart.id).toEqual([chart.width * PNG_PIXEL_RATIO, chart.height * PNG_PIXEL_RATIO]);
      // A white canvas has variance 0; bars, words and labels add dark and coloured pixels.
      expect(variance(grey), chart.id).toBeGreaterThan(100);
      expect(grey.filter((g) => g < 200).length / grey.length, chart.id).toBeGreaterThan(0.005);
    }
  }, 180_000);

  it('draws Chinese with the font registered from @fontsource, not a missing family', async () => {
    expect(registerChartFonts()).toBeGreaterThan(50);
    // The family the charts name is the registered one. (Pixels cannot tell it from a fallback: on a machine
    // with Debian's fonts-noto-cjk a missing family falls back to Noto Sans CJK, the same design.)
    expect(GlobalFonts.has(CHART_FONT_FAMILY)).toBe(true);
    expect(GlobalFonts.has('No Such Font Family Huaku')).toBe(false);
    const canvas = createCanvas(240, 60);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 240, 60);
    ctx.fillStyle = '#000';
    ctx.font = `40px "${CHART_FONT_FAMILY}"`;
    ctx.fillText('作品分析', 4, 46);
    const { data } = ctx.getImageData(0, 0, 240, 60);
    const ink = Array.from(data.filter((_, i) => i % 4 === 0)).filter((v) => v < 128).length;
    expect(ink).toBeGreaterThan(500);
  });
});
