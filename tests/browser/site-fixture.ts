// The one snapshot every site test reads: tests/browser/global-setup.ts builds it once and serves it. Each
// part exists for a test file and is named after it; the parts are chosen so they do not disturb each other
// (distinct ids, authors and words; the home and search works are newer than the works-pages feed, the
// analytics works older than everything, so the feed's first page still holds the works-pages variants).
//   works pages (n 1–100)   three feed pages of known hot and newest order, an author with known works,
//                           sensitive works, a hostile title, a detailed work, a community API id
//   search (n 101–103)      works carrying the words the search tests look for, and a hostile prompt
//   LoRA page (n 104)       the work listed on /lora/1
//   home (n 105–110)        the newest works: an English-only title, no author, no images, a Civitai work
//   analytics (40 works)    two sources over 8 Beijing days, Chinese and English prompts, checkpoints,
//                           LoRAs, markup in names that must stay inert in the embedded chart JSON
//   LoRAs (30)              three cover shapes, searchable titles, a LoRA without a cover, one whose cover 404s
//   models (models.json)    one LoRA across Liblib, ModelScope and Civitai (RECIPE_N's), a member per link method
//   trends                  two published days in the history (HISTORY_DIR) before the snapshot's own day, and
//                           the snapshot's diff adding two works: one by an author new that week (n 111, old
//                           enough to stay off the first feed page, without models or prompt so the analytics
//                           figures stay as they are) and analytics work 1; they carry the 新增 badge
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnalyticsSummary } from '../../src/core/analytics/analytics-summary.ts';
import { LocalBlobStore } from '../../src/core/blob/local-blob-store.ts';
import { snapshotDiffSchema, SNAPSHOT_VERSION, type SnapshotDiff, type SnapshotLora, type SnapshotManifest, type SnapshotModel, type SnapshotWork } from '../../src/core/snapshot/schema.ts';
import { formatA1111Parameters } from '../../src/core/recipe/a1111-parameters.ts';
import { emptyRecipe, emptyResource, type Recipe } from '../../src/core/recipe/recipe.ts';
import { sampleLora, sampleWork, writeTestSnapshot } from '../../src/core/snapshot/test-fixtures.ts';
import { loraPath, userPath, workPath } from '../../src/site/works.ts';
import { coverPng } from './lora-site.ts';
import { fakeVideo } from '../../fakes/shared/videos.ts';

export const SITE_URL = 'https://huaku.example';
/** A valid 1×1 PNG, stored for every work image and thumbnail. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
/** The works per feed page (src/site/pagination.ts). */
export const FEED_PAGE_SIZE = 48;

// --- works pages (n 1–100) ---------------------------------------------------------------------------

export const XSS = '<script>alert(1)</script>"><img src=x onerror=alert(1)>';
/** The one author with a stored avatar (ingest's keys: avatars/…, thumbs/48|144/avatars/…); the others show their initial. */
export const painter = {
  id: 'civitai:painter', username: 'civitai-painter', name: '画师阿青', avatarUrl: '/media/avatars/civitai/0123456789abcdef.png',
  avatarThumbs: [{ url: '/media/thumbs/48/avatars/civitai/0123456789abcdef.webp', width: 48 }, { url: '/media/thumbs/144/avatars/civitai/0123456789abcdef.webp', width: 96 }],
};
/** Everyone else is spread over a few authors. */
const others = (n: number) => ({ id: `liblib:a${n % 7}`, username: `liblib-a${n % 7}`, name: `作者${n % 7}`, avatarUrl: null });

