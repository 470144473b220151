// A deterministic synthetic Liblib catalogue: works (image groups) in 汽车交通 (tagId 1773) and a few in
// other tags, their images, generation parameters, checkpoints and LoRAs, authors and comments.
// Everything is a pure function of the seed (see rng.ts); images are only described here, their bytes
// are drawn lazily by images.ts. Payload shapes (what the API returns) live in payloads.ts.

import { stringifyJson } from './json.ts';
import { makeRng, type Rng } from './rng.ts';

export const TAG_AUTOMOTIVE = 1773;
const TAG_AUTOMOTIVE_LABEL = '汽车交通';
/** Tags of the "other" works: they never carry 1773. */
export const OTHER_TAG_IDS: readonly number[] = [4711, 2214];

const DAY_MS = 86_400_000;
/** Image ids, coverId and models[].imageId of "new era" works start here (above 2^53, like the real ones). */
const BIG_ID_BASE = 1951175521614000000n;
const CONTENT_ID_BASE = 1954941347691000000n;

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';
type ImageStyle = 'car' | 'scene' | 'avatar' | 'model';

/** What an image's bytes are made from: two images with the same content have identical bytes. */
export interface ImageContent {
  key: string;
  format: ImageFormat;
  /** Pixel size of the bytes. */
  width: number;
  height: number;
  style: ImageStyle;
  /** A1111 "parameters" text, written into PNGs as an iTXt chunk (null: none). */
  parameters: string | null;
}

/** One URL path this server answers for images. */
export interface ServedImage {
  path: string;
  content: ImageContent;
  /** 404 forever. */
  dead: boolean;
  /** The images-wm copy: same picture with a watermark band (different bytes). */
  watermark: boolean;
  lastModified: number;
}

export interface FakeUser {
  index: number;
  userId: number;
  uuid: string;
  nickname: string;
  /** Path on this server (prefix with the origin). */
  avatarPath: string;
  /** The avatar answers 404 (an expired QQ link, a deleted upload): the site must draw the initial. */
  avatarDead: boolean;
  intro: string;
  createTime: number;
  vip: 0 | 1;
  followerCount: number;
  followCount: number;
  /** True for the ~80 work authors; false for users who only comment. */
  isAuthor: boolean;
}

export interface FakeModel {
  modelId: number;
  modelUuid: string;
  modelName: string;
  versionId: number;
  versionUuid: string;
  versionName: string;
  /** 1 = Checkpoint, 5 = LoRA (Liblib's modelType). */
  modelType: 1 | 5;
  modelTypeLable: 'Checkpoint' | 'LORA';
  /** 1 = SD1.5, 3 = SDXL, 19 = F.1 (FLUX). */
  baseType: number;
  /** A1111 short hash (10 hex). */
  hash: string;
  fileName: string;
  imagePath: string;
  vipUsed: 0 | 1;
  triggerWord: string | null;
}

export interface FakeLoraUse {
  model: FakeModel;
  weight: number;
}

export interface FakeGeneration {
  prompt: string;
  negativePrompt: string;
  sampler: string;
  /** Liblib's numeric sampler id (pngInfo). */
  samplerId: number;
  steps: number;
  cfgScale: number;
  /** Generation size (what metainformation's Size says); the bytes are 1/8 of it. */
  width: number;
  height: number;
  clipSkip: number;
  checkpoint: FakeModel;
  loras: FakeLoraUse[];
  tabType: 'txt2img' | 'img2img';
  denoisingStrength: number | null;
  /** 1 = generated on Liblib, 0 = uploaded (no pngInfo), 2 = ComfyUI. */
  imageSource: 0 | 1 | 2;
  /** hideGenerateInfo = 1: the detail's generateInfo is null. */
  hidden: boolean;
  /** The first image's seed; image k has seed + k. Decimal text: some exceed 2^53. */
  seed: string;
}

export interface FakeImage {
  /** int64; above 2^53 for "new era" works. */
  id: bigint;
  uuid: string;
  sort: number;
  /** Decimal, may exceed 2^53 (exact only inside metainformation's "Seed"). */
  seed: string;
  generateInfoId: number;
  contentId: string;
  path: string;
  wmPath: string;
  content: ImageContent;
  dead: boolean;
  /** Pixel size of the bytes (what the payload's width/height say). */
  width: number;
  height: number;
  originalName: string;
  /** Set when this image reuses another work's image: the same URL, or the same bytes at a new URL. */
  sharedFrom: { workUuid: string; mode: 'url' | 'bytes' } | null;
}

export interface FakeComment {
  id: number;
  user: FakeUser;
  content: string;
  createTime: number;
  likeCount: number;
}

export interface FakeTag {
  id: number;
  label: string;
  tagOrder: number;
}

/**
 * Video works: one work in 25, chosen from its creation index so no random draw shifts the rest of the
 * catalogue. Their images carry a `videoUrl` (a tiny real clip, fakes/shared/videos/), `duration` and the
 * list/detail `mediaType` VIDEO_MEDIA_TYPE; the real value is unconfirmed (§3.2 names the fields only).
 */
export const isVideoWork = (work: Pick<FakeWork, 'index'>): boolean => work.index % 25 === 12;
export const VIDEO_MEDIA_TYPE = 2;
export const FAKE_VIDEO_SECONDS = 2;
const VIDEO_PATH = /^\/img\/video\/([0-9a-f-]+)\.mp4$/;
/** Where a video work's image serves its clip (on the image host). */
export const videoPath = (image: Pick<FakeImage, 'uuid'>): string => `/img/video/${image.uuid}.mp4`;
/** Whether a path is a video clip's (see videoPath). */
export const isVideoPath = (path: string): boolean => VIDEO_PATH.test(path);

