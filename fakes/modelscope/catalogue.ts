// A deterministic synthetic ModelScope model catalogue: LoRAs (and a few checkpoints, which the `tags
// contains lora` filter must leave out) for three tasks, each item shaped like the real `dolphin/models`
// items in docs/upstream.md §2.1. Everything is a pure function of the seed (fakes/liblib/rng.ts); cover and
// avatar bytes are drawn lazily by fakes/liblib/images.ts.
import { CivitaiCatalogue } from '../civitai/catalogue.ts';
import { createCatalogue as createLiblibCatalogue, type ImageContent, type ImageFormat } from '../liblib/catalogue.ts';
import { makeRng, type Rng } from '../liblib/rng.ts';

export const TASKS = [
  { name: 'text-to-image-synthesis', chineseName: '文本生成图片', id: 3, share: 0.7 },
  { name: 'image-to-video', chineseName: '图生视频', id: 2031, share: 0.2 },
  { name: 'image-to-image-generation', chineseName: '图像生成图像', id: 2107, share: 0.1 },
] as const;

/** Epoch ms; the newest item was updated just before it. Fixed for determinism. */
const MS_DEFAULT_NOW = Date.UTC(2025, 10, 10, 8, 0, 0);
const DAY_MS = 86_400_000;
/** Stands for the server's origin inside stored item text; `item(origin)` fills it in. */
const ORIGIN = '{origin}';

/** [VisionFoundation, BaseModel, Libraries extra, name suffix] */
const FOUNDATIONS = [
  ['FLUX_1', 'black-forest-labs/FLUX.1-dev', '-FLUX'],
  ['QWEN_IMAGE_20_B', 'Qwen/Qwen-Image', '_Qwen'],
  ['SDXL', 'AI-ModelScope/stable-diffusion-xl-base-1.0', '-XL'],
  ['SD_1_5', 'AI-ModelScope/stable-diffusion-v1-5', '-SD15'],
  ['Z_IMAGE_TURBO', 'Tongyi-MAI/Z-Image-Turbo', '-ZImage'],
  ['WAN_2_1', 'Wan-AI/Wan2.1-I2V-14B-720P', '-Wan'],
] as const;

const OWNERS = [
  'DiffSynth-Studio', 'KookYan', 'MAILAND', 'MusePublic', 'qwen-art', 'lightx2v', 'inkbrush', 'Artiprocher',
  'pixel-lab', 'Yuan-Studio', 'cyberhanfu', 'FilmLook', 'shanshui-ai', 'neonworks', 'mochi-art', 'AIGC-Huaxia',
] as const;

/** [ChineseName, Name stem, trigger word] */
const STYLES: readonly (readonly [string, string, string | null])[] = [
  ['墨韵山水', 'Ink-Landscape', 'ink wash'],
  ['赛博朋克霓虹', 'Cyberpunk-Neon', 'cyberpunk city'],
  ['国风少女', 'Guofeng-Girl', 'guofeng'],
  ['水彩插画', 'Watercolor-Illustration', 'watercolor'],
  ['胶片质感人像', 'Film-Portrait', 'film grain'],
  ['极致真实摄影', 'Ultra-Real-Photo', null],
  ['吉卜力风格', 'Ghibli-Style', 'ghibli style'],
  ['敦煌壁画', 'Dunhuang-Mural', 'dunhuang'],
  ['像素艺术', 'Pixel-Art', 'pixel art'],
  ['3D 黏土风', 'Clay-3D', 'clay render'],
  ['古风建筑', 'Ancient-Architecture', null],
  ['美食摄影', 'Food-Photography', 'food photo'],
  ['产品渲染', 'Product-Render', 'product shot'],
  ['汉服写真', 'Hanfu-Portrait', 'hanfu'],
  ['线稿上色', 'Lineart-Colorize', 'lineart'],
  ['油画质感', 'Oil-Painting', 'oil painting'],
  ['电影感光影', 'Cinematic-Light', 'cinematic lighting'],
  ['Q版手办', 'Chibi-Figure', 'chibi figure'],
  ['科幻机甲', 'Sci-Fi-Mecha', 'mecha'],
  ['复古海报', 'Retro-Poster', 'retro poster'],
  ['动态运镜', 'Camera-Push-In', 'push in'],
  ['光线追踪', 'Ray-Traced', null],
  ['中式园林', 'Chinese-Garden', 'chinese garden'],
  ['浮世绘', 'Ukiyo-e', 'ukiyoe'],
];

