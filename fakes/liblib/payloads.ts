// The JSON payloads the fake returns, shaped after docs/upstream.md §3 (drawn from real 2025-08 samples).
// int64 ids are bigint here and become bare JSON numbers via stringifyJson (json.ts).
// URLs are absolute on the fake's own origin (it serves both the API and the image hosts).

import { FAKE_VIDEO_SECONDS, formatLiblibTime as iso, isVideoWork, VIDEO_MEDIA_TYPE, videoPath, type Catalogue, type FakeComment, type FakeImage, type FakeModel, type FakeUser, type FakeWork } from './catalogue.ts';
import { makeRng } from './rng.ts';

export type Json = null | boolean | number | bigint | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The Liblib envelope: `{code, msg, data}`; code 0 = success. */
export function envelope(data: Json, code = 0, msg: string | null = null): JsonObject {
  return { code, msg, data };
}

/** Business error codes the fake uses in the envelope (HTTP status stays 200). Invented: no sample shows one. */
export const LIBLIB_CODES = {
  ok: 0,
  workNotFound: 10001,
  userNotFound: 10002,
  imageNotFound: 10003,
  busy: -1,
} as const;

export const LIBLIB_MESSAGES = {
  workNotFound: '作品不存在或已被删除',
  userNotFound: '用户不存在',
  imageNotFound: '图片不存在',
  busy: '系统繁忙，请稍后再试',
} as const;

function modelRef(origin: string, work: FakeWork, image: FakeImage, model: FakeModel, refIndex: number, weight: number | null): JsonObject {
  return {
    id: 25_000_000 + work.index * 64 + image.sort * 8 + refIndex,
    imageBatchId: work.id,
    imageId: image.id,
    modelId: model.modelId,
    modelUuid: model.modelUuid,
    modelName: model.modelName,
    versionId: model.versionId,
    versionUuid: model.versionUuid,
    createByTeam: null,
    versionName: model.versionName,
    modelType: model.modelType,
    modelTypeLable: model.modelTypeLable,
    imageUrl: origin + model.imagePath,
    imageThumbnail: null,
    vipUsed: model.vipUsed,
    baseType: model.baseType,
    refType: 0,
    weight,
    triggerWord: model.triggerWord,
  };
}

/** The `metainformation` JSON string: A1111 keys (all string values) plus Liblib's own extras. */
function metainformation(work: FakeWork, image: FakeImage): string {
  const g = work.gen;
  const rng = makeRng('meta', image.uuid);
  const m: Record<string, unknown> = {
    prompt: g.prompt,
    'Negative prompt': g.negativePrompt,
    Steps: String(g.steps),
    Sampler: g.sampler,
    'CFG scale': String(g.cfgScale),
    Seed: image.seed,
    Size: `${g.width}x${g.height}`,
    'Model hash': g.checkpoint.hash,
    Model: g.checkpoint.fileName,
  };
  if (g.denoisingStrength != null) m['Denoising strength'] = String(g.denoisingStrength);
  if (g.clipSkip !== 1) m['Clip skip'] = String(g.clipSkip);
  if (rng.chance(0.5)) m.RNG = 'CPU';
  g.loras.forEach((l, i) => {
    m[`Lora ${i + 1}`] = l.model.modelName;
    m[`Lora Hash ${i + 1}`] = l.model.hash;
    m[`Lora Weight ${i + 1}`] = String(l.weight);
  });
  m.vae_name = 'automatic';
  m.AIGC = {
    ContentProducer: '91110105MACJ6K1C8ABJJDXY',
    ContentPropagator: '91110105MACJ6K1C8ABJJDXY',
    Label: '1',
    ProduceID: image.contentId,
    PropagateID: `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-b${rng.hex(3)}-${rng.hex(12)}`,
    ReservedCode1: '',
    ReservedCode2: '',
  };
  m['Hash collection'] = [g.checkpoint.hash, ...g.loras.map((l) => l.model.hash)];
  // Liblib's camelCase copies, as in the real samples: note `seed: -1` here too; the real seed is "Seed".
  m.negativePrompt = g.negativePrompt;
  m.samplingMethod = g.sampler;
  m.samplingStep = g.steps;
  m.cfgScale = g.cfgScale;
  m.seed = -1;
  m.contentId = image.contentId;
  m.createByTeam = false;
  return JSON.stringify(m);
}