export interface FakeWork {
  /** Creation order, 0 = oldest. */
  index: number;
  /** Numeric batch id (detail `id`, images[].batchId). */
  id: number;
  uuid: string;
  title: string;
  tags: FakeTag[];
  author: FakeUser;
  createTime: number;
  auditTime: number;
  updateTime: number;
  images: FakeImage[];
  /** The list item's imageUrl: a community-img copy of the cover (same bytes, another URL). */
  listCoverPath: string;
  gen: FakeGeneration;
  likeCount: number;
  hitCount: number;
  comments: FakeComment[];
  /** The list shows likeCount/commentCount/hitCount as null (fresh "soft guarantee" items). */
  listCountsNull: boolean;
  recommendSign: string;
  hotScore: number;
  /** List item `modelId` / detail `modelId`. */
  mainModelId: number;
  origImageDownLimit: string;
}

export interface CatalogueOptions {
  seed?: number | string;
  /** Works tagged 汽车交通 (1773). Default 1200. */
  works?: number;
  /** Works in other tags only (4711 动漫游戏 / 2214 摄影). Default 36. */
  otherWorks?: number;
  /** Authors. Default 80. */
  authors?: number;
  /** Users who only comment. Default 40. */
  commenters?: number;
  /** The initial works are spread over this many days before `now`. Default 90. */
  days?: number;
  /** Epoch ms of "now" (the newest initial work is just before it). Default 2025-08-22T04:00:00Z, fixed for determinism. */
  now?: number;
  /** Share of "new era" works (the newest) whose ids exceed 2^53. Default 0.45. */
  bigIdShare?: number;
  /** Chance that an image is permanently dead (404). Default 0.006. */
  deadImageRate?: number;
  /** Chance that an image reuses an earlier work's image. Default 0.03. */
  sharedImageRate?: number;
  /** Chance that a user's own (not a shared default) avatar is permanently dead (404). Default 0.04. */
  deadAvatarRate?: number;
}

const DEFAULT_NOW = Date.UTC(2025, 7, 22, 4, 0, 0);

// ---------------------------------------------------------------------------------------------------------
// Vocabulary

type Pair = readonly [cn: string, en: string];

const CAR_SUBJECTS: readonly Pair[] = [
  ['未来跑车', 'futuristic sports car'],
  ['概念超跑', 'concept supercar'],
  ['复古老爷车', 'vintage classic car'],
  ['新能源SUV', 'electric SUV'],
  ['越野皮卡', 'off-road pickup truck'],
  ['电动摩托车', 'electric motorcycle'],
  ['重型卡车', 'heavy duty truck'],
  ['高铁列车', 'high-speed train'],
  ['城市公交车', 'city bus'],
  ['F1赛车', 'formula one racing car'],
  ['豪华轿车', 'luxury sedan'],
  ['露营房车', 'camper van'],
  ['飞行汽车', 'flying car'],
  ['机甲战车', 'mecha armored vehicle'],
  ['敞篷跑车', 'convertible roadster'],
  ['拉力赛车', 'rally car'],
  ['公路自行车', 'road bicycle'],
  ['地铁列车', 'subway train'],
  ['客机', 'passenger airliner'],
  ['电动三轮车', 'electric tricycle'],
  ['皮卡车', 'pickup truck'],
  ['跑车内饰', 'sports car interior'],
];

const OTHER_SUBJECTS: readonly Pair[] = [
  ['古风少女', 'ancient chinese girl, hanfu'],
  ['山水风景', 'chinese landscape painting, mountains and river'],
  ['橘猫', 'cute orange cat'],
  ['城市夜景', 'city skyline at night'],
  ['机甲少女', 'mecha girl'],
  ['樱花庭院', 'cherry blossom courtyard'],
];

const STYLES: readonly Pair[] = [
  ['赛博朋克', 'cyberpunk'],
  ['蒸汽朋克', 'steampunk'],
  ['极简主义', 'minimalist'],
  ['国潮', 'guochao, chinese trend style'],
  ['水彩', 'watercolor'],
  ['马克笔手绘', 'marker sketch, industrial design sketch'],
  ['写实摄影', 'photorealistic, raw photo'],
  ['3D渲染', '3d render, octane render'],
  ['动漫', 'anime style'],
  ['复古胶片', 'retro film photography'],
  ['科幻', 'sci-fi'],
  ['产品设计', 'product design'],
];

const SCENES: readonly Pair[] = [
  ['霓虹灯街道', 'neon street'],
  ['雨夜城市', 'rainy night city'],
  ['沙漠公路', 'desert highway'],
  ['雪山脚下', 'snowy mountains'],
  ['海边公路', 'coastal road'],
  ['赛道', 'race track'],
  ['展厅', 'showroom'],
  ['未来都市', 'futuristic city'],
  ['山间弯道', 'winding mountain road'],
  ['黄昏高速', 'highway at sunset'],
  ['地下车库', 'underground parking garage'],
  ['森林小路', 'forest road'],
  ['江南古镇', 'ancient chinese water town'],
  ['白色摄影棚', 'white studio background'],
];

const EN_TAGS: readonly string[] = [
  'masterpiece',
  'best quality',
  '8k',
  'ultra detailed',
  'cinematic lighting',
  'octane render',
  'unreal engine 5',
  'depth of field',
  'hdr',
  'sharp focus',
  'volumetric light',
  'wide angle lens',
  'studio lighting',
  'reflections',
  'high gloss paint texture',
  'concept car',
  'car design',
  'motion blur',
  'bokeh',
  '(masterpiece:1.2)',
  '(best quality:1.1)',
];

