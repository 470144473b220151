// A deterministic synthetic Civitai: creators, models (checkpoints and LoRAs) with versions, and images
// posted under those versions or on their own, with NSFW levels, generation parameters in the several
// `meta` shapes seen upstream, shared content and shared URLs. A pure function of the seed (rng.ts);
// image bytes are drawn lazily by the Liblib fake's images.ts from the `content` described here.
import type { ImageContent, ImageFormat } from '../liblib/catalogue.ts';
import { makeRng, type Rng } from '../liblib/rng.ts';

/** 2025-08-22T04:00Z, as the Liblib fake. */
const DEFAULT_NOW = Date.UTC(2025, 7, 22, 4, 0, 0);
const DAY_MS = 86_400_000;
/** The path prefix of image.civitai.com URLs (a fixed account key upstream). */
export const IMAGE_PATH_PREFIX = '/xG1nkqKTMzGDvpLrqFT7WA';

type MetaShape = 'a1111-2023' | 'civitai-2024' | 'comfy' | 'sparse' | 'none';
type BrowsingLevel = 1 | 2 | 4 | 8 | 16;

export interface FakeCreator {
  userId: number;
  username: string;
  /** Path of the avatar on this server. */
  imagePath: string;
}

export interface FakeVersion {
  id: number;
  modelId: number;
  name: string;
  baseModel: string;
  trainedWords: string[];
  createdAt: number;
  fileName: string;
  sizeKB: number;
  /** Uppercase hex as Civitai sends it; null while Civitai has not hashed the file (the Liblib twins). */
  sha256: string | null;
  /** `stats.downloadCount` and `stats.thumbsUpCount` (absent in the 2023 shape, served for odd model ids). */
  downloads: number;
  likes: number;
  /** Ids of the images posted under this version. */
  imageIds: number[];
}

export interface FakeModel {
  id: number;
  name: string;
  /** Upstream ModelType. */
  type: 'Checkpoint' | 'LORA' | 'LoCon';
  creator: FakeCreator;
  nsfw: boolean;
  tags: string[];
  createdAt: number;
  /** `stats.downloadCount`, and `thumbsUpCount` (2026) or `favoriteCount` (2023 shape, odd ids). */
  downloads: number;
  likes: number;
  versions: FakeVersion[];
}

interface FakeResource {
  versionId: number;
  type: 'checkpoint' | 'lora';
  weight: number | null;
}

export interface FakeCivitaiImage {
  id: number;
  /** URL path on this server, `/xG1nkqKTMzGDvpLrqFT7WA/<uuid>/original=true/<id>.<ext>` (the extension may lie). */
  path: string;
  content: ImageContent;
  type: 'image' | 'video';
  postId: number;
  creator: FakeCreator;
  createdAt: number;
  browsingLevel: BrowsingLevel;
  /** The version it was posted under (null: posted on its own). */
  versionId: number | null;
  modelId: number | null;
  resources: FakeResource[];
  metaShape: MetaShape;
  /** The `meta` object served with `withMeta=true` (bigint seeds are written as bare JSON numbers). */
  meta: Record<string, unknown> | null;
  stats: { likeCount: number; heartCount: number; laughCount: number; cryCount: number; dislikeCount: number; commentCount: number };
  baseModel: string;
  /** Returned whatever NSFW level was asked for (the API may return more than asked). */
  leaks: boolean;
  /** Same bytes as this earlier image (at another URL, or at the same URL when `sharedUrl`). */
  sharedFrom: number | null;
  sharedUrl: boolean;
}

export interface CivitaiCatalogueOptions {
  seed?: number | string;
  creators?: number;
  models?: number;
  /** Images posted without a model version. */
  standaloneImages?: number;
  now?: number;
  /** Share of images returned whatever the NSFW filter (default 0.06). */
  leakRate?: number;
  /** Add the Liblib twins (LIBLIB_TWINS; default true). */
  twins?: boolean;
  /** Draw the images (default true); false gives the models alone, as seeded (what another fake needs of them). */
  images?: boolean;
}