/** The `pngInfo` JSON string: the generator request (null for uploaded works, imageSource 0). */
function pngInfo(work: FakeWork, image: FakeImage): string | null {
  const g = work.gen;
  if (g.imageSource === 0) return null;
  const rng = makeRng('pnginfo', image.uuid);
  const params = {
    prompt: g.prompt,
    negativePrompt: g.negativePrompt,
    samplingMethod: g.samplerId,
    samplingStep: g.steps,
    restoreFaces: 0,
    tiling: 0,
    width: g.width,
    height: g.height,
    batchCount: 1,
    batchSize: 1,
    imgCount: work.images.length,
    cfgScale: g.cfgScale,
    seed: -1,
    seedExtra: 0,
    clipSkip: g.clipSkip,
    hiResFix: 0,
    denoisingStrength: g.denoisingStrength,
  };
  return JSON.stringify({
    styleUuid: null,
    mode: 0,
    isDefault: 0,
    source: 0,
    requestId: rng.hex(32),
    generateType: g.tabType === 'img2img' ? 22 : 21,
    checkpointId: g.checkpoint.versionId,
    vae: null,
    taskQueuePriority: 2,
    promptMagic: 0,
    promptTranslate: rng.chance(0.5) ? 1 : 0,
    frontCustomerReq: {
      frontId: `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-8${rng.hex(3)}-${rng.hex(12)}`,
      windowId: '',
      tabType: g.tabType,
      conAndSegAndGen: 'gen',
    },
    checkPointName: g.checkpoint.fileName,
    checkPointHash: g.checkpoint.hash,
    checkPointModelId: null,
    controlNet: [],
    additionalNetwork: g.loras.map((l) => ({
      modelId: l.model.versionId,
      modelName: l.model.modelName,
      modelVersionName: l.model.versionName,
      type: 0,
      weight: l.weight,
      triggerWord: l.model.triggerWord ?? '',
      baseType: l.model.baseType,
    })),
    userId: work.author.userId,
    bizType: 1,
    baseType: g.checkpoint.baseType,
    generateId: 330_000_000 + work.index * 8 + image.sort,
    text2img: g.tabType === 'txt2img' ? params : null,
    img2img: g.tabType === 'img2img' ? { ...params, resizeMode: 0, resizeWidth: g.width, resizeHeight: g.height } : null,
  });
}

function generateInfo(origin: string, work: FakeWork, image: FakeImage): JsonObject | null {
  const g = work.gen;
  if (g.hidden) return null;
  const t = iso(work.createTime);
  return {
    id: image.generateInfoId,
    imageId: image.id,
    prompt: g.prompt,
    negativePrompt: g.negativePrompt,
    promptCn: null,
    originalModelName: '',
    metainformation: metainformation(work, image),
    negativePromptCn: null,
    samplingMethod: g.sampler,
    samplingStep: g.steps,
    cfgScale: g.cfgScale,
    seed: -1,
    pngInfo: pngInfo(work, image),
    createBy: 0,
    createTime: t,
    updateBy: 0,
    updateTime: t,
    deleteFlag: 0,
    modelNames: null,
    generateId: null,
    outputId: null,
    models: null,
    v2Models: null,
    v2MixModels: null,
    generateInfo: null,
    contentId: image.contentId,
    controlNet:
      g.tabType === 'img2img'
        ? [
            {
              name: '整体参考（i2i）',
              // Liblib's temporary-upload host: these expire, and the fake answers 404 for them.
              sourceImageUrl: `${origin}/tmp-img/img/${work.author.uuid}/${image.uuid}.png`,
              sourceImageId: `img/${work.author.uuid}/${image.uuid}.png`,
              controlWeight: g.denoisingStrength,
            },
          ]
        : [],
    referenceImages: [],
    recurrentEnabled: null,
    imageSource: null,
    createByTeam: null,
  };
}

