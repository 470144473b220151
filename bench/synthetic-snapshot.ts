// A synthetic snapshot of realistic size for the site benchmarks: works built from the test fixtures'
// sampleWork with varied titles, Chinese/English prompts, several images with thumbnails, model refs and
// tags; one author per ~20 works (so user pages exist); a LoRA catalogue linked from the works.
// Deterministic (seeded), so two runs build the same site.
import sharp from 'sharp';
import { LocalBlobStore } from '../src/core/blob/local-blob-store.ts';
import { sampleLora, sampleWork, writeTestSnapshot } from '../src/core/snapshot/test-fixtures.ts';
import type { SnapshotLora, SnapshotWork } from '../src/core/snapshot/schema.ts';

/** Distinct images the works point at (media is shared between works: the benches measure pages, not storage). */
export const IMAGE_VARIANTS = 24;
const THUMB_WIDTH = 320;

const ZH = ['赛博朋克', '城市夜景', '超高清', '水墨画', '山水', '少女', '机甲', '古风', '汉服', '樱花', '电影感', '光影', '概念车', '未来都市', '霓虹灯', '雨夜', '猫咪', '森林', '雪山', '星空', '油画质感', '插画', '写实', '胶片', '仙侠', '龙', '宫殿', '海边', '日落', '花海'];
const EN = ['masterpiece', 'best quality', 'ultra detailed', 'cinematic lighting', 'cyberpunk city', 'neon lights', 'portrait', 'depth of field', '8k', 'concept art', 'trending on artstation', 'volumetric fog', 'a girl in hanfu', 'mecha', 'watercolor', 'studio ghibli style', 'sunset', 'bokeh', 'sharp focus', 'octane render'];
const CHECKPOINTS = ['SDXL 1.0', 'F.1 基础算法模型', 'Juggernaut XL', 'RealVisXL', 'majicMIX realistic', 'AWPainting'];
const TAGS = ['汽车交通', '人物', '风景', '动漫', '建筑', '动物', '科幻', '国风'];

/** mulberry32: a tiny seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function imageUrl(variant: number): string {
  return `/media/synthetic/full-${variant}.webp`;
}

export function thumbUrl(variant: number): string {
  return `/media/synthetic/thumbs/${THUMB_WIDTH}/${variant}.webp`;
}

/** `count` works, newest = highest n; about one in 20 shares an author. */
export function syntheticWorks(count: number, loraCount: number, seed = 7): SnapshotWork[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const authors = Math.max(1, Math.round(count / 20));
  const works: SnapshotWork[] = [];
  for (let n = 1; n <= count; n++) {
    const civitai = n % 5 === 0;
    const author = n % authors;
    const promptWords = Array.from({ length: 8 + Math.floor(random() * 14) }, () => (random() < 0.5 ? pick(ZH) : pick(EN)));
    const imageCount = 1 + Math.floor(random() * 4);
    const images = Array.from({ length: imageCount }, (_, index) => {
      const variant = (n + index) % IMAGE_VARIANTS;
      return { index, url: imageUrl(variant), thumbUrl: thumbUrl(variant), width: 768, height: 1024 };
    });
    const loraId = loraCount > 0 && random() < 0.6 ? String(1 + Math.floor(random() * loraCount)) : null;
    works.push(
      sampleWork(n, {
        ...(civitai ? { source: 'civitai' as const, id: `civitai-${n}`, externalId: String(n), sourceUrl: `https://civitai.com/images/${n}` } : {}),
        slug: `${pick(['cyberpunk', 'ink', 'portrait', 'landscape', 'mecha'])}-${n}`,
        title: `${pick(ZH)}${pick(ZH)} ${n}`,
        titleEn: random() < 0.5 ? `${pick(EN)} ${n}` : null,
        author: { id: `${civitai ? 'civitai' : 'liblib'}:a-${author}`, username: `${civitai ? 'civitai' : 'liblib'}-a-${author}`, name: `画师${author}`, avatarUrl: null },
        prompt: promptWords.join(', '),
        negativePrompt: random() < 0.7 ? 'lowres, bad anatomy, bad hands, text, error, missing fingers, 模糊, 低质量' : null,
        images,
        models: [
          { type: 'CHECKPOINT', name: pick(CHECKPOINTS), url: null, loraId: null },
          ...(loraId ? [{ type: 'LORA' as const, name: `示例 LoRA ${loraId}`, url: null, loraId }] : []),
        ],
        likeCount: Math.floor(random() * 500),
        favoriteCount: Math.floor(random() * 100),
        nsfwLevel: civitai && random() < 0.1 ? 'Mature' : 'None',
        tags: [pick(TAGS), pick(TAGS)].filter((t, i, all) => all.indexOf(t) === i),
      }),
    );
  }
  return works;
}

export function syntheticLoras(count: number, works: readonly SnapshotWork[]): SnapshotLora[] {
  const byLora = new Map<string, string[]>();
  for (const work of [...works].reverse()) {
    for (const model of work.models) {
      if (!model.loraId) continue;
      const list = byLora.get(model.loraId) ?? [];
      if (list.length < 24) list.push(work.id);
      byLora.set(model.loraId, list);
    }
  }
  return Array.from({ length: count }, (_, i) =>
    sampleLora(i + 1, {
      coverUrl: imageUrl(i % IMAGE_VARIANTS),
      coverThumbUrl: thumbUrl(i % IMAGE_VARIANTS),
      tagsCn: [TAGS[i % TAGS.length]!, '风格'],
      baseModels: [i % 2 ? 'SDXL' : 'FLUX.1'],
      task: i % 3 ? 'text-to-image-synthesis' : 'image-to-image',
      workIds: byLora.get(String(i + 1)) ?? [],
    }),
  );
}

/** Write the snapshot (works, authors, LoRAs, manifest) and return its sizes. */
export async function writeSyntheticSnapshot(dir: string, options: { works: number; loras: number }): Promise<{ works: number; authors: number; loras: number }> {
  const works = syntheticWorks(options.works, options.loras);
  const loras = syntheticLoras(options.loras, works);
  await writeTestSnapshot(dir, works, { loras });
  return { works: works.length, authors: new Set(works.map((w) => w.author?.username)).size, loras: loras.length };
}

/** The images the works point at, as real WebP files in a local blob dir (served by /media/…). */
export async function writeSyntheticMedia(blobDir: string): Promise<void> {
  const blobs = new LocalBlobStore({ driver: 'local', dir: blobDir, publicBaseUrl: '/media' });
  for (let variant = 0; variant < IMAGE_VARIANTS; variant++) {
    const hue = Math.round((variant / IMAGE_VARIANTS) * 360);
    const svg = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="768" height="1024"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,55%)"/><stop offset="1" stop-color="hsl(${(hue + 120) % 360},60%,25%)"/></linearGradient></defs><rect width="768" height="1024" fill="url(#g)"/><circle cx="384" cy="420" r="${120 + variant * 4}" fill="hsla(${(hue + 200) % 360},80%,70%,0.6)"/></svg>`,
    );
    const full = await sharp(svg).webp({ quality: 75 }).toBuffer();
    const thumb = await sharp(svg).resize(THUMB_WIDTH).webp({ quality: 70 }).toBuffer();
    for (const [url, body] of [[imageUrl(variant), full], [thumbUrl(variant), thumb]] as const) {
      await blobs.put(url.replace(/^\/media\//, ''), body, { contentType: 'image/webp' });
    }
  }
  await blobs.close();
}