export const DETAIL_N = 100;
export const NSFW_N = 99;
export const XSS_N = 98;
export const PAINTER_NS = [100, 90, 80, 70, 60];
/** A work whose id is a community API id (numeric), so its page asks the API for likes and favorites. */
export const API_WORK_ID = '4242';
const API_WORK_N = 95;
/** A video work: its cover is a clip (a real tiny H.264, fakes/shared/videos/) with a poster and a preview. */
export const VIDEO_N = 94;
/** A work with a recipe per image (two seeds, a weighted LoRA) and crawled comments (issue 16). */
export const RECIPE_N = 50;
/** A work whose seed is unknown: 部分参数. */
export const PARTIAL_N = 51;
const recipeOf = (n: number, index: number): Recipe => ({
  ...emptyRecipe(`19511755216141386${40 + index}`),
  prompt: '红色跑车, 雨夜, 霓虹', negativePrompt: 'lowres', sampler: 'Euler a', scheduler: 'Karras', steps: 30, cfgScale: 7,
  width: 832, height: 1216, seed: String(9007199254740993n + BigInt(index)), clipSkip: 2, vae: null, denoise: null, hires: null,
  resources: [
    { ...emptyResource('CHECKPOINT'), modelName: 'majicMIX realistic', versionName: 'v7', modelId: 'ckpt-uuid', versionId: 'ckpt-v7', autoV2: '31e35c80fc' },
    { ...emptyResource('LORA'), modelName: 'Car LoRA', versionName: 'v1.0', modelId: 'lora-uuid', versionId: 'lora-v1', weight: 0.7, autoV2: '0123456789', triggerWord: 'kcar' },
  ],
});
/** The A1111 text 复制全部生成参数 copies for RECIPE_N (its cover's recipe). */
export const RECIPE_TEXT = formatA1111Parameters(recipeOf(RECIPE_N, 0));

/** Hot order: likes are a permutation of n, so the hottest work is the one with n = HOTTEST_N. */
export const HOTTEST_N = 3;

function likesOf(n: number): number {
  return n === HOTTEST_N ? 10_000 : (n * 37) % 101;
}

/** An image with its stored thumbnails as ingest lists them (320 and 960, never wider than the original). */
function image(n: number, index: number, width: number, height: number) {
  const thumb = (w: number) => `/media/thumbs/${w}/test/${n}-${index}.webp`;
  const thumbs = [{ url: thumb(320), width: 320 }, { url: thumb(960), width: Math.min(960, width) }];
  return { index, url: `/media/test/${n}-${index}.png`, thumbUrl: thumb(320), thumbs, width, height };
}

function worksPagesWorks(): SnapshotWork[] {
  const works: SnapshotWork[] = [];
  for (let n = 1; n <= 100; n++) {
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
    if (n === RECIPE_N) {
      Object.assign(overrides, {
        title: '雨夜红色跑车',
        images: [{ ...image(n, 0, 832, 1216), recipe: recipeOf(n, 0) }, { ...image(n, 1, 832, 1216), recipe: recipeOf(n, 1) }],
        models: [
          { type: 'CHECKPOINT', name: 'majicMIX realistic · v7', url: null, loraId: null, modelId: null, weight: null },
          { type: 'LORA', name: 'Car LoRA · v1.0', url: null, loraId: null, modelId: null, weight: 0.7 },
        ],
        completeness: 'full',
        comments: [{ author: '车迷阿明', content: '这个光影太棒了', at: '2025-08-12T03:00:00.000Z' }],
      } satisfies Partial<SnapshotWork>);
    }
    if (n === PARTIAL_N) Object.assign(overrides, { params: { sampler: 'Euler', steps: 20, cfgScale: 7, width: 768, height: 1024, seed: null }, completeness: 'partial' });
    if (n === NSFW_N) Object.assign(overrides, { title: '敏感作品示例', nsfwLevel: 'Mature' });
    if (n === 97) Object.assign(overrides, { nsfwLevel: 'X' });
    if (n === API_WORK_N) Object.assign(overrides, { id: API_WORK_ID });
    if (n === 96) Object.assign(overrides, { nsfwLevel: 'Soft' });
    if (n === VIDEO_N) {
      Object.assign(overrides, {
        title: '海浪视频',
        images: [{ index: 0, url: `/media/test/${n}-0.mp4`, thumbUrl: `/media/thumbs/320/test/${n}-0.webp`, width: 96, height: 64, video: { contentType: 'video/mp4', previewUrl: `/media/previews/test/${n}-0.mp4` } }],
      } satisfies Partial<SnapshotWork>);
    }
    if (n === XSS_N) Object.assign(overrides, { title: XSS, titleEn: XSS, prompt: `提示词 ${XSS}`, negativePrompt: XSS, tags: [XSS] });
    works.push(sampleWork(n, overrides));
  }
  return works;
}

/** A plain work of the works-pages part: the default prompt, none of the words the search tests look for. */
export const FILLER_N = 1;

// --- search (n 101–103) ------------------------------------------------------------------------------
// No likes: these and the home works stay out of the hot section, which the works-pages part fills. Each has
// a thumbnail like the works-pages works: they are on the feed's first page, whose cards all have a srcset.