/**
 * LoRAs published under the same name on ModelScope and in the fake Liblib's or fake Civitai's default
 * catalogue (seed 1), as creators cross-post: the same file (twinFileOf) on the same base model, so a Huaku
 * demo with the fakes links works to them by name and the model catalogue links them by hash (the first
 * three are the modelName of `fakes/liblib`'s LORA list with their base-model prefix or suffix, the last
 * two `fakes/civitai` LoRA models). They are popular text-to-image LoRAs, so a Top-20 includes them.
 */
const CROSS_POSTED: readonly (readonly [string, string | null])[] = [
  ['F.1-概念车渲染 Concept Car Render', 'concept car render'],
  ['汽车内饰设计 Car Interior', 'car interior'],
  ['F.1-创意质感-kcar', 'kcar'],
  ['Ink Landscape 水墨山水', 'ink_style'],
  ['Neon City', 'neon_style'],
];

/** FOUNDATIONS' index for a twin's base model. */
const FOUNDATION_OF = { flux: 0, sdxl: 2, sd15: 3 } as const;

interface TwinFile {
  /** The twin's file: its SHA-256 (Civitai), or only its AutoV2 (Liblib shows no more). */
  sha256: string | null;
  autoV2: string;
  base: keyof typeof FOUNDATION_OF;
}

let twinFiles: Map<string, TwinFile> | undefined;
/**
 * The file each cross-posted LoRA shares with its namesake in the default (seed 1) Liblib or Civitai fake:
 * the same weights re-uploaded, so the model catalogue links them by hash, on the same base model.
 */
function twinFileOf(name: string): TwinFile {
  if (!twinFiles) {
    twinFiles = new Map();
    const liblib = createLiblibCatalogue({ works: 0, otherWorks: 0, authors: 1, commenters: 0 });
    const liblibBase = { 19: 'flux', 3: 'sdxl', 1: 'sd15' } as const;
    for (const m of liblib.loras) {
      const base = liblibBase[m.baseType as keyof typeof liblibBase];
      if (base && !twinFiles.has(m.modelName)) twinFiles.set(m.modelName, { sha256: null, autoV2: m.hash.toLowerCase(), base });
    }
    for (const m of new CivitaiCatalogue({ twins: false, images: false }).models) {
      const version = m.versions[0]!;
      const sha256 = version.sha256!.toLowerCase();
      const base = version.baseModel.startsWith('Flux') ? 'flux' : version.baseModel === 'SD 1.5' ? 'sd15' : 'sdxl';
      twinFiles.set(m.name, { sha256, autoV2: sha256.slice(0, 10), base });
    }
  }
  const twin = twinFiles.get(name);
  if (!twin) throw new Error(`fake ModelScope: the cross-posted LoRA "${name}" has no namesake in the Liblib or Civitai fake`);
  return twin;
}

const OFFICIAL_TAGS = [
  { ChineseName: '写实摄影', Name: 'Photography', Tag: 'photography', TagType: 'designStyle' },
  { ChineseName: '插画', Name: 'Illustration', Tag: 'illustration', TagType: 'designStyle' },
  { ChineseName: '国风', Name: 'Chinese Style', Tag: 'chinese-style', TagType: 'designStyle' },
  { ChineseName: '人物加强', Name: 'Character Enhancement', Tag: 'character-enhancement', TagType: 'modelFunction' },
  { ChineseName: '画质增强', Name: 'Quality Enhancement', Tag: 'quality-enhancement', TagType: 'modelFunction' },
  { ChineseName: '女生', Name: 'Woman', Tag: 'woman', TagType: 'contentElement' },
  { ChineseName: '建筑', Name: 'Architecture', Tag: 'architecture', TagType: 'contentElement' },
  { ChineseName: '风景', Name: 'Landscape', Tag: 'landscape', TagType: 'contentElement' },
] as const;

