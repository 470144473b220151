// A small but varied snapshot for the /analytics browser test: two sources over several Beijing days,
// Chinese and English prompts, checkpoints and LoRAs, and markup in names that must stay inert when the
// page embeds the chart data as JSON.
import type { SnapshotWork } from '../../src/core/snapshot/schema.ts';
import { sampleWork } from '../../src/core/snapshot/test-fixtures.ts';

export const SCRIPT_BREAKER = '</script><script>window.__analyticsInjected = true</script>';

const PROMPTS = [
  '一辆红色的跑车停在赛博朋克城市夜景中，霓虹灯，超高清',
  'masterpiece, best quality, (red sports car:1.2), <lora:neon_city_v2:0.8>, night city, rain',
  '未来汽车，流线型车身，雨夜街道，电影感光影',
  '复古老爷车，胶片质感，夕阳，公路旅行',
  `vintage car on a coastal road, golden hour ${SCRIPT_BREAKER}`,
];

const AUTHORS = ['画师小王', '山水工作室', 'NeonDreamer', '汽车迷阿杰'];

export function analyticsWorks(count = 40): SnapshotWork[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const source = n % 4 === 0 ? 'civitai' : 'liblib';
    const authorIndex = (n * 7) % AUTHORS.length;
    return sampleWork(n, {
      id: `${source}-${n}`,
      externalId: String(n),
      source,
      // Spread over 8 days; 16:30Z is already the next day in Beijing.
      publishedAt: new Date(Date.UTC(2025, 2, 1 + (n % 8), n % 2 ? 3 : 16, 30)).toISOString(),
      prompt: PROMPTS[n % PROMPTS.length]!,
      author: { id: `${source}:author-${authorIndex}`, username: `${source}-author-${authorIndex}`, name: AUTHORS[authorIndex]!, avatarUrl: null },
      models: [
        { type: 'CHECKPOINT', name: n % 3 === 0 ? '麦橘写实 majicMIX realistic' : 'SDXL 1.0', url: null, loraId: null },
        { type: 'LORA', name: n % 2 ? '赛车风格 LoRA' : `Neon City ${SCRIPT_BREAKER}`, url: null, loraId: n % 2 ? 'racing-style' : null },
      ],
    });
  });
}