const portrait = (n: number) => [image(n, 0, 768, 1024)];

export const INK = sampleWork(101, {
  images: portrait(101),
  title: '水墨山水',
  titleEn: 'Ink landscape',
  prompt: '水墨画风格的山水，远山与云雾，一叶扁舟',
  author: { id: 'liblib:ink', username: 'liblib-ink-master', name: '墨客', avatarUrl: null },
  likeCount: 0,
});
export const NEON = sampleWork(102, {
  images: portrait(102),
  title: '霓虹少女',
  titleEn: null,
  prompt: 'a cyberpunk girl with neon lights, rain, reflections',
  models: [
    { type: 'CHECKPOINT', name: 'Juggernaut XL', url: null, loraId: null },
    { type: 'LORA', name: 'Neon Glow', url: null, loraId: '1' },
  ],
  likeCount: 0,
});
export const HOSTILE = sampleWork(103, {
  images: portrait(103),
  title: '<script>window.__xss = 1</script>',
  prompt: '"><img src=x onerror="window.__xss = 1"> 恶意测试',
  likeCount: 0,
});

// --- LoRA page (n 104) ------------------------------------------------------------------------------

/** The work /lora/1 lists (its model is named in Chinese: an English name would match the search tests' words). */
export const USED_BY = sampleWork(104, { title: '山水长卷', images: portrait(104), models: [{ type: 'LORA', name: '墨韵山水', url: null, loraId: '1' }], likeCount: 0 });

// --- home (n 105–110): the six newest works ----------------------------------------------------------

export const HOME_WORKS = [
  sampleWork(105, { images: portrait(105), likeCount: 0 }),
  sampleWork(106, { title: null, titleEn: 'English only title', images: portrait(106), likeCount: 0 }),
  sampleWork(107, { author: null, images: portrait(107), likeCount: 0 }),
  sampleWork(108, { images: [], likeCount: 0 }),
  sampleWork(109, {
    source: 'civitai',
    id: 'civitai-109',
    externalId: '109',
    images: portrait(109),
    author: { id: 'civitai:home', username: 'civitai-home', name: 'HomeCivitai', avatarUrl: null },
    likeCount: 0,
  }),
  sampleWork(110, {
    title: '赛博朋克城市夜景',
    images: portrait(110),
    author: { id: 'liblib:a-9', username: 'liblib-a-9', name: '画师小林', avatarUrl: null },
    likeCount: 0,
  }),
];
export const HOME_NO_AUTHOR = HOME_WORKS[2]!;
export const HOME_NO_IMAGES = HOME_WORKS[3]!;
export const NEWEST = HOME_WORKS[5]!;

// --- analytics: 40 works, older than everything else -------------------------------------------------

export const SCRIPT_BREAKER = '</script><script>window.__analyticsInjected = true</script>';

const PROMPTS = [
  '一辆红色的跑车停在赛博朋克城市夜景中，霓虹灯，超高清',
  'masterpiece, best quality, (red sports car:1.2), <lora:neon_city_v2:0.8>, night city, rain',
  '未来汽车，流线型车身，雨夜街道，电影感光影',
  '复古老爷车，胶片质感，夕阳，公路旅行',
  `vintage car on a coastal road, golden hour ${SCRIPT_BREAKER}`,
];

/** Four analytics authors; 画师小王's ten works are all from Civitai (see the authors' table link). */
export const ANALYTICS_AUTHORS = ['画师小王', '山水工作室', 'NeonDreamer', '汽车迷阿杰'];

function analyticsWorks(count = 40): SnapshotWork[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const source = n % 4 === 0 ? 'civitai' : 'liblib';
    const authorIndex = (n * 7) % ANALYTICS_AUTHORS.length;
    return sampleWork(n, {
      id: `${source}-${n}`,
      externalId: String(n),
      source,
      // Spread over 8 days in December 2024; 16:30Z is already the next day in Beijing.
      publishedAt: new Date(Date.UTC(2024, 11, 1 + (n % 8), n % 2 ? 3 : 16, 30)).toISOString(),
      prompt: PROMPTS[n % PROMPTS.length]!,
      author: { id: `${source}:car-author-${authorIndex}`, username: `${source}-car-author-${authorIndex}`, name: ANALYTICS_AUTHORS[authorIndex]!, avatarUrl: null },
      models: [
        { type: 'CHECKPOINT', name: n % 3 === 0 ? '麦橘写实 majicMIX realistic' : 'SDXL 1.0', url: null, loraId: null },
        { type: 'LORA', name: n % 2 ? '赛车风格 LoRA' : `Neon City ${SCRIPT_BREAKER}`, url: null, loraId: n % 2 ? 'racing-style' : null },
      ],
    });
  });
}