const USERNAMES = [
  'NeonDrifter', 'pixelmancer', '墨染青衣', 'ドット職人', 'chrome_kid', '山海经画师', 'LunaForge', 'retro.wave',
  '../sneaky', 'x'.repeat(140), 'Ana Lucía', '夜行列车',
];
const MODEL_NAMES = [
  'DreamShaper XL', '国风插画 GuoFeng', 'Real Vision 写实', 'Cyber Car 赛博跑车', 'Ink Landscape 水墨山水', 'Neon City',
  'Pixel Art XL', 'Anime Lineart 线稿', 'Mecha/Robot: Gundam-ish', 'Film Grain 胶片',
];
const BASE_MODELS = ['SD 1.5', 'SDXL 1.0', 'Flux.1 D', 'Pony'];
/**
 * Checkpoints cross-posted from the Liblib fake under the same name and base model (Liblib's baseType 3 is
 * SDXL, 1 is SD 1.5), whose files Civitai has not hashed yet (`hashes: {}`): the catalogue can only link them
 * to their Liblib twins by name and base model (the weaker link). Their images are the newest, so a short
 * crawl (the demo's) sees them. [name, version, base model]
 */
const LIBLIB_TWINS: ReadonlyArray<readonly [string, string, string]> = [
  ['RealVisXL', 'V4.0', 'SDXL 1.0'],
  ['ChilloutMix', 'fp16', 'SD 1.5'],
  ['majicMIX realistic 麦橘写实', 'v7', 'SD 1.5'],
];
const SAMPLERS = ['Euler a', 'DPM++ 2M Karras', 'DPM++ SDE Karras', 'Euler', 'UniPC', 'dpmpp_2m'];
const SUBJECTS = ['赛博朋克风格的未来跑车', 'a lone samurai under cherry blossoms', '水墨山水，远山与孤舟', 'neon city street at night, rain', '古风少女，汉服，柔和光线', 'retro robot in a flower field'];
const STYLES = ['masterpiece, best quality', '超高清, 8k', 'cinematic lighting', 'film grain, 35mm', 'highly detailed, intricate'];
const NEGATIVES = ['lowres, bad anatomy, watermark', 'blurry, jpeg artifacts, (worst quality:1.4)', '模糊，低质量，水印', ''];

