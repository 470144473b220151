// Test helpers: valid snapshot works and a plain (non-atomic) writer for temp snapshot directories.
// The real writer lives in ingest/snapshot/; this one exists so site tests do not depend on ingest.
import { mkdir, writeFile } from 'node:fs/promises';
import { authorsPath, lorasPath, manifestPath, modelsPath, workChunkPath, worksDirPath, WORKS_PER_CHUNK } from './paths.ts';
import {
  SNAPSHOT_VERSION,
  snapshotLoraSchema,
  snapshotManifestSchema,
  snapshotModelsSchema,
  snapshotWorkSchema,
  type SnapshotAuthorEntry,
  type SnapshotLora,
  type SnapshotManifest,
  type SnapshotModel,
  type SnapshotWork,
  type WorkSource,
} from './schema.ts';

/** A valid work; `n` makes ids, titles and dates distinct (higher n = newer). */
export function sampleWork(n: number, overrides: Partial<SnapshotWork> = {}): SnapshotWork {
  const id = `liblib-${1_000_000_000_000_000_000n + BigInt(n)}`;
  return snapshotWorkSchema.parse({
    id,
    source: 'liblib',
    externalId: id.slice('liblib-'.length),
    slug: `sample-work-${n}`,
    title: `示例作品 ${n}`,
    titleEn: `Sample work ${n}`,
    publishedAt: new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString(),
    author: { id: `liblib:author-${n % 3}`, username: `liblib-author-${n % 3}`, name: `作者${n % 3}`, avatarUrl: null },
    prompt: '赛博朋克, 城市夜景, 超高清',
    negativePrompt: null,
    params: { sampler: 'DPM++ 2M', steps: 30, cfgScale: 7, width: 768, height: 1024, seed: '18446744073709551615' },
    images: [{ index: 0, url: `/media/test/${n}.png`, thumbUrl: null, width: 768, height: 1024 }],
    models: [{ type: 'CHECKPOINT', name: 'SDXL 1.0', url: null, loraId: null }],
    likeCount: n,
    favoriteCount: 0,
    sourceUrl: `https://www.liblib.art/imageinfo/${n}`,
    nsfwLevel: 'None',
    tags: ['汽车交通'],
    ...overrides,
  });
}

/** A valid LoRA; `n` makes ids and titles distinct. */
export function sampleLora(n: number, overrides: Partial<SnapshotLora> = {}): SnapshotLora {
  return snapshotLoraSchema.parse({
    id: String(n),
    source: 'modelscope',
    externalId: `owner${n}/lora-${n}`,
    titleCn: `示例 LoRA ${n}`,
    titleEn: `Sample LoRA ${n}`,
    author: `owner${n}`,
    avatarUrl: null,
    coverUrl: `/media/test/lora-${n}.png`,
    coverThumbUrl: null,
    coverWidth: 768,
    coverHeight: 1024,
    downloads: 1000 - n,
    likes: n,
    license: 'Apache License 2.0',
    tagsCn: ['风格'],
    tagsEn: ['style'],
    baseModels: ['SDXL'],
    triggerWords: [`trigger${n}`],
    visionFoundation: 'SDXL',
    task: 'text-to-image-synthesis',
    updatedAt: new Date(Date.UTC(2025, 0, 1, 0, n)).toISOString(),
    pageUrl: `https://modelscope.cn/models/owner${n}/lora-${n}`,
    suggestedParams: { weight: 0.8, sampler: 'Euler a', steps: 30, cfgScale: 7, width: 1024, height: 1024, basedOn: 'defaults', sampleSize: 0 },
    workIds: [],
    ...overrides,
  });
}

/** The authors.json entries a correct writer derives from these works. */
function authorsFor(works: readonly SnapshotWork[]): SnapshotAuthorEntry[] {
  const byUsername = new Map<string, SnapshotAuthorEntry>();
  for (const work of works) {
    if (!work.author) continue;
    const entry = byUsername.get(work.author.username) ?? { ...work.author, source: work.source, profileUrl: null, workCount: 0 };
    entry.workCount += 1;
    byUsername.set(work.author.username, entry);
  }
  return [...byUsername.values()].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
}

/** Counts per source computed from the works (what a correct writer puts in the manifest). */
function countsFor(works: readonly SnapshotWork[]): SnapshotManifest['counts'] {
  const counts: SnapshotManifest['counts'] = {};
  const authors = new Map<WorkSource, Set<string>>();
  for (const work of works) {
    const entry = (counts[work.source] ??= { works: 0, authors: 0 });
    entry.works += 1;
    const set = authors.get(work.source) ?? new Set<string>();
    if (work.author) set.add(work.author.id);
    authors.set(work.source, set);
    entry.authors = set.size;
  }
  return counts;
}

/**
 * Write works in chunks of `chunkSize`, authors.json, loras.json, models.json (when given), then the manifest
 * (last, like the real writer).
 */
export async function writeTestSnapshot(
  dir: string,
  works: readonly SnapshotWork[],
  options: { chunkSize?: number; manifest?: Partial<SnapshotManifest>; loras?: readonly SnapshotLora[]; models?: readonly SnapshotModel[] } = {},
): Promise<SnapshotManifest> {
  const chunkSize = options.chunkSize ?? WORKS_PER_CHUNK;
  await mkdir(worksDirPath(dir), { recursive: true });
  await writeFile(authorsPath(dir), JSON.stringify(authorsFor(works)));
  await writeFile(lorasPath(dir), JSON.stringify(options.loras ?? []));
  if (options.models) await writeFile(modelsPath(dir), JSON.stringify(snapshotModelsSchema.parse(options.models)));
  for (let start = 0, chunk = 1; start < works.length; start += chunkSize, chunk += 1) {
    await writeFile(workChunkPath(dir, chunk), JSON.stringify(works.slice(start, start + chunkSize), null, 2));
  }
  const manifest = snapshotManifestSchema.parse({
    version: SNAPSHOT_VERSION,
    generatedAt: new Date().toISOString(),
    counts: countsFor(works),
    runIds: ['test-run'],
    ...options.manifest,
  });
  await writeFile(manifestPath(dir), JSON.stringify(manifest, null, 2));
  return manifest;
}