// --- LoRAs ------------------------------------------------------------------------------------------

/** The cover every LoRA page and card falls back to when a LoRA has none or it fails to load. */
export const MISSING_COVER = '/media/test/missing-cover.png';
/** A LoRA without a cover, and one whose cover URL answers 404 (ranked 9th: not among the home page's top 8). */
export const NO_COVER_ID = '3';
export const DEAD_COVER_ID = '9';
const COVER_SHAPES = [
  [768, 1024],
  [1024, 768],
  [640, 640],
] as const;

function siteLoras(): SnapshotLora[] {
  const loras = Array.from({ length: 30 }, (_, i) => {
    const n = i + 1;
    const [width, height] = COVER_SHAPES[i % COVER_SHAPES.length]!;
    return sampleLora(n, {
      coverWidth: width,
      coverHeight: height,
      task: n % 3 === 0 ? 'image-to-video' : 'text-to-image-synthesis',
      baseModels: n % 2 === 0 ? ['FLUX.1'] : ['SDXL'],
      tagsCn: n % 5 === 0 ? ['国风'] : ['风格'],
    });
  });
  // Variants: searchable titles, a LoRA with no cover, one whose cover URL answers 404.
  loras[0] = { ...loras[0]!, titleCn: '墨韵山水', titleEn: 'Ink-Landscape', triggerWords: ['ink wash'], workIds: [USED_BY.id] };
  loras[1] = { ...loras[1]!, titleCn: '赛博朋克霓虹', titleEn: 'Cyberpunk-Neon', author: 'neonworks' };
  const noCover = Number(NO_COVER_ID) - 1;
  loras[noCover] = { ...loras[noCover]!, coverUrl: null, coverWidth: null, coverHeight: null };
  const deadCover = Number(DEAD_COVER_ID) - 1;
  loras[deadCover] = { ...loras[deadCover]!, coverUrl: MISSING_COVER };
  return loras;
}

// --- trends: two published days before the snapshot's, and what the snapshot added -------------------

/** A work by an author whose only work the snapshot added (a new author that week). */
export const NEWCOMER_WORK = sampleWork(111, {
  id: 'liblib-trend-newcomer',
  externalId: 'trend-newcomer',
  title: '新人首作',
  images: portrait(111),
  publishedAt: '2024-12-03T03:30:00.000Z',
  author: { id: 'liblib:newcomer', username: 'liblib-newcomer', name: '新人画师', avatarUrl: null },
  prompt: null,
  models: [],
  likeCount: 0,
});
/** The works the snapshot's diff added: both carry 新增. */
export const ADDED_IDS = [NEWCOMER_WORK.id, 'liblib-1'];
/** The published days kept in the history; the snapshot's own day (2025-03-01) comes from the snapshot. */
export const HISTORY_DAYS = ['2025-02-22', '2025-02-28'];
/** Works using 赛车风格 LoRA on 2025-02-22 (the base the rising lists compare with). */
export const RACING_BEFORE = 5;

function historyDay(date: string, liblib: number, added: number | null): { date: string; manifest: SnapshotManifest; diff: SnapshotDiff; analysis: AnalyticsSummary } {
  const generatedAt = `${date}T00:00:00.000Z`;
  const sourceDiff = (n: number) => ({ added: n, removed: 0, changed: 0, addedIds: [], removedIds: [], changedIds: [] });
  return {
    manifest: { version: SNAPSHOT_VERSION, generatedAt, counts: { liblib: { works: liblib, authors: 12 }, civitai: { works: 10, authors: 4 } }, runIds: ['1'] },
    diff: snapshotDiffSchema.parse({
      generatedAt,
      previousGeneratedAt: added === null ? null : '2025-02-27T00:00:00.000Z',
      works: { liblib: sourceDiff(added ?? liblib), civitai: sourceDiff(added === null ? 10 : 1) },
      loras: sourceDiff(0),
    }),
    date,
    analysis: {
      totalWorks: liblib + 10,
      sources: [],
      daily: { days: [], series: [], undated: 0, earlier: 0 },
      topAuthors: [],
      topCheckpoints: [{ name: 'SDXL 1.0', works: 20, loraId: null }],
      topLoras: [{ name: '赛车风格 LoRA', works: date === HISTORY_DAYS[0] ? RACING_BEFORE : 12, loraId: 'racing-style' }],
      promptWords: [{ word: '跑车', works: 3 }],
      promptsAnalysed: liblib,
    },
  };
}