function detailImage(origin: string, work: FakeWork, image: FakeImage): JsonObject {
  const g = work.gen;
  const t = iso(work.createTime);
  const models = [modelRef(origin, work, image, g.checkpoint, 0, null), ...g.loras.map((l, i) => modelRef(origin, work, image, l.model, i + 1, l.weight))];
  return {
    batchId: work.id,
    id: image.id,
    uuid: image.uuid,
    showType: 1,
    teamId: 0,
    coverUuid: null,
    modelId: work.mainModelId,
    sort: image.sort,
    modelVersionId: 0,
    mixModel: '',
    title: null,
    imageUrl: origin + image.wmPath,
    originalImageUrl: origin + image.path,
    imageThumbnail: null,
    watermarkImageUrl: origin + image.wmPath,
    // A dead image stays dead: no clip, only its (missing) picture URLs.
    videoUrl: isVideoWork(work) && !image.dead ? origin + videoPath(image) : '',
    flowUrl: '',
    origImageDownLimit: work.origImageDownLimit,
    height: image.height,
    width: image.width,
    originalName: image.originalName,
    status: 1,
    auditStatus: null,
    remark: null,
    hideGenerateInfo: g.hidden ? 1 : 0,
    createBy: work.author.userId,
    createTime: t,
    updateBy: work.author.userId,
    updateTime: t,
    deleteFlag: 0,
    generateInfo: generateInfo(origin, work, image),
    versionUuid: null,
    modelUuid: null,
    outputId: 0,
    generateId: 0,
    comparisonGroupCode: '',
    comparisonWeight: '',
    imageControlInfo: null,
    models,
    mixModels: models,
    userName: null,
    userAvatar: null,
    imageSource: g.imageSource,
    recurrentEnabled: g.imageSource === 1,
    showGenerateParamEnabled: !g.hidden,
    isXingliu: 0,
    appRecurrentEnabled: 0,
    duration: isVideoWork(work) ? FAKE_VIDEO_SECONDS : null,
    aiWatermarkUrl: null,
  };
}

/** `data` of POST /api/www/img/group/get/{uuid}. */
export function detailData(origin: string, work: FakeWork): JsonObject {
  const cover = work.images[0] as FakeImage;
  const images = work.images.map((img) => detailImage(origin, work, img));
  return {
    id: work.id,
    uuid: work.uuid,
    showType: 1,
    teamId: 0,
    libId: 0,
    modelId: work.mainModelId,
    modelVersionId: 0,
    userId: work.author.userId,
    batchType: 3,
    mediaType: isVideoWork(work) ? VIDEO_MEDIA_TYPE : 1,
    modelUuid: null,
    title: work.title,
    coverId: cover.id,
    coverUuid: null,
    auditStatus: 1,
    auditTime: iso(work.auditTime),
    hideGenerateInfo: work.gen.hidden ? 1 : 0,
    remark: '',
    createBy: work.author.userId,
    createTime: iso(work.createTime),
    updateBy: 0,
    updateTime: iso(work.updateTime),
    deleteFlag: 0,
    images,
    imagesV2: images.map((img) => [img]),
    coverUrl: origin + cover.path,
    mixModel: null,
    tags: work.tags.map((t) => ({
      id: t.id,
      tagLabel: t.label,
      parentTag: 0,
      tagType: 2,
      tagStatus: 1,
      tagOrder: t.tagOrder,
      createBy: 0,
      createTime: null,
      updateBy: 0,
      updateTime: null,
      deleteFlag: 0,
    })),
    downloadEnabled: null,
    counter: {
      uploadCount: null,
      followerCount: null,
      followCount: null,
      likeCount: work.likeCount,
      picLikeCount: null,
      modelLikeCount: null,
      downloadCount: null,
      commentCount: work.comments.length,
      imageCount: null,
      subscribeCount: null,
      hitCount: work.hitCount,
      runCount: null,
      heat: null,
      useCount: null,
      modelUseCount: null,
      imageUseCount: null,
      imageDownCount: null,
      imageRunCount: null,
      isFollow: null,
      isLike: null,
    },
  };
}