const LICENSES = ['Apache License 2.0', 'Apache License 2.0', 'Apache License 2.0', 'MIT', 'creativeml-openrail-m', 'other'] as const;

export interface FakeCover {
  /** Path on the fake's origin (stands for `https://resouces.modelscope.cn/cover-images/...`). */
  path: string;
  content: ImageContent;
  /** 404 forever (OSS NoSuchKey). */
  dead: boolean;
  /** 403 unless the request carries `Authorization: Bearer <the fake's token>`. */
  protected: boolean;
  /** A video cover: serves the tiny clip instead of `content`. */
  video: boolean;
}

type ServedCover = Omit<FakeCover, 'path'>;

export interface FakeModelScopeModel {
  /** `Path/Name`, the model id. */
  id: string;
  index: number;
  task: string;
  isLora: boolean;
  downloads: number;
  stars: number;
  /** Unix seconds. */
  lastUpdatedTime: number;
  /** The first cover the item lists (what a client should pick), or null when it lists none. */
  cover: FakeCover | null;
  /** Every cover image of the item, the first one included. */
  covers: FakeCover[];
  name: string;
  chineseName: string;
  /** `Tags` and `Libraries`, lowercased: what the `tags` criterion matches. */
  tags: string[];
  /** The item exactly as `Data.Model.Models[]` carries it, URLs on `origin` (a fresh copy per call). */
  item(origin?: string): Record<string, unknown>;
}

export interface ModelScopeCatalogueOptions {
  seed?: number | string;
  /** Models in the catalogue (LoRAs and ~8% checkpoints). Default 80. */
  models?: number;
  /** Epoch ms of "now". Default MS_DEFAULT_NOW. */
  now?: number;
  /** Chance that a cover image is dead (404). Default 0.08. */
  deadCoverRate?: number;
  /** Chance that a cover needs the token (403 without). Default 0.05. */
  protectedCoverRate?: number;
}

export interface SearchQuery {
  tasks?: string[];
  tags?: string[];
  name?: string;
  sortBy?: string;
}