async function writeHistory(historyDir: string): Promise<void> {
  const days = [historyDay(HISTORY_DAYS[0]!, 130, null), historyDay(HISTORY_DAYS[1]!, 136, 6)];
  for (const day of days) {
    // The daily run's layout (docs/operations.md): one folder per Beijing day.
    const dir = path.join(historyDir, day.date);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(day.manifest));
    await writeFile(path.join(dir, 'diff.json'), JSON.stringify(day.diff));
    await writeFile(path.join(dir, 'analysis.json'), JSON.stringify(day.analysis));
  }
}

// --- the snapshot ----------------------------------------------------------------------------------

const worksPages = worksPagesWorks();
export const siteWorks: readonly SnapshotWork[] = [...worksPages, INK, NEON, HOSTILE, USED_BY, ...HOME_WORKS, ...analyticsWorks(), NEWCOMER_WORK];
export const siteLorasList: readonly SnapshotLora[] = siteLoras();
export const GENERATED_AT = '2025-03-01T00:00:00.000Z';

/** The works-pages part by n. */
export const byN = (n: number): SnapshotWork => worksPages.find((w) => w.slug === `sample-work-${n}`)!;

// --- model catalogue (models.json): one LoRA across sources, a member per link method -----------------

const CAR_SHA = `0123456789${'ab'.repeat(27)}`;
type ModelMember = SnapshotModel['members'][number];
const member = (m: Partial<ModelMember> & Pick<ModelMember, 'source' | 'method'>): ModelMember => ({
  type: 'LORA', modelName: 'Car LoRA', versionName: null, modelId: null, versionId: null, sha256: null, autoV2: null, baseModel: null,
  pageUrl: null, downloads: null, likes: null, loraId: null, matched: null, workIds: [], workCount: 0, ...m,
});
/**
 * RECIPE_N's Car LoRA (Liblib, the origin), the same file on ModelScope (/lora/1) and Civitai (hash), the
 * Civitai model's other version (id) and another Civitai model of that name and base model without a hash
 * (name, weaker). Works from three sources: RECIPE_N (Liblib), USED_BY (ModelScope's LoRA), the home Civitai work.
 */
export const CAR_MODEL: SnapshotModel = {
  id: 'car-lora-sdxl',
  type: 'LORA',
  name: 'Car LoRA',
  members: [
    member({
      source: 'liblib', method: 'origin', versionName: 'v1.0', modelId: 'lora-uuid', versionId: 'lora-v1', autoV2: '0123456789', baseModel: 'SDXL',
      pageUrl: 'https://www.liblib.art/modelinfo/lora-uuid?versionUuid=lora-v1', workIds: [byN(RECIPE_N).id], workCount: 1,
    }),
    member({
      source: 'modelscope', method: 'hash', matched: '0123456789', modelName: '墨韵山水', modelId: 'owner1/lora-1', sha256: CAR_SHA, autoV2: '0123456789',
      baseModel: 'SDXL', pageUrl: 'https://modelscope.cn/models/owner1/lora-1', downloads: 999, likes: 1, loraId: '1', workIds: [USED_BY.id], workCount: 1,
    }),
    member({
      source: 'civitai', method: 'hash', matched: '0123456789', versionName: 'v1', modelId: '4001', versionId: '40010', sha256: CAR_SHA, autoV2: '0123456789',
      baseModel: 'SDXL 1.0', pageUrl: 'https://civitai.com/models/4001?modelVersionId=40010', downloads: 12_345, likes: 678, workIds: [HOME_WORKS[4]!.id], workCount: 1,
    }),
    member({
      source: 'civitai', method: 'id', matched: '4001', versionName: 'v2', modelId: '4001', versionId: '40011', autoV2: 'cdcdcdcdcd', baseModel: 'SDXL 1.0',
      pageUrl: 'https://civitai.com/models/4001?modelVersionId=40011', downloads: 321,
    }),
    member({
      source: 'civitai', method: 'name', matched: 'carlora @ sdxl', modelName: 'car-lora', versionName: 'v1', modelId: '4002', versionId: '40020', baseModel: 'SDXL 1.0',
      pageUrl: 'https://civitai.com/models/4002?modelVersionId=40020', downloads: 55, likes: 6,
    }),
  ],
};
const siteModels: readonly SnapshotModel[] = [CAR_MODEL];

