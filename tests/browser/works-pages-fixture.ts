// The snapshot the works-pages browser tests build from: enough works for three feed pages, known hot and
// newest orders, one author with a known set of works, sensitive works, a hostile title/prompt, a work
// with several images, parameters and model links, and a few LoRAs.
import { sampleLora, sampleWork } from '../../src/core/snapshot/test-fixtures.ts';
import type { SnapshotLora, SnapshotWork } from '../../src/core/snapshot/schema.ts';

/** 48 per feed page: 100 works make pages of 48, 48 and 4. */
export const WORK_COUNT = 100;
export const XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>';

export const painter = { id: 'civitai:painter', username: 'civitai-painter', name: '画师阿青', avatarUrl: null };
/** Everyone else is spread over a few authors. */
const others = (n: number) => ({ id: `liblib:a${n % 7}`, username: `liblib-a${n % 7}`, name: `作者${n % 7}`, avatarUrl: null });

export const DETAIL_N = 100;
export const NSFW_N = 99;
export const XSS_N = 98;
export const PAINTER_NS = [100, 90, 80, 70, 60];
/** A work whose id is a community API id (numeric), so its page asks the API for likes and favorites. */
export const API_WORK_ID = '4242';
const API_WORK_N = 95;

/** Hot order: likes are a permutation of n, so the hottest work is the one with n = HOTTEST_N. */
export const HOTTEST_N = 3;

function likesOf(n: number): number {
  return n === HOTTEST_N ? 10_000 : (n * 37) % 101;
}

function image(n: number, index: number, width: number, height: number) {
  return { index, url: `/media/test/${n}-${index}.png`, thumbUrl: `/media/thumbs/320/test/${n}-${index}.webp`, width, height };
}

export function worksPagesWorks(): SnapshotWork[] {
  const works: SnapshotWork[] = [];
  for (let n = 1; n <= WORK_COUNT; n++) {
    // Mixed shapes: portrait, landscape and square, so the justified grid has something to justify.
    const [w, h] = n % 3 === 0 ? [1024, 768] : n % 3 === 1 ? [768, 1024] : [800, 800];
    const overrides: Partial<SnapshotWork> = {
      author: PAINTER_NS.includes(n) ? painter : others(n),
      likeCount: likesOf(n),
      favoriteCount: n % 5,
      images: [image(n, 0, w, h)],
      tags: n % 2 === 0 ? ['风景'] : ['人像'],
    };
    if (n === DETAIL_N) {
      Object.assign(overrides, {
        title: '雨夜霓虹街道',
        titleEn: 'Neon street on a rainy night',
        prompt: '赛博朋克, 雨夜, 霓虹灯, 街道, 超高清, masterpiece',
        negativePrompt: 'lowres, bad anatomy, 模糊',
        params: { sampler: 'DPM++ 2M Karras', steps: 28, cfgScale: 6.5, width: 832, height: 1216, seed: '18446744073709551615' },
        images: [image(n, 0, 832, 1216), image(n, 1, 1216, 832), image(n, 2, 1024, 1024)],
        models: [
          { type: 'CHECKPOINT', name: 'SDXL 1.0', url: 'https://civitai.com/models/101', loraId: null },
          { type: 'LORA', name: '墨韵水彩', url: 'https://modelscope.cn/models/o/ink', loraId: '1' },
          { type: 'LORA', name: 'Film Grain', url: 'https://civitai.com/models/202', loraId: null },
        ],
        tags: ['风景', '赛博朋克'],
      } satisfies Partial<SnapshotWork>);
    }
    if (n === NSFW_N) Object.assign(overrides, { title: '敏感作品示例', nsfwLevel: 'Mature' });
    if (n === 97) Object.assign(overrides, { nsfwLevel: 'X' });
    if (n === API_WORK_N) Object.assign(overrides, { id: API_WORK_ID });
    if (n === 96) Object.assign(overrides, { nsfwLevel: 'Soft' });
    if (n === XSS_N) Object.assign(overrides, { title: XSS, titleEn: XSS, prompt: `提示词 ${XSS}`, negativePrompt: XSS, tags: [XSS] });
    works.push(sampleWork(n, overrides));
  }
  return works;
}

export function worksPagesLoras(): SnapshotLora[] {
  return [1, 2, 3].map((n) => sampleLora(n, { titleCn: `热门 LoRA ${n}`, downloads: 1000 * (4 - n) }));
}