function uuid(rng: Rng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`;
}

/** The lying extensions of real CDNs: about 1 in 8 names say `.jpg` for a PNG or the other way round. */
function extensionFor(rng: Rng, format: ImageFormat): string {
  const real = format === 'jpeg' ? (rng.chance(0.5) ? 'jpeg' : 'jpg') : format;
  return rng.chance(0.12) ? (format === 'png' ? 'jpg' : 'png') : real;
}

export class ModelScopeCatalogue {
  readonly seed: string;
  readonly now: number;
  readonly models: FakeModelScopeModel[] = [];
  readonly #images = new Map<string, ServedCover>();

  constructor(options: ModelScopeCatalogueOptions = {}) {
    this.seed = String(options.seed ?? 1);
    this.now = options.now ?? MS_DEFAULT_NOW;
    const count = options.models ?? 80;
    const used = new Set<string>();
    for (let index = 0; index < count; index++) {
      const model = this.#model(index, used, options.deadCoverRate ?? 0.08, options.protectedCoverRate ?? 0.05);
      this.models.push(model);
    }
  }

  /** What an image path serves, or undefined (404). */
  image(path: string): ServedCover | undefined {
    return this.#images.get(path);
  }

  byId(id: string): FakeModelScopeModel | undefined {
    return this.models.find((m) => m.id === id);
  }

  /** The models a `dolphin/models` query matches, in the order the endpoint returns them. */
  search(query: SearchQuery): FakeModelScopeModel[] {
    const tags = (query.tags ?? []).map((t) => t.toLowerCase());
    const name = query.name?.trim().toLowerCase() ?? '';
    const found = this.models.filter((model) => {
      if (query.tasks && query.tasks.length > 0 && !query.tasks.includes(model.task)) return false;
      if (tags.length > 0 && !tags.some((t) => model.tags.includes(t))) return false;
      if (name && !`${model.name} ${model.chineseName}`.toLowerCase().includes(name)) return false;
      return true;
    });
    const by = (key: (m: FakeModelScopeModel) => number) => (a: FakeModelScopeModel, b: FakeModelScopeModel) => key(b) - key(a) || a.index - b.index;
    switch (query.sortBy) {
      case 'DownloadsCount':
        return found.sort(by((m) => m.downloads));
      case 'StarsCount':
        return found.sort(by((m) => m.stars));
      case 'GmtModified':
        return found.sort(by((m) => m.lastUpdatedTime));
      default:
        // "Default" (and AigcDefault): the site's own mix, here a fixed shuffle of the catalogue.
        return found.sort((a, b) => makeRng(this.seed, 'default-order', a.index).next() - makeRng(this.seed, 'default-order', b.index).next());
    }
  }

  #serve(rng: Rng, key: string, style: ImageContent['style'], dead: boolean, isProtected: boolean, size: [number, number], video = false): FakeCover {
    const format = rng.weighted<ImageFormat>([['jpeg', 5], ['png', 3], ['webp', 2]]);
    const prefix = style === 'avatar' ? '/avatar/' : '/cover-images/';
    // The random draws are the same for a video cover, so making one a video shifts nothing else.
    const extension = extensionFor(rng, format);
    const path = `${prefix}${uuid(rng)}.${video ? 'mp4' : extension}`;
    const content: ImageContent = { key, format, width: size[0], height: size[1], style, parameters: null };
    this.#images.set(path, { content, dead, protected: isProtected, video });
    return { path, content, dead, protected: isProtected, video };
  }

  #model(index: number, used: Set<string>, deadRate: number, protectedRate: number): FakeModelScopeModel {
    const rng = makeRng(this.seed, 'model', index);
    const rolledTask = rng.weighted(TASKS.map((t) => [t, t.share] as const));
    const crossPost = index % 17 === 5 && index < 17 * CROSS_POSTED.length ? CROSS_POSTED[Math.floor(index / 17) % CROSS_POSTED.length] : undefined;
    const task = crossPost ? TASKS[0] : rolledTask;
    const isLora = crossPost !== undefined || !rng.chance(0.08);
    const drawnFoundation = task.name === 'image-to-video' ? FOUNDATIONS[5] : rng.pick(FOUNDATIONS.slice(0, 5));
    // A cross-posted LoRA is its twin's file on its twin's base model.
    const twin = crossPost ? twinFileOf(crossPost[0]) : null;
    const [vision, baseModel, suffix] = twin ? FOUNDATIONS[FOUNDATION_OF[twin.base]] : drawnFoundation;
    const style = rng.pick(STYLES);
    const owner = rng.pick(OWNERS);
    let name = crossPost ? crossPost[0].replace(/[^A-Za-z0-9.]+/g, '-').replace(/^-|-$/g, '') || `lora-${index}` : `${style[1]}${suffix}`;
    if (!isLora) name = `${style[1]}${suffix}-Checkpoint`;
    while (used.has(`${owner}/${name}`)) name = `${name}-v${rng.int(2, 9)}`;
    used.add(`${owner}/${name}`);
    const id = `${owner}/${name}`;
    // AIGC-zone items carry MuseInfo (covers, ms timestamps); about 30% are plain repository LoRAs.
    const aigc = crossPost !== undefined || rng.chance(0.7);
    const chineseName = crossPost ? crossPost[0] : rng.chance(0.25) ? '' : `${style[0]}${rng.chance(0.3) ? ` ${vision.split('_')[0]}` : ''}`;
    const trigger = crossPost ? crossPost[1] : style[2];
    // Heavy-tailed downloads, distinct per item (ties broken by index anyway).
    const rolledDownloads = Math.floor(40 * Math.exp(rng.next() * 8.5)) + index;
    // Above every rolled count (at most 40·e^8.5 ≈ 197k): cross-posted LoRAs are the popular ones.
    const downloads = crossPost ? 200_000 + (rolledDownloads % 50_000) : rolledDownloads;
    const stars = Math.floor(downloads * (0.005 + rng.next() * 0.04));
    const createdTime = Math.floor((this.now - rng.int(20, 400) * DAY_MS) / 1000);
    const lastUpdatedTime = Math.min(Math.floor(this.now / 1000) - index * 97, createdTime + rng.int(0, 200) * 86_400);
    const gmtModifiedMs = lastUpdatedTime * 1000 + rng.int(60, 3600) * 1000;
    // Drawn as before (so the rest of the model stays as seeded), then replaced by the twin's file.
    const drawn = crossPost && index % 2 === 1 ? rng.hex(54) : rng.hex(64);
    const sha256 = twin ? (twin.sha256 ?? `${twin.autoV2}${drawn.slice(-54)}`) : drawn;
    const fileName = `${name}.safetensors`;
    const fileSize = rng.int(18, 480) * 1_048_576 + rng.int(0, 999);
    const tags = rng.sample(OFFICIAL_TAGS, rng.int(1, 3));
    const avatar = this.#serve(rng, `ms-avatar:${owner}`, 'avatar', false, false, [88, 88]);
    const coverCount = aigc ? rng.int(1, 4) : rng.chance(0.5) ? 1 : 0;
    const covers: FakeCover[] = [];
    for (let k = 0; k < coverCount; k++) {
      const dead = rng.chance(deadRate);
      const isProtected = !dead && rng.chance(protectedRate);
      const portrait = rng.chance(0.6);
      const w = rng.pick([384, 448, 512]);
      // An image-to-video LoRA's first cover is a clip (`.mp4`, fakes/shared/videos/), as on the real site.
      const video = task.name === 'image-to-video' && k === 0;
      covers.push(this.#serve(rng, `ms-cover:${id}:${k}`, rng.chance(0.5) ? 'scene' : 'model', dead, isProtected, portrait ? [w, Math.round(w * 1.5)] : [Math.round(w * 1.5), w], video));
    }
    const origin = ORIGIN;
    const coverUrl = (c: FakeCover) => `${origin}${c.path}`;
    const organization = rng.chance(0.4)
      ? { Id: rng.int(100, 9999), Name: owner, FullName: owner.replace(/-/g, ' '), Avatar: `${origin}${avatar.path}`, CreatedBy: owner, Type: 2 }
      : null;
    const aigcAttributes = aigc ? JSON.stringify({ OfficialTags: tags.map((t) => t.Tag) }) : rng.pick(['{}', '']);
    const museInfo = aigc
      ? {
          genImageCount: rng.int(0, 200_000),
          groupType: 'ROOT',
          isStar: null,
          model: {
            cleaned: 0, commentCount: 0, deleted: 0, description: '',
            downloadedCount: Math.floor(downloads / 5), favoriteCount: rng.int(0, 50),
            gmtCreate: createdTime * 1000, gmtModified: gmtModifiedMs,
            id: 60_000 + index, imageGenerateCount: rng.int(0, 100_000), imageId: null,
            modelName: id, modelType: isLora ? 'LoRA' : 'Checkpoint',
            operatorEmpId: String(rng.int(100_000, 2_000_000)), operatorName: owner,
            showName: chineseName || name, stableDiffusionVersion: vision, tags: null, versionCount: 1,
          },
          tags: null,
          uploaderName: 'Muse官方团队',
          versions: [
            {
              coverImages: covers.map((c, k) => ({ csiJobStatus: null, id: 17_000_000 + index * 10 + k, url: coverUrl(c) })),
              id: 400_000 + index,
              inferenceCompanionVersionInfo: null,
              modelId: 60_000 + index,
              modelName: null, modelShowName: null, modelType: null,
              modelVersion: {
                format: 'safetensors', gmtCreate: createdTime * 1000, gmtModified: gmtModifiedMs, id: 400_000 + index,
                modelUrl: `modelscope://${id}?revision=v1`, openlmUrl: `modelscope://${id}?revision=v1`, sourceUrl: `modelscope://${id}?revision=v1`,
                ossUrl: '', showName: 'v1', stableDiffusionVersion: vision,
                stats: JSON.stringify({ fileList: [fileName], fileSizes: [fileSize], totalSize: fileSize }),
                triggerWords: JSON.stringify(trigger ? [trigger] : []),
                versionName: 'v1', versionOrder: 1,
              },
              stableDiffusionVersion: vision,
              stats: { fileList: [fileName], fileSizes: [fileSize], totalSize: fileSize },
            },
          ],
        }
      : null;
    const taskObject = { ChineseName: task.chineseName, Description: '', DomainName: 'multi-modal', Id: task.id, IsLeaf: true, Level: 1, Name: task.name, ParentId: -1 };
    const item = {
      AigcAttributes: aigcAttributes,
      AigcIsTop: 0,
      AigcType: aigc ? (isLora ? 'LoRA' : 'Checkpoint') : '',
      AlreadyStar: false,
      Architectures: [],
      Avatar: `${origin}${avatar.path}`,
      BackendSupport: { architectures: null, backend_info: { deploy_task: null, lmdeploy: null, vllm: null }, model_id: aigc && rng.chance(0.5) ? id : '' },
      BaseModel: [baseModel],
      BaseModelRelation: isLora ? 'adapter' : 'finetune',
      ChineseName: chineseName,
      // Empty in every item of the real sample; plain repository LoRAs here list their cover as a bare URL
      // string (an invented shape: the contract does not know what fills this array).
      CoverImages: aigc ? [] : covers.map(coverUrl),
      CreatedBy: owner,
      CreatedTime: createdTime,
      Description: '',
      Downloads: downloads,
      Frameworks: ['Pytorch'],
      FromSite: 'maas',
      Id: 500_000 + index,
      IsAccessible: 1,
      IsPublished: 1,
      LastUpdatedTime: lastUpdatedTime,
      Libraries: isLora ? ['pytorch', 'lora', 'safetensors'] : ['pytorch', 'safetensors'],
      License: rng.pick(LICENSES),
      ModelDetail: {},
      ModelInfos: { safetensor: { chat_template: '', files: [{ name: fileName, sha256, size: fileSize }], model_size: Math.floor(fileSize / 2), tensor_type: ['BF16'] } },
      MuseInfo: museInfo,
      Name: name,
      NickName: rng.chance(0.5) ? `${style[0]}工作室` : owner,
      OfficialTags: aigc ? tags.map((t) => ({ ...t, SvgContent: t.Tag.replace(/-/g, '') })) : [],
      Organization: organization,
      Path: owner,
      ReadMeContent: '',
      Revision: 'master',
      Stars: stars,
      SupportApiInference: false,
      SupportExperience: aigc ? 1 : 0,
      SupportInference: aigc && task.name === 'text-to-image-synthesis' ? 'txt2img' : '',
      Tags: isLora ? ['LoRA'] : ['Checkpoint'],
      Tasks: [taskObject],
      TriggerWords: trigger ? [trigger] : rng.chance(0.5) ? null : [],
      Visibility: rng.chance(0.95) ? 5 : 1,
      VisionFoundation: rng.chance(0.9) ? vision : '',
      widgets: [],
    };
    const text = JSON.stringify(item);
    return {
      id,
      index,
      task: task.name,
      isLora,
      downloads,
      stars,
      lastUpdatedTime,
      cover: covers[0] ?? null,
      covers,
      name,
      chineseName,
      tags: [...item.Tags, ...item.Libraries].map((t) => t.toLowerCase()),
      item: (at = '') => JSON.parse(text.replaceAll(ORIGIN, at)) as Record<string, unknown>,
    };
  }
}