function uuidOf(rng: Rng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`;
}

const LEVELS: ReadonlyArray<readonly [BrowsingLevel, number]> = [[1, 50], [2, 22], [4, 14], [8, 9], [16, 5]];
const SHAPES: ReadonlyArray<readonly [MetaShape, number]> = [['a1111-2023', 30], ['civitai-2024', 35], ['comfy', 12], ['sparse', 10], ['none', 13]];
const FORMATS: ReadonlyArray<readonly [ImageFormat, number]> = [['png', 50], ['jpeg', 35], ['webp', 15]];
const EXT: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpeg', webp: 'webp', gif: 'gif' };

export class CivitaiCatalogue {
  readonly creators: FakeCreator[] = [];
  readonly models: FakeModel[] = [];
  readonly images: FakeCivitaiImage[] = [];
  readonly now: number;
  readonly #byId = new Map<number, FakeCivitaiImage>();
  readonly #byPath = new Map<string, FakeCivitaiImage>();
  readonly #versions = new Map<number, FakeVersion>();

  constructor(options: CivitaiCatalogueOptions = {}) {
    const seed = options.seed ?? 1;
    this.now = options.now ?? DEFAULT_NOW;
    const rng = makeRng('civitai', seed);
    const leakRate = options.leakRate ?? 0.06;
    const creatorCount = Math.max(1, options.creators ?? 10);
    for (let i = 0; i < creatorCount; i++) {
      const username = i < USERNAMES.length ? USERNAMES[i]! : `creator${i}`;
      this.creators.push({ userId: 1000 + i, username, imagePath: `${IMAGE_PATH_PREFIX}/avatar-${i}/width=96/avatar.jpeg` });
    }
    const modelCount = options.models ?? 8;
    let versionId = 100_000;
    for (let m = 0; m < modelCount; m++) {
      const id = 4000 + m * 7;
      const type = m < Math.ceil(modelCount / 3) ? 'Checkpoint' : m % 4 === 3 ? 'LoCon' : 'LORA';
      const baseModel = rng.pick(BASE_MODELS);
      const model: FakeModel = {
        id,
        name: m < MODEL_NAMES.length ? MODEL_NAMES[m]! : `Model ${m}`,
        type,
        creator: rng.pick(this.creators),
        nsfw: rng.chance(0.2),
        tags: rng.sample(['car', 'landscape', 'anime', 'style', 'concept', '国风', 'photorealistic'], rng.int(1, 3)),
        createdAt: this.now - rng.int(60, 400) * DAY_MS,
        // Counts derived from the id, not drawn, so the seeded stream stays as it was.
        downloads: id * 3,
        likes: id % 500,
        versions: [],
      };
      const versionCount = rng.int(1, 3);
      for (let v = 0; v < versionCount; v++) {
        versionId += rng.int(1, 40);
        const version: FakeVersion = {
          id: versionId,
          modelId: id,
          name: `v${v + 1}.${rng.int(0, 9)}`,
          baseModel,
          trainedWords: type === 'Checkpoint' ? [] : [`${model.name.split(' ')[0]!.toLowerCase()}_style`],
          createdAt: model.createdAt + v * 20 * DAY_MS,
          fileName: `${model.name.replace(/[^A-Za-z0-9]+/g, '_')}_v${v + 1}.safetensors`,
          sizeKB: type === 'Checkpoint' ? rng.int(2_000_000, 6_800_000) : rng.int(18_000, 220_000),
          sha256: rng.hex(64).toUpperCase(),
          downloads: 0,
          likes: versionId % 700,
          imageIds: [],
        };
        version.downloads = version.sizeKB % 9000;
        model.versions.push(version);
        this.#versions.set(version.id, version);
      }
      this.models.push(model);
    }
    const checkpoints = this.models.filter((m) => m.type === 'Checkpoint').flatMap((m) => m.versions);
    const loras = this.models.filter((m) => m.type !== 'Checkpoint').flatMap((m) => m.versions);

    let imageId = 70_000;
    let postId = 9_000;
    /** `twin`: an image of a Liblib twin, drawn from its own stream, newest of all, with civitaiResources. */
    const addImage = (version: FakeVersion | null, rng: Rng, twin = false) => {
      imageId += rng.int(1, 25);
      if (rng.chance(0.4)) postId += 1;
      const id = imageId;
      const creator = rng.pick(this.creators);
      const resources: FakeResource[] = [];
      const checkpoint = version && this.#modelOf(version).type === 'Checkpoint' ? version : checkpoints.length > 0 ? rng.pick(checkpoints) : null;
      if (checkpoint) resources.push({ versionId: checkpoint.id, type: 'checkpoint', weight: null });
      if (version && version !== checkpoint) resources.push({ versionId: version.id, type: 'lora', weight: Math.round(rng.int(4, 10)) / 10 });
      for (const lora of rng.sample(loras, rng.int(0, 2))) {
        if (!resources.some((r) => r.versionId === lora.id)) resources.push({ versionId: lora.id, type: 'lora', weight: rng.int(3, 10) / 10 });
      }
      const format = rng.weighted(FORMATS);
      const width = rng.int(8, 24) * 8;
      const height = rng.int(8, 24) * 8;
      const video = rng.chance(0.03);
      const previous = this.images.filter((image) => image.type === 'image');
      const shareContent = !video && previous.length > 5 && rng.chance(0.04);
      const shareUrl = !video && !shareContent && previous.length > 5 && rng.chance(0.02);
      const source = shareContent || shareUrl ? rng.pick(previous) : null;
      const uuid = uuidOf(rng);
      const lie = rng.chance(0.1);
      const ext = video ? 'mp4' : lie ? rng.pick(['jpeg', 'png', 'webp'].filter((e) => e !== EXT[format])) : EXT[format];
      const content: ImageContent = source
        ? source.content
        : { key: `civitai-${id}`, format, width, height, style: rng.pick(['car', 'scene', 'model'] as const), parameters: null };
      const createdAt = twin ? this.now - rng.int(2, 48) * 3_600_000 : (version?.createdAt ?? this.now - 120 * DAY_MS) + rng.int(0, 90) * DAY_MS + rng.int(0, DAY_MS - 1);
      const shape = twin ? 'civitai-2024' : rng.weighted(SHAPES);
      const image: FakeCivitaiImage = {
        id,
        path: shareUrl && source ? source.path : `${IMAGE_PATH_PREFIX}/${uuid}/original=true/${id}.${ext}`,
        content,
        type: video ? 'video' : 'image',
        postId,
        creator,
        createdAt: Math.min(createdAt, this.now - rng.int(1, 3600) * 1000),
        browsingLevel: twin ? 1 : rng.weighted(LEVELS),
        versionId: version?.id ?? null,
        modelId: version?.modelId ?? null,
        resources,
        metaShape: shape,
        meta: null,
        stats: {
          likeCount: rng.int(0, 400), heartCount: rng.int(0, 200), laughCount: rng.int(0, 20),
          cryCount: rng.int(0, 10), dislikeCount: rng.int(0, 5), commentCount: rng.int(0, 30),
        },
        baseModel: checkpoint ? this.#versions.get(checkpoint.id)!.baseModel : rng.pick(BASE_MODELS),
        leaks: !twin && rng.chance(leakRate),
        sharedFrom: source?.id ?? null,
        sharedUrl: shareUrl,
      };
      image.meta = this.#meta(rng, image, source ? { width: source.content.width, height: source.content.height } : { width, height });
      version?.imageIds.push(id);
      this.images.push(image);
      this.#byId.set(id, image);
      if (!this.#byPath.has(image.path)) this.#byPath.set(image.path, image);
    };
    if (options.images === false) return;
    for (const model of this.models) for (const version of model.versions) for (let k = rng.int(4, 14); k > 0; k--) addImage(version, rng);
    for (let k = options.standaloneImages ?? 24; k > 0; k--) addImage(null, rng);
    if (options.twins !== false) this.#addTwins(makeRng('civitai-twins', seed), versionId, (version, twinRng) => addImage(version, twinRng, true));
  }

  /** The Liblib twins (LIBLIB_TWINS) and three images of each, after everything else (their own stream). */
  #addTwins(rng: Rng, lastVersionId: number, addImage: (version: FakeVersion, rng: Rng) => void): void {
    let versionId = lastVersionId;
    LIBLIB_TWINS.forEach(([name, versionName, baseModel], i) => {
      const id = 4000 + (this.models.length + i) * 7;
      versionId += rng.int(1, 40);
      const createdAt = this.now - rng.int(60, 400) * DAY_MS;
      const version: FakeVersion = {
        id: versionId, modelId: id, name: versionName, baseModel, trainedWords: [], createdAt,
        fileName: `${name.replace(/[^A-Za-z0-9]+/g, '_')}_${versionName}.safetensors`, sizeKB: rng.int(2_000_000, 6_800_000), sha256: null,
        downloads: 0, likes: versionId % 700, imageIds: [],
      };
      version.downloads = version.sizeKB % 9000;
      const model: FakeModel = {
        id, name, type: 'Checkpoint', creator: rng.pick(this.creators), nsfw: false, tags: ['photorealistic'], createdAt,
        downloads: id * 3, likes: id % 500, versions: [version],
      };
      this.models.push(model);
      this.#versions.set(version.id, version);
    });
    for (const model of this.models.slice(-LIBLIB_TWINS.length)) for (let k = 0; k < 3; k++) addImage(model.versions[0]!, rng);
  }

  #modelOf(version: FakeVersion): FakeModel {
    return this.models.find((m) => m.id === version.modelId)!;
  }

  #meta(rng: Rng, image: FakeCivitaiImage, size: { width: number; height: number }): Record<string, unknown> | null {
    if (image.metaShape === 'none') return null;
    const prompt = `${rng.pick(SUBJECTS)}, ${rng.sample(STYLES, rng.int(1, 3)).join(', ')}`;
    const negativePrompt = rng.pick(NEGATIVES);
    const seed: number | bigint = rng.chance(0.1) ? 9_007_199_254_740_993n + BigInt(rng.int(0, 1_000_000)) * 7919n : rng.int(1, 4_294_967_295);
    const steps = rng.pick([20, 25, 28, 30, 40]);
    const cfgScale = rng.pick([3.5, 5, 6, 7, 7.5]);
    const sampler = rng.pick(SAMPLERS);
    const Size = `${size.width * 8}x${size.height * 8}`;
    const checkpoint = image.resources.find((r) => r.type === 'checkpoint');
    const checkpointModel = checkpoint ? this.models.find((m) => m.versions.some((v) => v.id === checkpoint.versionId)) : undefined;
    switch (image.metaShape) {
      case 'a1111-2023':
        return {
          Size, seed, Model: checkpointModel?.name.replace(/[^A-Za-z0-9]+/g, '_') ?? 'unknown', steps, prompt, sampler, cfgScale,
          'Clip skip': String(rng.int(1, 2)), 'Hires upscale': '2', 'Hires upscaler': 'Latent', negativePrompt,
          'Denoising strength': String(rng.pick([0.3, 0.45, 0.55])), 'Model hash': this.#autoV2(checkpoint?.versionId ?? null, rng.hex(10)),
        };
      case 'civitai-2024':
        return {
          Size, seed, steps, prompt, sampler, cfgScale, clipSkip: rng.int(1, 2),
          resources: image.resources.map((r) => {
            const hash = this.#autoV2(r.versionId, rng.hex(10));
            return { name: this.#versionLabel(r.versionId), type: r.type, ...(hash === null ? {} : { hash }), ...(r.weight === null ? {} : { weight: r.weight }) };
          }),
          negativePrompt,
          civitaiResources: image.resources.map((r) => ({ type: r.type, ...(r.weight === null ? {} : { weight: r.weight }), modelVersionId: r.versionId })),
        };
      case 'comfy':
        // ComfyUI uploads: numbers as strings, a workflow blob, a different sampler vocabulary.
        return {
          prompt, negativePrompt, steps: String(steps), cfgScale: String(cfgScale), seed: String(seed), sampler: 'dpmpp_2m', scheduler: 'karras',
          width: size.width * 8, height: size.height * 8, comfy: JSON.stringify({ prompt: { '3': { class_type: 'KSampler' } } }),
        };
      default:
        return { prompt };
    }
  }

  /**
   * A1111's short hash of a version's file: the first 10 hex of its SHA-256, as real infotexts carry (what
   * links an image's resource to the model by hash). `drawn` is the random value the stream drew here
   * before hashes were real, still drawn so the seeded catalogue stays the same. null for a file Civitai has
   * not hashed (a Liblib twin's).
   */
  #autoV2(versionId: number | null, drawn: string): string | null {
    const version = versionId !== null ? this.#versions.get(versionId) : undefined;
    return version ? (version.sha256?.slice(0, 10) ?? null) : drawn;
  }

  #versionLabel(versionId: number): string {
    const version = this.#versions.get(versionId)!;
    return `${this.#modelOf(version).name} ${version.name}`;
  }

  image(id: number): FakeCivitaiImage | undefined {
    return this.#byId.get(id);
  }

  /** The image whose bytes a URL path serves (shared URLs serve the first image's bytes). */
  imageByPath(path: string): FakeCivitaiImage | undefined {
    return this.#byPath.get(path);
  }

  model(id: number): FakeModel | undefined {
    return this.models.find((m) => m.id === id);
  }

  version(id: number): FakeVersion | undefined {
    return this.#versions.get(id);
  }

  modelOfVersion(version: FakeVersion): FakeModel {
    return this.#modelOf(version);
  }
}