/** Small enough that the sitemap needs three files. */
export const SITEMAP_MAX_URLS = 90;

/** Every URL the sitemap must list: the fixed pages, every feed page of both orders, works, authors, LoRAs. */
export function expectedSitemapUrls(): string[] {
  const feedPages = Math.ceil(siteWorks.length / FEED_PAGE_SIZE);
  const laterFeedPages = ['/feed', '/feed/hot'].flatMap((base) => Array.from({ length: feedPages - 1 }, (_, i) => `${base}/${i + 2}`));
  const authors = [...new Set(siteWorks.flatMap((w) => (w.author ? [w.author.username] : [])))];
  return ['/', '/features', '/feed', '/feed/hot', '/loras', '/analytics', '/trends', ...laterFeedPages, ...siteWorks.map(workPath), ...authors.map(userPath), ...siteLorasList.map((l) => loraPath(l.id))].map(
    (p) => new URL(p, SITE_URL).href,
  );
}

/** A blob key with characters that publicUrl percent-encodes (space, #, ?, CJK): the /media route must invert it. */
export const ODD_KEY = 'test/空 格#1?%25.png';

/** The build's environment besides SNAPSHOT_DIR. */
export const SITE_ENV = { SITE_URL, SITEMAP_MAX_URLS: String(SITEMAP_MAX_URLS) };

/**
 * Write the snapshot into `snapshotDir` and the media into a local blob store at `blobDir`: a 1×1 PNG for
 * every work image and thumbnail, and real PNG covers of the LoRAs' sizes (the gallery measures them).
 */
export async function writeSiteFixture(snapshotDir: string, blobDir: string, historyDir: string): Promise<void> {
  await writeTestSnapshot(snapshotDir, siteWorks, { loras: siteLorasList, models: siteModels, chunkSize: 40, manifest: { generatedAt: GENERATED_AT } });
  const noChange = { added: 0, removed: 0, changed: 0, addedIds: [], removedIds: [], changedIds: [] };
  const diff = snapshotDiffSchema.parse({
    generatedAt: GENERATED_AT,
    previousGeneratedAt: `${HISTORY_DAYS[1]}T00:00:00.000Z`,
    works: { liblib: { ...noChange, added: ADDED_IDS.length, addedIds: ADDED_IDS }, civitai: noChange },
    loras: noChange,
  });
  await writeFile(path.join(snapshotDir, 'diff.json'), JSON.stringify(diff));
  await writeHistory(historyDir);
  const blobs = new LocalBlobStore({ driver: 'local', dir: blobDir, publicBaseUrl: '/media' });
  const key = (url: string) => url.replace(/^\/media\//, '');
  const images = new Set(siteWorks.flatMap((w) => w.images.flatMap((i) => [...(i.video ? [] : [i.url]), i.thumbUrl ?? i.url, ...(i.thumbs ?? []).map((t) => t.url)])));
  for (const url of [...images, painter.avatarUrl, ...painter.avatarThumbs.map((t) => t.url)]) await blobs.put(key(url), PNG, { contentType: 'image/png' });
  // Videos: the clip and its preview are the same real tiny MP4 (browsers must be able to play both).
  const clip = fakeVideo('mp4');
  for (const video of siteWorks.flatMap((w) => w.images.filter((i) => i.video))) {
    for (const url of [video.url, video.video!.previewUrl]) if (url) await blobs.put(key(url), clip.body, { contentType: clip.contentType });
  }
  await blobs.put(ODD_KEY, PNG, { contentType: 'image/png' });
  for (const [i, lora] of siteLorasList.entries()) {
    if (!lora.coverUrl || lora.coverUrl === MISSING_COVER) continue;
    await blobs.put(key(lora.coverUrl), await coverPng(lora.coverWidth!, lora.coverHeight!, i), { contentType: 'image/png' });
  }
  await blobs.close();
}

export const fixturePaths = (dir: string) => ({ snapshotDir: path.join(dir, 'snapshot'), blobDir: path.join(dir, 'blobs'), historyDir: path.join(dir, 'history') });