/** One item of `data.data` in POST /api/www/img/group/search. `position` is 1-based in the feed. */
export function listItem(origin: string, work: FakeWork, position: number): JsonObject {
  const cover = work.images[0] as FakeImage;
  const nullCounts = work.listCountsNull;
  return {
    batchType: 3,
    mediaType: isVideoWork(work) ? VIDEO_MEDIA_TYPE : 1,
    title: work.title,
    coverId: cover.id,
    auditTime: iso(work.auditTime),
    hideGenerateInfo: work.gen.hidden ? 1 : 0,
    sort: 99,
    active: 0,
    createBy: work.author.userId,
    createTime: iso(work.createTime),
    updateBy: 0,
    updateTime: iso(work.updateTime),
    uuid: work.uuid,
    userUuid: work.author.uuid,
    nickname: work.author.nickname,
    avatar: origin + work.author.avatarPath,
    imageUuid: cover.uuid,
    modelId: work.mainModelId,
    modelName: '',
    imageUrl: origin + work.listCoverPath,
    videoUrl: isVideoWork(work) && !cover.dead ? origin + videoPath(cover) : '',
    originalName: '',
    width: cover.width,
    height: cover.height,
    modelUuid: '',
    tagsId: work.tags.map((t) => t.id),
    tagsLabel: work.tags.map((t) => t.label).join('，'),
    likeCount: nullCounts ? null : work.likeCount,
    isLike: null,
    commentCount: nullCounts ? null : work.comments.length,
    hitCount: nullCounts ? null : work.hitCount,
    isActivity: null,
    landingPage: null,
    auditStatus: null,
    isTop: null,
    recommendOtherRes: {
      item_id: work.id,
      item_uuid: work.uuid,
      version_uuid: null,
      item_type: '2',
      sign: work.recommendSign,
      score: work.hotScore,
      sort: position,
      item_info: null,
    },
    imageSource: work.gen.imageSource,
    recurrentEnabled: work.gen.imageSource === 1,
  };
}

/** `data` of POST /api/www/img/author/{userUuid}. Invented shape (the contract has no real response). */
export function authorData(origin: string, catalogue: Catalogue, user: FakeUser): JsonObject {
  let workCount = 0;
  let likeCount = 0;
  for (const w of catalogue.works) {
    if (w.author === user) {
      workCount++;
      likeCount += w.likeCount;
    }
  }
  return {
    id: user.userId,
    uuid: user.uuid,
    nickname: user.nickname,
    avatar: origin + user.avatarPath,
    intro: user.intro,
    profileUrl: `${origin}/userpage/${user.uuid}/publish`,
    followerCount: user.followerCount,
    followCount: user.followCount,
    likeCount,
    workCount,
    vip: user.vip,
    createTime: iso(user.createTime),
  };
}

/** One item of `data.list` in POST /api/www/community/commentList. Invented shape. */
export function commentItem(origin: string, work: FakeWork, c: FakeComment): JsonObject {
  return {
    id: c.id,
    workId: work.id,
    workUuid: work.uuid,
    parentId: 0,
    content: c.content,
    createTime: iso(c.createTime),
    userId: c.user.userId,
    userUuid: c.user.uuid,
    nickname: c.user.nickname,
    avatar: origin + c.user.avatarPath,
    likeCount: c.likeCount,
    replyCount: 0,
    isLike: null,
  };
}