const CN_QUALITY: readonly string[] = ['超高清', '细节丰富', '电影级光影', '极致细节', '高级感配色', '大师作品', '光影质感', '车漆反光'];

const NEGATIVES: readonly (readonly [string, number])[] = [
  ['ng_deepnegative_v1_75t,(badhandv4:1.2),EasyNegative,(worst quality:2),', 3],
  ['lowres, bad anatomy, text, error, cropped, worst quality, low quality, jpeg artifacts, signature, watermark, blurry', 3],
  ['(worst quality, low quality:1.4), 模糊, 水印, 文字, 变形', 2],
  ['EasyNegative, deformed wheels, distorted car body, extra wheels, bad proportions', 2],
  ['nsfw, lowres, (bad quality:1.3), watermark', 1],
  ['', 2],
];

/** [name, Liblib's pngInfo samplingMethod id, weight] */
const SAMPLERS: readonly (readonly [string, number, number])[] = [
  ['Euler', 0, 5],
  ['Euler a', 1, 4],
  ['DPM++ 2M Karras', 15, 5],
  ['DPM++ SDE Karras', 16, 2],
  ['DPM++ 2M SDE Karras', 17, 2],
  ['DPM++ 2M', 9, 1],
  ['DDIM', 19, 1],
  ['UniPC', 22, 1],
  ['Heun', 3, 1],
];

const GEN_SIZES: Record<number, readonly (readonly [number, number])[]> = {
  1: [
    [512, 768],
    [768, 512],
    [512, 512],
    [768, 1024],
  ],
  3: [
    [1024, 1024],
    [832, 1216],
    [1216, 832],
    [1152, 896],
    [1024, 1536],
  ],
  19: [
    [1024, 1024],
    [1440, 1560],
    [768, 1344],
    [1344, 768],
    [1536, 1024],
    [1024, 1536],
    [2048, 1152],
  ],
};

/** [name, version, baseType, file extension] */
const CHECKPOINTS: readonly (readonly [string, string, number, string])[] = [
  ['F.1 模型下载版-黑暗森林工作室', 'fp16', 19, 'sft'],
  ['F.1-dev 基础算法模型', 'fp8', 19, 'safetensors'],
  ['麦橘超然 MajicFlus', 'v1.0', 19, 'safetensors'],
  ['F.1 写实汽车摄影大模型', 'v2', 19, 'safetensors'],
  ['哩布 F.1 基础模型', 'F.1-dev-fp8', 19, 'safetensors'],
  ['LEOSAM HelloWorld 新世界', 'SDXL v7', 3, 'safetensors'],
  ['RealVisXL', 'V4.0', 3, 'safetensors'],
  ['Juggernaut XL', 'v9', 3, 'safetensors'],
  ['汽车设计大模型 CarDesign XL', 'v1.0', 3, 'safetensors'],
  ['DreamShaper XL', 'Turbo', 3, 'safetensors'],
  ['万象熔炉 | Anything XL', 'v1.0', 3, 'safetensors'],
  ['majicMIX realistic 麦橘写实', 'v7', 1, 'safetensors'],
  ['ChilloutMix', 'fp16', 1, 'safetensors'],
  ['Deliberate', 'v3', 1, 'safetensors'],
  ['国风4 GuoFeng4', '4.2', 1, 'safetensors'],
  ['DreamShaper 8', '8', 1, 'safetensors'],
  ['墨幽人造人', 'v1080', 1, 'safetensors'],
  ['AWPainting', 'v1.2', 1, 'safetensors'],
];

/** [name, trigger word] */
const LORA_NAMES: readonly (readonly [string, string | null])[] = [
  ['创意质感-kcar', 'kcar'],
  ['全能创意质感', null],
  ['镜澈流光车漆-汽车车漆质感模型', 'High gloss paint texture'],
  ['极速者 创意质感', null],
  ['SUV_好姿态 || 扎实感、夸张度、临场感_汽车外饰设计', 'qifengart_suv'],
  ['概念车渲染 Concept Car Render', 'concept car render'],
  ['汽车内饰设计 Car Interior', 'car interior'],
  ['赛博朋克机甲车', 'cyber mecha car'],
  ['复古老爷车 Vintage Car', 'vintage car'],
  ['摩托车 Motorcycle Design', 'motorcycle'],
  ['新能源汽车外观', null],
  ['重卡 Heavy Truck', 'heavy truck'],
  ['高铁 High-speed Rail', 'bullet train'],
  ['飞行汽车 Flying Car', 'flying car'],
  ['汽车线稿 Car Sketch', 'car sketch, lineart'],
  ['马克笔手绘汽车', 'marker rendering'],
  ['汽车海报风格', null],
  ['赛道漂移 Drift', 'drifting, tire smoke'],
  ['未来城市交通', null],
  ['越野车 Offroad 4x4', 'offroad'],
  ['汽车广告摄影', 'car commercial photo'],
  ['低多边形车辆 Low Poly', 'low poly'],
  ['国潮汽车涂装', 'guochao livery'],
  ['水彩交通工具', 'watercolor vehicle'],
  ['汽车黏土模型 Clay Model', 'clay model'],
  ['卡通Q版小车', 'chibi car'],
  ['房车露营 Camper', null],
  ['电动自行车设计', null],
  ['车灯设计 Headlight', 'headlight design'],
  ['轮毂设计 Wheel Rim', 'wheel rim'],
];

const TAG_POOL: readonly FakeTag[] = [
  { id: 1688, label: '真实感', tagOrder: 99 },
  { id: 1690, label: '风格', tagOrder: 99 },
  { id: 1691, label: '自然风景', tagOrder: 20 },
  { id: 1692, label: '动漫', tagOrder: 12 },
  { id: 1695, label: '插画设计', tagOrder: 99 },
  { id: 1696, label: '科技感', tagOrder: 99 },
  { id: 1697, label: '人文/纪实摄影', tagOrder: 99 },
  { id: 1710, label: '海报设计', tagOrder: 99 },
  { id: 1716, label: '产品设计', tagOrder: 99 },
  { id: 1719, label: '游戏', tagOrder: 99 },
  { id: 1722, label: '光影', tagOrder: 99 },
  { id: 1743, label: '2.5D', tagOrder: 99 },
  { id: 1772, label: '纹理', tagOrder: 99 },
  { id: 1859, label: '科幻季·空间设计', tagOrder: 99 },
  { id: 1871, label: '插画', tagOrder: 99 },
  { id: 2214, label: '摄影', tagOrder: 10 },
  { id: 2550, label: '游戏 ', tagOrder: 99 },
  { id: 4022, label: '品牌及视觉设计', tagOrder: 99 },
  { id: 4711, label: '动漫游戏', tagOrder: 11 },
  { id: 15873, label: '海报&设计 ', tagOrder: 99 },
  { id: 20325, label: '插画广告', tagOrder: 99 },
];
const TAG_1773: FakeTag = { id: TAG_AUTOMOTIVE, label: TAG_AUTOMOTIVE_LABEL, tagOrder: 15 };
const TAG_BY_ID = new Map<number, FakeTag>([...TAG_POOL, TAG_1773].map((t) => [t.id, t]));

const NICK_FIXED: readonly string[] = [
  '跑不过就吃土',
  '鼠标量世界',
  '木木木亘',
  '鲸落于南',
  '星崔野雾',
  '汽车设计狮',
  '老司机画车',
  '车轮上的猫',
  '爱画车的阿杰',
  '赛博车间',
  '飞驰的小蜗牛',
  '造车新势力',
  '夜行的风',
  '一只小车迷',
  'FXING_DESIGN',
  'NovaGen',
  'DX_aigc',
  'Fine',
  'CarArtLab',
  'AutoMuse',
  'Kcar_Studio',
  'Velocity_AI',
];
const NICK_A: readonly string[] = ['星', '月', '风', '云', '雨', '山', '海', '夜', '光', '梦', '野', '青', '白', '墨', '木', '橙', '蓝', '小', '老', '阿'];
const NICK_B: readonly string[] = ['落', '行', '语', '川', '影', '雾', '羽', '舟', '辰', '禾', '溪', '歌', '鹿', '森', '野', '崔'];
const NICK_C: readonly string[] = ['', '', '设计', '工作室', '画师', 'AI', '出品', '不语', '同学', '先生', '的车库', 'Design', '酱', '君', '_art'];

const INTROS: readonly string[] = [
  '专注汽车设计与AI绘画',
  '喜欢画车，也喜欢开车',
  '工业设计师 / 业余炼丹',
  'AIGC 创作者，欢迎交流',
  '',
  '每天一张概念车',
  '汽车 · 交通 · 未来出行',
  '这个人很懒，什么都没写',
];

const COMMENTS: readonly string[] = [
  '太帅了！',
  '求关键词',
  '这个车漆质感绝了',
  '请问用的什么模型？',
  '大佬牛啊',
  '赛博朋克味儿很足',
  '想要同款LoRA',
  '光影好棒',
  '细节拉满 👍',
  '已关注，期待更多作品',
  '这辆车的线条好流畅',
  '背景是怎么做的？',
  'cool!',
  'amazing work',
  '配色很高级',
  '轮毂的细节好评',
  '可以出个教程吗',
  '收藏了，回头试试同款参数',
];

// ---------------------------------------------------------------------------------------------------------

/** A v4 UUID without dashes, as Liblib writes uuids. */
function uuidHex(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 12)}4${h.slice(13, 16)}${'89ab'[rng.int(0, 3)]}${h.slice(17)}`;
}

const EXT_OF: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif' };

/** The URL extension: usually the real one, sometimes a lie (".png" serving JPEG bytes, …). */
function urlExtension(rng: Rng, format: ImageFormat): string {
  if (rng.chance(0.12)) {
    const lies: Record<ImageFormat, readonly string[]> = {
      png: ['jpg', 'webp'],
      jpeg: ['png', 'png', 'webp'],
      webp: ['png', 'jpg'],
      gif: ['png'],
    };
    return rng.pick(lies[format]);
  }
  if (format === 'jpeg' && rng.chance(0.2)) return 'jpeg';
  return EXT_OF[format];
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A1111 "parameters" text (the PNG text chunk WebUI writes). */
function a1111Parameters(gen: FakeGeneration, seed: string): string {
  const lines = [gen.prompt];
  if (gen.negativePrompt) lines.push(`Negative prompt: ${gen.negativePrompt}`);
  const parts = [
    `Steps: ${gen.steps}`,
    `Sampler: ${gen.sampler}`,
    `CFG scale: ${gen.cfgScale}`,
    `Seed: ${seed}`,
    `Size: ${gen.width}x${gen.height}`,
    `Model hash: ${gen.checkpoint.hash}`,
    `Model: ${gen.checkpoint.fileName}`,
  ];
  if (gen.clipSkip !== 1) parts.push(`Clip skip: ${gen.clipSkip}`);
  if (gen.loras.length > 0) {
    parts.push(`Lora hashes: "${gen.loras.map((l) => `${l.model.modelName}: ${l.model.hash}`).join(', ')}"`);
  }
  lines.push(parts.join(', '));
  return lines.join('\n');
}

function isoLiblib(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}
export { isoLiblib as formatLiblibTime };

export class Catalogue {
  readonly seed: string;
  readonly now: number;
  readonly works: FakeWork[] = [];
  readonly authors: FakeUser[] = [];
  /** Authors first, then comment-only users. */
  readonly users: FakeUser[] = [];
  readonly checkpoints: FakeModel[] = [];
  readonly loras: FakeModel[] = [];
  readonly tags: readonly FakeTag[] = [...TAG_POOL, TAG_1773];

  #opts: Required<Omit<CatalogueOptions, 'seed' | 'now'>>;
  #served = new Map<string, ServedImage>();
  #byUuid = new Map<string, FakeWork>();
  #byId = new Map<number, FakeWork>();
  #usersByUuid = new Map<string, FakeUser>();
  #sharePool: { work: FakeWork; image: FakeImage }[] = [];
  #initialCount: number;
  #day = 0;
  #sortedNewest: FakeWork[] | null = null;
  #sortedHot: FakeWork[] | null = null;

  constructor(options: CatalogueOptions = {}) {
    this.seed = String(options.seed ?? 1);
    this.now = options.now ?? DEFAULT_NOW;
    this.#opts = {
      works: options.works ?? 1200,
      otherWorks: options.otherWorks ?? 36,
      authors: options.authors ?? 80,
      commenters: options.commenters ?? 40,
      days: options.days ?? 90,
      bigIdShare: options.bigIdShare ?? 0.45,
      deadImageRate: options.deadImageRate ?? 0.006,
      sharedImageRate: options.sharedImageRate ?? 0.03,
      deadAvatarRate: options.deadAvatarRate ?? 0.04,
    };
    this.#buildModels();
    this.#buildUsers();

    const { works, otherWorks, days } = this.#opts;
    const total = works + otherWorks;
    this.#initialCount = total;
    const otherAt = new Set<number>();
    for (let j = 0; j < otherWorks; j++) otherAt.add(Math.floor(((j + 0.5) * total) / otherWorks));
    const span = days * DAY_MS;
    const start = this.now - span;
    const gap = span / Math.max(total, 1);
    for (let i = 0; i < total; i++) {
      const jitter = (makeRng(this.seed, 'time', i).next() - 0.5) * 0.8;
      const t = Math.floor((start + (i + 0.5 + jitter) * gap) / 1000) * 1000;
      this.#addWork(i, t, !otherAt.has(i), i >= total * (1 - this.#opts.bigIdShare));
    }
  }

  // ---- queries ----

  workByUuid(uuid: string): FakeWork | undefined {
    return this.#byUuid.get(uuid);
  }

  workById(id: number): FakeWork | undefined {
    return this.#byId.get(id);
  }

  userByUuid(uuid: string): FakeUser | undefined {
    return this.#usersByUuid.get(uuid);
  }

  /** The image (or avatar, model cover, list cover) served at this path, if any. */
  servedImage(path: string): ServedImage | undefined {
    return this.#served.get(path);
  }

  servedImages(): ServedImage[] {
    return [...this.#served.values()];
  }

  /** Works carrying this tag (all works for null/undefined), newest first (createTime desc, id desc). */
  newestFirst(tagId?: number | null): FakeWork[] {
    this.#sortedNewest ??= [...this.works].sort((a, b) => b.createTime - a.createTime || b.id - a.id);
    return tagId == null ? this.#sortedNewest : this.#sortedNewest.filter((w) => w.tags.some((t) => t.id === tagId));
  }

  /** Works carrying this tag, "hot" order (hotScore desc, id desc). */
  hotFirst(tagId?: number | null): FakeWork[] {
    this.#sortedHot ??= [...this.works].sort((a, b) => b.hotScore - a.hotScore || b.id - a.id);
    return tagId == null ? this.#sortedHot : this.#sortedHot.filter((w) => w.tags.some((t) => t.id === tagId));
  }

  /** Paths of work images that are permanently 404 (original and watermarked copies). */
  deadImagePaths(): string[] {
    const out: string[] = [];
    for (const w of this.works) for (const img of w.images) if (img.dead) out.push(img.path, img.wmPath);
    return [...new Set(out)];
  }

  /** Distinct originalImageUrl paths of all works' images that are alive. */
  liveImagePaths(): string[] {
    const out = new Set<string>();
    for (const w of this.works) for (const img of w.images) if (!img.dead) out.add(img.path);
    return [...out];
  }

  /** Adds n works, all newer than every existing one: "the next day". Deterministic per call sequence. */
  addWorks(n: number): FakeWork[] {
    this.#day += 1;
    const dayStart = this.now + (this.#day - 1) * DAY_MS;
    const added: FakeWork[] = [];
    const first = this.works.length;
    const newest = this.works.reduce((m, w) => Math.max(m, w.createTime), 0);
    const base = Math.max(dayStart, newest + 1000);
    const gap = (DAY_MS - 60_000) / Math.max(n, 1);
    for (let k = 0; k < n; k++) {
      const jitter = (makeRng(this.seed, 'time', first + k).next() - 0.5) * 0.8;
      const t = Math.floor((base + (k + 0.5 + jitter) * gap) / 1000) * 1000;
      added.push(this.#addWork(first + k, Math.max(t, base + k * 1000 + 1000), true, true));
    }
    return added;
  }

  /** Number of works created by the constructor (before any addWorks). */
  get initialCount(): number {
    return this.#initialCount;
  }

  /** Plain data for snapshots and determinism checks (bigints stay bigints; use stringifyJson). */
  toJSON(): unknown {
    return {
      seed: this.seed,
      now: this.now,
      users: this.users,
      checkpoints: this.checkpoints,
      loras: this.loras,
      works: this.works,
    };
  }

  // ---- construction ----

  #serve(path: string, content: ImageContent, dead: boolean, watermark: boolean, lastModified: number): void {
    if (!this.#served.has(path)) this.#served.set(path, { path, content, dead, watermark, lastModified });
  }

  #buildModels(): void {
    let n = 0;
    const makeModel = (
      name: string,
      version: string,
      baseType: number,
      type: 1 | 5,
      ext: string,
      trigger: string | null,
    ): FakeModel => {
      const rng = makeRng(this.seed, 'model', n++);
      const modelId = rng.int(1_000_000, 19_900_000);
      const ownerUuid = uuidHex(rng);
      const format = rng.weighted<ImageFormat>([
        ['png', 6],
        ['jpeg', 2.5],
        ['gif', 1.5],
      ]);
      const imagePath = `/img/${ownerUuid}/${rng.hex(64)}.${urlExtension(rng, format)}`;
      const content: ImageContent = {
        key: `model:${n}:${modelId}`,
        format,
        width: rng.pick([96, 128, 160]),
        height: rng.pick([128, 160, 192]),
        style: 'model',
        parameters: null,
      };
      this.#serve(imagePath, content, false, false, this.now - 200 * DAY_MS);
      return {
        modelId,
        modelUuid: uuidHex(rng),
        modelName: name,
        versionId: modelId + rng.int(40_000, 1_700_000),
        versionUuid: uuidHex(rng),
        versionName: version,
        modelType: type,
        modelTypeLable: type === 1 ? 'Checkpoint' : 'LORA',
        baseType,
        hash: rng.hex(10),
        fileName: `${name}_${version}.${ext}`,
        imagePath,
        vipUsed: type === 5 && rng.chance(0.6) ? 1 : 0,
        triggerWord: trigger,
      };
    };
    for (const [name, version, baseType, ext] of CHECKPOINTS) {
      this.checkpoints.push(makeModel(name, version, baseType, 1, ext, null));
    }
    const rng = makeRng(this.seed, 'loras');
    for (const [name, trigger] of LORA_NAMES) {
      const baseType = rng.weighted([
        [19, 5],
        [3, 3],
        [1, 2],
      ]);
      const prefix = baseType === 19 ? 'F.1-' : '';
      const suffix = baseType === 3 ? ' XL' : '';
      this.loras.push(makeModel(`${prefix}${name}${suffix}`, rng.pick(['v1.0', 'v2.0', 'v1.5', 'v3', '极速者', 'F.1']), baseType, 5, 'safetensors', trigger));
      if (rng.chance(0.5)) {
        const other = baseType === 19 ? 3 : 19;
        const p2 = other === 19 ? 'F.1-' : '';
        const s2 = other === 3 ? ' XL' : '';
        this.loras.push(makeModel(`${p2}${name}${s2}`, rng.pick(['v1.0', 'v2.0']), other, 5, 'safetensors', trigger));
      }
    }
  }

  #buildUsers(): void {
    const { authors, commenters } = this.#opts;
    const used = new Set<string>();
    const total = authors + commenters;
    for (let i = 0; i < total; i++) {
      const rng = makeRng(this.seed, 'user', i);
      let nickname = i < NICK_FIXED.length && rng.chance(0.8) ? (NICK_FIXED[i] as string) : '';
      for (let tries = 0; !nickname || used.has(nickname); tries++) {
        nickname = rng.pick(NICK_A) + rng.pick(NICK_B) + rng.pick(NICK_C) + (tries > 5 ? String(tries) : '');
      }
      used.add(nickname);
      const uuid = uuidHex(rng);
      const avatarKind = rng.weighted([
        ['own', 6],
        ['qq', 2],
        ['default', 2],
      ]);
      let avatarPath: string;
      let content: ImageContent;
      if (avatarKind === 'default') {
        const k = rng.int(1, 4);
        avatarPath = `/web/avatar/avatar${k}.png`;
        content = { key: `avatar:default:${k}`, format: 'png', width: 64, height: 64, style: 'avatar', parameters: null };
      } else if (avatarKind === 'qq') {
        avatarPath = `/qlogo/ek_qqapp/AQ${rng.hex(40)}/100`;
        content = { key: `avatar:${uuid}`, format: 'jpeg', width: 100, height: 100, style: 'avatar', parameters: null };
      } else {
        const format = rng.weighted<ImageFormat>([
          ['jpeg', 5],
          ['png', 3],
          ['webp', 2],
        ]);
        avatarPath = `/img/${uuid}/${rng.hex(64)}.${urlExtension(rng, format)}`;
        content = { key: `avatar:${uuid}`, format, width: 128, height: 128, style: 'avatar', parameters: null };
      }
      const createTime = this.now - rng.int(120, 900) * DAY_MS - rng.int(0, 86_399) * 1000;
      // Its own stream, so adding the rate left every other drawn value (and the tests pinned to them) as it was.
      const avatarDead = avatarKind !== 'default' && makeRng(this.seed, 'avatar-dead', i).chance(this.#opts.deadAvatarRate);
      this.#serve(avatarPath, content, avatarDead, false, createTime);
      const user: FakeUser = {
        index: i,
        userId: 100_000 + i * 61_337 + rng.int(0, 61_000),
        uuid,
        nickname,
        avatarPath,
        avatarDead,
        intro: rng.pick(INTROS),
        createTime,
        vip: rng.chance(0.3) ? 1 : 0,
        followerCount: Math.floor(Math.exp(rng.next() * 8)),
        followCount: rng.int(0, 300),
        isAuthor: i < authors,
      };
      this.users.push(user);
      if (user.isAuthor) this.authors.push(user);
      this.#usersByUuid.set(uuid, user);
    }
  }

  #prompt(rng: Rng, automotive: boolean, loras: FakeLoraUse[]): { prompt: string; title: string } {
    const subject = rng.pick(automotive ? CAR_SUBJECTS : OTHER_SUBJECTS);
    const style = rng.pick(STYLES);
    const scene = rng.pick(SCENES);
    const tags = rng.sample(EN_TAGS, rng.int(3, 8));
    const form = rng.weighted([
      ['mixed', 5],
      ['en', 3],
      ['cn', 2],
    ]);
    let prompt: string;
    if (form === 'mixed') {
      prompt = `${style[0]}风格的${subject[0]}，${scene[0]}，${rng.pick(CN_QUALITY)}, ${tags.join(', ')}`;
    } else if (form === 'en') {
      prompt = `${subject[1]}, ${style[1]}, ${scene[1]}, ${tags.join(', ')}`;
    } else {
      prompt = `${scene[0]}中的一辆${style[0]}${subject[0]}，${rng.pick(CN_QUALITY)}，${rng.pick(CN_QUALITY)}`;
      if (!automotive) prompt = `${style[0]}风格的${subject[0]}，${scene[0]}，${rng.pick(CN_QUALITY)}`;
    }
    const triggers = loras.map((l) => l.model.triggerWord).filter((t): t is string => !!t);
    if (triggers.length > 0 && rng.chance(0.7)) prompt = `${triggers.join(',')},${prompt}`;
    const title = rng.chance(0.3)
      ? ''
      : rng.weighted([
          [subject[0], 3],
          [`${style[0]}${subject[0]}`, 3],
          [`${subject[0]}设计`, 2],
          [`${scene[0]}·${subject[0]}`, 2],
          ['汽车效果图', automotive ? 1 : 0],
          [`${style[1].split(',')[0]} ${subject[1]}`.replace(/\b\w/g, (c) => c.toUpperCase()), 2],
          [`${subject[0]} #${rng.int(1, 99)}`, 1],
        ]);
    return { prompt, title };
  }

  #generation(rng: Rng, automotive: boolean): { gen: FakeGeneration; title: string } {
    const checkpoint = rng.weighted(this.checkpoints.map((c) => [c, c.baseType === 19 ? 3 : c.baseType === 3 ? 2 : 1] as const));
    const compatible = this.loras.filter((l) => l.baseType === checkpoint.baseType);
    const nLoras = rng.weighted([
      [0, 3],
      [1, 4],
      [2, 3],
      [3, 2],
      [4, 1],
      [5, 1],
    ]);
    const loras = rng.sample(compatible.length > 0 ? compatible : this.loras, nLoras).map((model) => ({
      model,
      weight: round2(rng.int(4, 20) * 0.05),
    }));
    const flux = checkpoint.baseType === 19;
    const sampler = flux ? (rng.chance(0.8) ? SAMPLERS[0]! : rng.pick(SAMPLERS)) : rng.weighted(SAMPLERS.map((s) => [s, s[2]] as const));
    const [width, height] = rng.pick(GEN_SIZES[checkpoint.baseType] ?? GEN_SIZES[3]!);
    const { prompt, title } = this.#prompt(rng, automotive, loras);
    const tabType = rng.chance(0.15) ? 'img2img' : 'txt2img';
    const seed = rng.chance(0.08)
      ? (2n ** 53n + BigInt(rng.int(1, 2 ** 30)) * BigInt(rng.int(1, 2 ** 30)) * 7n).toString()
      : String(rng.int(1, 4_294_967_294));
    const gen: FakeGeneration = {
      prompt,
      negativePrompt: flux && rng.chance(0.5) ? '' : rng.weighted(NEGATIVES),
      sampler: sampler[0],
      samplerId: sampler[1],
      steps: flux ? rng.int(20, 30) : rng.int(20, 40),
      cfgScale: flux ? rng.pick([1, 2.5, 3.5, 3.5]) : rng.int(10, 18) / 2,
      width,
      height,
      clipSkip: checkpoint.baseType === 1 ? 2 : 1,
      checkpoint,
      loras,
      tabType,
      denoisingStrength: tabType === 'img2img' ? rng.pick([0.55, 0.7, 0.85]) : null,
      imageSource: rng.weighted([
        [1, 80],
        [0, 12],
        [2, 8],
      ]),
      hidden: rng.chance(0.02),
      seed,
    };
    return { gen, title };
  }

  #addWork(index: number, createTime: number, automotive: boolean, bigIds: boolean): FakeWork {
    const rng = makeRng(this.seed, 'work', index);
    const author = this.authors[Math.floor(this.authors.length * rng.next() ** 1.7)] as FakeUser;
    const { gen, title } = this.#generation(rng, automotive);
    const id = 7_000_000 + index * 53 + rng.int(0, 52);
    const uuid = uuidHex(rng);

    // Tags
    let tags: FakeTag[];
    if (automotive) {
      const extra = rng.sample(
        TAG_POOL.filter((t) => t.id !== 2550),
        rng.weighted([
          [0, 3],
          [1, 4],
          [2, 3],
          [3, 2],
          [4, 1],
        ]),
      );
      if (extra.some((t) => t.id === 1719) && rng.chance(0.5)) extra.push(TAG_BY_ID.get(2550)!);
      tags = rng.chance(0.7) ? [...extra, TAG_1773] : rng.sample([...extra, TAG_1773], extra.length + 1);
    } else {
      const primary = TAG_BY_ID.get(rng.pick(OTHER_TAG_IDS))!;
      const extra = rng.sample(
        TAG_POOL.filter((t) => !OTHER_TAG_IDS.includes(t.id)),
        rng.int(0, 2),
      );
      tags = [...extra, primary];
    }

    // Images
    const count = rng.weighted([
      [1, 35],
      [2, 20],
      [3, 15],
      [4, 12],
      [5, 10],
      [6, 8],
    ]);
    const auditTime = createTime + rng.int(30, 900) * 1000;
    const images: FakeImage[] = [];
    const pixelW = Math.round(gen.width / 8);
    const pixelH = Math.round(gen.height / 8);
    for (let k = 0; k < count; k++) {
      const irng = makeRng(this.seed, 'image', index, k);
      const imageId = bigIds
        ? BIG_ID_BASE + BigInt(index) * 1000n + BigInt(k * 37 + irng.int(0, 36))
        : BigInt(4_000_000 + index * 8 + k);
      const seed = (BigInt(gen.seed) + BigInt(k)).toString();
      const base = {
        id: imageId,
        uuid: uuidHex(irng),
        sort: k,
        seed,
        generateInfoId: 11_000_000 + index * 8 + k,
        contentId: (CONTENT_ID_BASE + BigInt(index) * 16n + BigInt(k)).toString(),
        originalName: irng.weighted([
          [`IMG_${String(irng.int(1, 9999)).padStart(4, '0')}.png`, 2],
          ['', 3],
          [`${irng.hex(8)}.png`, 2],
          ['未命名.png', 1],
        ]),
      };
      if (this.#sharePool.length > 0 && irng.chance(this.#opts.sharedImageRate)) {
        const from = irng.pick(this.#sharePool);
        const mode = irng.chance(0.5) ? 'url' : 'bytes';
        const path = mode === 'url' ? from.image.path : `/img/${author.uuid}/${irng.hex(64)}.${urlExtension(irng, from.image.content.format)}`;
        const wmPath = mode === 'url' ? from.image.wmPath : `/wm/img/${author.uuid}/${irng.hex(64)}.${path.split('.').pop()}`;
        this.#serve(path, from.image.content, false, false, createTime);
        this.#serve(wmPath, from.image.content, false, true, createTime);
        images.push({
          ...base,
          path,
          wmPath,
          content: from.image.content,
          dead: false,
          width: from.image.width,
          height: from.image.height,
          sharedFrom: { workUuid: from.work.uuid, mode },
        });
        continue;
      }
      const format = irng.weighted<ImageFormat>([
        ['png', 55],
        ['jpeg', 28],
        ['webp', 17],
      ]);
      const ext = urlExtension(irng, format);
      const hash = irng.hex(64);
      const path = `/img/${author.uuid}/${hash}.${ext}`;
      const wmPath = `/wm/img/${author.uuid}/${irng.hex(64)}.${ext}`;
      const content: ImageContent = {
        key: `work:${uuid}:${k}`,
        format,
        width: pixelW,
        height: pixelH,
        style: automotive ? 'car' : 'scene',
        parameters: format === 'png' && gen.imageSource !== 0 ? a1111Parameters(gen, seed) : null,
      };
      const dead = irng.chance(this.#opts.deadImageRate);
      this.#serve(path, content, dead, false, createTime);
      this.#serve(wmPath, content, dead, true, createTime);
      images.push({ ...base, path, wmPath, content, dead, width: pixelW, height: pixelH, sharedFrom: null });
    }
    const cover = images[0] as FakeImage;
    const listCoverPath = `/community-img/${rng.int(100_000_000, 599_999_999)}-${rng.hex(64)}.png`;
    this.#serve(listCoverPath, cover.content, cover.dead, false, createTime);

    // Counters and comments
    const likeCount = rng.chance(0.05) ? rng.int(300, 3000) : Math.floor(Math.exp(rng.next() * 5)) - 1;
    const nComments = rng.chance(0.6) ? 0 : rng.int(1, 8);
    const comments: FakeComment[] = [];
    for (let c = 0; c < nComments; c++) {
      comments.push({
        id: 40_000_000 + index * 16 + c,
        user: rng.pick(this.users),
        content: rng.pick(COMMENTS),
        createTime: auditTime + rng.int(60, 5 * 86_400) * 1000,
        likeCount: rng.chance(0.7) ? 0 : rng.int(1, 40),
      });
    }
    comments.sort((a, b) => b.createTime - a.createTime || b.id - a.id);
    const listCountsNull = rng.chance(0.05);
    const mainModel = gen.loras.length > 0 ? (gen.loras[gen.loras.length - 1] as FakeLoraUse).model : gen.checkpoint;

    const work: FakeWork = {
      index,
      id,
      uuid,
      title,
      tags,
      author,
      createTime,
      auditTime,
      updateTime: rng.chance(0.1) ? auditTime + rng.int(1, 20) * DAY_MS : auditTime,
      images,
      listCoverPath,
      gen,
      likeCount,
      hitCount: likeCount * rng.int(3, 30),
      comments,
      listCountsNull,
      recommendSign: listCountsNull ? 'raw_image_1st_soft_guarantee' : 'hot_image',
      hotScore: listCountsNull ? 0 : Math.round(((likeCount + 3 * nComments + rng.next()) / 10_000) * 1e10) / 1e10,
      mainModelId: mainModel.modelId,
      origImageDownLimit: rng.chance(0.6) ? 'vip' : '',
    };
    this.works.push(work);
    this.#byUuid.set(uuid, work);
    this.#byId.set(id, work);
    for (const image of images) if (!image.dead && !image.sharedFrom) this.#sharePool.push({ work, image });
    this.#sortedNewest = null;
    this.#sortedHot = null;
    return work;
  }
}

export function createCatalogue(options: CatalogueOptions = {}): Catalogue {
  return new Catalogue(options);
}

/** The whole catalogue as JSON text (bigints as bare numbers): equal seeds give equal text. */
export function serializeCatalogue(catalogue: Catalogue): string {
  return stringifyJson(catalogue.toJSON());
}
