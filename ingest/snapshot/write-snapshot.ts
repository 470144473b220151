// Store → data/snapshot: the only thing the site build reads (layout in src/core/snapshot/paths.ts).
//
// Scale: published works are paged out of the database newest first (keyset pages), and each page's
// images, model references (with their LoRA links), authors and owners are read with one query each.
// Works go out chunk by chunk; what stays in memory is small and per id: the previous snapshot's hash
// per work (for diff.json), one entry per author (authors.json), and per LoRA at most 24 work ids and
// MAX_PARAM_SAMPLES parameter samples (loras.json).
//
// Every record is validated with the zod schemas the site's content loaders use, into a staging directory
// that replaces the old snapshot only once complete (manifest last). Same Store, same files: only the
// generatedAt fields differ (diff.json, being relative to the previous snapshot, naturally differs too).
import { authorUsername } from '../../src/core/snapshot/author-username.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from '../../src/core/blob/blob-store.ts';
import {
  AUTHORS_FILE, DIFF_FILE, LORAS_FILE, MANIFEST_FILE, MODELS_FILE, WORKS_DIR, WORKS_PER_CHUNK, workChunkFileName,
} from '../../src/core/snapshot/paths.ts';
import {
  SNAPSHOT_VERSION, snapshotAuthorEntrySchema, snapshotDiffSchema, snapshotLoraSchema, snapshotManifestSchema, snapshotModelSchema, snapshotWorkSchema,
  type SnapshotAuthor, type SnapshotAuthorEntry, type SnapshotDiff, type SnapshotLora, type SnapshotManifest, type SnapshotWork,
  type WorkSource,
} from '../../src/core/snapshot/schema.ts';
import { SOURCES } from '../../src/core/domain/enums.ts';
import type { Author, Lora, Store, User, Work, WorkImage, WorkModel } from '../../src/core/store/store.ts';
import { thumbnailKey } from '../../src/core/media/thumbnails.ts';
import { isVideoFormat, previewKey } from '../../src/core/media/video-derivatives.ts';
import { recipeCompleteness, workCompleteness } from '../../src/core/recipe/completeness.ts';
import { emptyRecipe, emptyResource, type Recipe } from '../../src/core/recipe/recipe.ts';
import { ModelCatalogueBuilder } from './model-catalogue.ts';
import { readPreviousSnapshot, SnapshotDiffer } from './snapshot-diff.ts';
import { suggestParams, type ParamSample } from './suggested-params.ts';

/** Works read per database page (one query each for works, images, model refs, authors, owners). */
const DEFAULT_PAGE_SIZE = 500;
/** The thumbnail the site's grids show (ingest makes 320 and 960 by default). */
const GRID_THUMB_WIDTH = 320;
/** Works listed on a LoRA's page (schema: at most 24). */
const LORA_WORK_IDS = 24;
/** Comments shown on a work's page (oldest first). */
const MAX_COMMENTS = 50;
/** Newest linked works a LoRA's suggested parameters are computed from (bounds memory per LoRA). */
const MAX_PARAM_SAMPLES = 1000;

export interface WriteSnapshotOptions {
  /** Works per chunk file (default WORKS_PER_CHUNK); tests use small ones. */
  chunkSize?: number;
  /** Works per database page. */
  pageSize?: number;
  /** Thumbnail widths ingest makes (config.ingest.thumbnailWidths): where a LoRA cover's thumbnail is looked for after 320. */
  thumbnailWidths?: readonly number[];
}

interface SourceCounts {
  works: number;
  authors: number;
  images: number;
  loras: number;
}

export interface SnapshotResult {
  dir: string;
  works: number;
  chunks: number;
  authors: number;
  loras: number;
  /** Models in models.json and the links that joined their members, by method. */
  models: number;
  modelLinks: Record<string, number>;
  manifest: SnapshotManifest;
  diff: SnapshotDiff;
}

/**
 * Usernames are unique in authors.json and are URL keys, so they are handed out here:
 * - a community user keeps their username (the API and their links use it);
 * - an upstream author gets authorUsername(); when a community user holds that name (checked in the users
 *   table, whether or not the user has works) or another upstream author already got it (two external ids
 *   that differ only in characters authorUsername() replaces), `~<author id>` is appended. `~` is outside
 *   the community username alphabet ([A-Za-z0-9_]), and author ids are unique, so this settles it; the
 *   Store alone decides, so the same Store always gives the same names.
 */
class Usernames {
  readonly #owner = new Map<string, string>();

  claim(username: string, key: string): string {
    let name = username;
    while (this.#owner.has(name) && this.#owner.get(name) !== key) name = `${name}~${key.split(':').pop()}`;
    this.#owner.set(name, key);
    return name;
  }
}

interface AuthorEntry {
  ref: SnapshotAuthor;
  source: WorkSource;
  profileUrl: string | null;
  workCount: number;
}

interface LoraAccumulator {
  workIds: string[];
  samples: ParamSample[];
}

const positive = (n: number | null) => (n !== null && n > 0 ? n : null);
const httpUrl = (url: string | null) => (url && /^https?:\/\//i.test(url) ? url : null);

function groupBy<T>(rows: readonly T[], key: (row: T) => number): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    const list = map.get(key(row));
    if (list) list.push(row);
    else map.set(key(row), [row]);
  }
  return map;
}

/** Builds works page by page, remembering authors, LoRA links and counts as it goes. */
class WorkAssembler {
  readonly authors = new Map<string, AuthorEntry>();
  readonly loras = new Map<number, LoraAccumulator>();
  readonly counts = new Map<WorkSource, SourceCounts>();
  readonly models = new ModelCatalogueBuilder();
  readonly #usernames = new Usernames();
  readonly #store: Store;
  readonly #blobs: BlobStore;

  constructor(store: Store, blobs: BlobStore) {
    this.#store = store;
    this.#blobs = blobs;
  }

  countsOf(source: WorkSource): SourceCounts {
    let counts = this.counts.get(source);
    if (!counts) this.counts.set(source, (counts = { works: 0, authors: 0, images: 0, loras: 0 }));
    return counts;
  }

  /** The snapshot works of one page, in page order. */
  async page(works: Work[]): Promise<SnapshotWork[]> {
    const ids = works.map((w) => w.id);
    const images = groupBy(await this.#store.images.listByWorks(ids), (i) => i.workId);
    const models = groupBy(await this.#store.works.listModelsByWorks(ids), (m) => m.workId);
    const authors = await this.#authorsOf(works);
    const comments = groupBy(await this.#store.comments.listByWorks(ids), (c) => c.workId);
    return works.map((work) => {
      const snapshot = this.#work(work, authors.get(work.id) ?? null, images.get(work.id) ?? [], models.get(work.id) ?? []);
      const shown = (comments.get(work.id) ?? []).filter((c) => c.content?.trim()).slice(0, MAX_COMMENTS);
      if (shown.length > 0) {
        snapshot.comments = shown.map((c) => ({ author: c.commenterName, content: c.content!.trim(), at: c.commentedAt?.toISOString() ?? null }));
      }
      return snapshot;
    });
  }

  /** Each work's author entry (by work id), fetching and naming the ones not seen before in one query each. */
  async #authorsOf(works: Work[]): Promise<Map<number, AuthorEntry>> {
    const authorIds = [...new Set(works.flatMap((w) => (w.authorId !== null && !this.authors.has(`author:${w.authorId}`) ? [w.authorId] : [])))];
    const ownerIds = [
      ...new Set(works.flatMap((w) => (w.authorId === null && w.ownerUserId !== null && !this.authors.has(`user:${w.ownerUserId}`) ? [w.ownerUserId] : []))),
    ];
    const [newAuthors, owners] = await Promise.all([this.#store.authors.getMany(authorIds), this.#store.users.getMany(ownerIds)]);
    newAuthors.sort((a, b) => a.id - b.id);
    owners.sort((a, b) => a.id - b.id);
    // Community users first: they keep their names; upstream names that a user holds are taken already.
    for (const user of owners) this.#addUser(user);
    const taken = new Set(
      (await this.#store.users.listByUsernames(newAuthors.map(authorUsername))).map((user) => user.username),
    );
    for (const author of newAuthors) this.#addAuthor(author, taken);
    const byWork = new Map<number, AuthorEntry>();
    for (const work of works) {
      const key = work.authorId !== null ? `author:${work.authorId}` : work.ownerUserId !== null ? `user:${work.ownerUserId}` : null;
      const entry = key ? this.authors.get(key) : undefined;
      if (entry) byWork.set(work.id, entry);
    }
    return byWork;
  }

  #addUser(user: User): void {
    const key = `user:${user.id}`;
    const username = this.#usernames.claim(user.username, key);
    this.authors.set(key, {
      // The public id is the handle: numeric user ids never leave the server.
      ref: { id: `user:${username}`, username, name: user.name, avatarUrl: user.profilePic || null },
      source: 'community',
      profileUrl: null,
      workCount: 0,
    });
  }

  #addAuthor(author: Author, takenByUsers: ReadonlySet<string>): void {
    const key = `author:${author.id}`;
    const base = authorUsername(author);
    const username = this.#usernames.claim(takenByUsers.has(base) ? `${base}~${author.id}` : base, key);
    this.authors.set(key, {
      // Only the copy in the BlobStore: the upstream's avatar URL is never shown.
      ref: { id: `${author.source}:${author.externalId}`, username, name: author.name, ...this.#avatarOf(author) },
      source: author.source,
      profileUrl: httpUrl(author.profileUrl),
      workCount: 0,
    });
  }

  #avatarOf(author: Author): Pick<SnapshotAuthor, 'avatarUrl' | 'avatarThumbs'> {
    if (!author.avatar) return { avatarUrl: null };
    return {
      avatarUrl: this.#blobs.publicUrl(author.avatar.key),
      avatarThumbs: author.avatar.thumbnails.map(({ key, width }) => ({ url: this.#blobs.publicUrl(key), width })),
    };
  }

  /**
   * A video's clip type and preview. The preview is made in the same step as the poster thumbnails (media
   * stage, thumbnail job), so thumbnails present means the preview is too: no lookup per image here.
   */
  #videoOf(image: WorkImage): { contentType: string; previewUrl: string | null } {
    const contentType = image.format === 'webm' ? 'video/webm' : image.format === 'mov' ? 'video/quicktime' : 'video/mp4';
    const made = Object.keys(image.thumbnails ?? {}).length > 0;
    return { contentType, previewUrl: made ? this.#blobs.publicUrl(previewKey(image.blobKey!)) : null };
  }

  #work(work: Work, author: AuthorEntry | null, imageRows: WorkImage[], modelRows: Array<WorkModel & { loraId: number | null }>): SnapshotWork {
    const images = imageRows.filter((image) => image.status === 'OK' && image.blobKey);
    const recipes = imageRows.map((image) => image.recipe);
    // Works stored before recipes (or without per-image data) are judged by their work-level summary.
    const completeness = recipes.some(Boolean) ? workCompleteness(recipes) : recipeCompleteness(summaryRecipe(work, modelRows));
    const cover = recipes.find(Boolean) ?? null;
    const snapshot = snapshotWorkSchema.parse({
      id: String(work.id),
      source: work.source,
      externalId: work.externalId,
      slug: work.slug,
      title: work.title,
      titleEn: work.titleEn,
      publishedAt: work.publishedAt?.toISOString() ?? null,
      author: author?.ref ?? null,
      prompt: work.prompt,
      negativePrompt: work.negativePrompt,
      params: {
        sampler: work.sampler,
        steps: work.steps,
        cfgScale: work.cfgScale,
        width: positive(work.width),
        height: positive(work.height),
        seed: work.seed,
      },
      images: images.map((image) => {
        const thumb = image.thumbnails?.[String(GRID_THUMB_WIDTH)] ?? Object.values(image.thumbnails ?? {})[0];
        return {
          index: image.imageIndex,
          url: this.#blobs.publicUrl(image.blobKey!),
          thumbUrl: thumb ? this.#blobs.publicUrl(thumb) : null,
          thumbs: thumbSet(image.thumbnails, positive(image.width)).map(({ key, width }) => ({ url: this.#blobs.publicUrl(key), width })),
          width: positive(image.width),
          height: positive(image.height),
          recipe: image.recipe ?? null,
          ...(isVideoFormat(image.format) ? { video: this.#videoOf(image) } : {}),
        };
      }),
      models: modelRows.map((m) => ({
        type: m.modelType, name: m.modelName, url: m.modelUrl, loraId: m.loraId === null ? null : String(m.loraId), weight: weightIn(cover, m),
      })),
      completeness,
      likeCount: Math.max(0, work.likeCount ?? 0),
      favoriteCount: Math.max(0, work.favoriteCount ?? 0),
      sourceUrl: httpUrl(work.sourceUrl),
      nsfwLevel: work.nsfwLevel,
      tags: work.tags ?? [],
    });
    this.models.addWork(snapshot.id, snapshot.source, recipes, modelRows);
    const counts = this.countsOf(snapshot.source);
    counts.works += 1;
    counts.images += snapshot.images.length;
    if (author) author.workCount += 1;
    // Works arrive newest first, so the first LORA_WORK_IDS linked ones are a LoRA's newest.
    for (const loraId of new Set(modelRows.flatMap((m) => (m.loraId === null ? [] : [m.loraId])))) {
      let acc = this.loras.get(loraId);
      if (!acc) this.loras.set(loraId, (acc = { workIds: [], samples: [] }));
      if (acc.workIds.length < LORA_WORK_IDS) acc.workIds.push(snapshot.id);
      if (acc.samples.length < MAX_PARAM_SAMPLES) {
        acc.samples.push({ sampler: work.sampler, steps: work.steps, cfgScale: work.cfgScale, width: work.width, height: work.height });
      }
    }
    return snapshot;
  }
}

/**
 * An image's stored thumbnails by pixel width, narrowest first, one per object: thumbnails never upscale, so a
 * configured width beyond the original's answers with the original's width (and several widths may share
 * one key, src/core/media/thumbnails.ts). Unknown original width: the configured width.
 */
export function thumbSet(thumbnails: Record<string, string> | null | undefined, originalWidth: number | null): Array<{ key: string; width: number }> {
  const byKey = new Map<string, number>();
  for (const [configured, key] of Object.entries(thumbnails ?? {})) {
    const width = Math.min(Number(configured), originalWidth ?? Infinity);
    if (!Number.isSafeInteger(width) || width <= 0) continue;
    byKey.set(key, Math.min(width, byKey.get(key) ?? Infinity));
  }
  return [...byKey].map(([key, width]) => ({ key, width })).sort((a, b) => a.width - b.width);
}

/** The work-level summary as a recipe (for works whose images carry none). */
function summaryRecipe(work: Work, models: readonly WorkModel[]): Recipe {
  return {
    ...emptyRecipe(),
    prompt: work.prompt, negativePrompt: work.negativePrompt, sampler: work.sampler, steps: work.steps, cfgScale: work.cfgScale,
    width: positive(work.width), height: positive(work.height), seed: work.seed,
    resources: models.filter((m) => m.modelType === 'CHECKPOINT').map((m) => ({ ...emptyResource('CHECKPOINT'), modelName: m.modelName })),
  };
}

/** A reference's weight in the cover's recipe: the resource with its version id, or its (model · version) name. */
function weightIn(recipe: Recipe | null, ref: WorkModel): number | null {
  if (!recipe) return null;
  const match = recipe.resources.find(
    (r) => (ref.externalModelId !== null && r.versionId === ref.externalModelId) || [r.modelName, r.versionName].filter(Boolean).join(' · ') === ref.modelName || r.modelName === ref.modelName,
  );
  return match?.weight ?? null;
}

/** A LoRA's cover as the site shows it: the stored blob, its thumbnail and size; all null when not stored. */
async function loraCover(blobs: BlobStore, coverKey: string | null, thumbnailWidths: readonly number[]) {
  const none = { coverUrl: null, coverThumbUrl: null, coverWidth: null, coverHeight: null };
  if (!coverKey) return none;
  const head = await blobs.head(coverKey);
  if (!head) return none;
  let coverThumbUrl: string | null = null;
  for (const width of new Set([GRID_THUMB_WIDTH, ...[...thumbnailWidths].sort((a, b) => a - b)])) {
    const key = thumbnailKey(coverKey, width);
    if (await blobs.head(key)) {
      coverThumbUrl = blobs.publicUrl(key);
      break;
    }
  }
  const dimension = (value: string | undefined) => {
    const n = Number(value);
    return Number.isInteger(n) && n > 0 ? n : null;
  };
  const cover = { coverUrl: blobs.publicUrl(coverKey), coverThumbUrl, coverWidth: dimension(head.metadata.width), coverHeight: dimension(head.metadata.height) };
  if (!head.contentType?.startsWith('video/')) return cover;
  const preview = previewKey(coverKey);
  return { ...cover, coverVideo: { contentType: head.contentType, previewUrl: (await blobs.head(preview)) ? blobs.publicUrl(preview) : null } };
}

async function snapshotLora(blobs: BlobStore, lora: Lora, acc: LoraAccumulator | undefined, thumbnailWidths: readonly number[]): Promise<SnapshotLora> {
  return snapshotLoraSchema.parse({
    id: String(lora.id),
    source: lora.source,
    externalId: lora.externalId,
    titleCn: lora.titleCn,
    titleEn: lora.titleEn,
    author: lora.author,
    avatarUrl: lora.avatarUrl || null,
    ...(await loraCover(blobs, lora.coverKey, thumbnailWidths)),
    downloads: Math.max(0, lora.downloads),
    likes: Math.max(0, lora.likes),
    license: lora.license,
    tagsCn: lora.tagsCn ?? [],
    tagsEn: lora.tagsEn ?? [],
    baseModels: lora.baseModels ?? [],
    triggerWords: lora.triggerWords ?? [],
    visionFoundation: lora.visionFoundation,
    task: lora.task,
    updatedAt: lora.upstreamUpdatedAt?.toISOString() ?? null,
    pageUrl: httpUrl(lora.pageUrl),
    suggestedParams: suggestParams(lora, acc?.samples ?? []),
    workIds: acc?.workIds ?? [],
  });
}

const byUsername = (a: SnapshotAuthorEntry, b: SnapshotAuthorEntry) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0);

/** Write a complete snapshot of published works to `snapshotDir`, replacing the previous one. */
export async function writeSnapshot(
  store: Store,
  blobs: BlobStore,
  snapshotDir: string,
  now = new Date(),
  options: WriteSnapshotOptions = {},
): Promise<SnapshotResult> {
  const chunkSize = options.chunkSize ?? WORKS_PER_CHUNK;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const generatedAt = now.toISOString();
  const staging = `${snapshotDir}.staging-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(path.join(staging, WORKS_DIR), { recursive: true });
  try {
    const differ = new SnapshotDiffer(await readPreviousSnapshot(snapshotDir));
    const assembler = new WorkAssembler(store, blobs);

    // Works: each chunk is the JSON array of the works' own JSON texts (what the diff hashes).
    let chunk: string[] = [];
    let chunks = 0;
    let total = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      chunks += 1;
      await fs.writeFile(path.join(staging, WORKS_DIR, workChunkFileName(chunks)), `[${chunk.join(',')}]\n`);
      chunk = [];
    };
    let after: { publishedAt: Date | null; id: number } | undefined;
    for (;;) {
      const page = await store.works.list({ status: 'published', order: 'newest', limit: pageSize, after });
      if (page.length === 0) break;
      for (const work of await assembler.page(page)) {
        const json = JSON.stringify(work);
        differ.work(work.id, work.source, json);
        chunk.push(json);
        total += 1;
        if (chunk.length >= chunkSize) await flush();
      }
      const last = page.at(-1)!;
      after = { publishedAt: last.publishedAt, id: last.id };
    }
    await flush();

    // authors.json: everyone with at least one work, by username.
    const authors = [...assembler.authors.values()]
      .filter((entry) => entry.workCount > 0)
      .map((entry) => snapshotAuthorEntrySchema.parse({ ...entry.ref, source: entry.source, profileUrl: entry.profileUrl, workCount: entry.workCount }))
      .sort(byUsername);
    for (const author of authors) assembler.countsOf(author.source).authors += 1;
    await fs.writeFile(path.join(staging, AUTHORS_FILE), `${JSON.stringify(authors)}\n`);

    // loras.json: every stored LoRA, most downloaded first (ties by id).
    const loraRows = await store.loras.list({ limit: Math.max(1, await store.loras.count()) });
    const loras: string[] = [];
    for (const row of loraRows) {
      const lora = await snapshotLora(blobs, row, assembler.loras.get(row.id), options.thumbnailWidths ?? []);
      const json = JSON.stringify(lora);
      differ.lora(lora.id, json);
      loras.push(json);
      assembler.countsOf(lora.source).loras += 1;
    }
    await fs.writeFile(path.join(staging, LORAS_FILE), `[${loras.join(',')}]\n`);

    // models.json: one model across sources (recipes' resources and the catalogue LoRAs), linked by hash, id, name.
    for (const row of loraRows) assembler.models.addLora(row, assembler.loras.get(row.id)?.workIds ?? []);
    const catalogue = assembler.models.build();
    const models = catalogue.models.map((model) => JSON.stringify(snapshotModelSchema.parse(model)));
    await fs.writeFile(path.join(staging, MODELS_FILE), `[${models.join(',')}]\n`);

    const diff = snapshotDiffSchema.parse(differ.finish(generatedAt));
    await fs.writeFile(path.join(staging, DIFF_FILE), `${JSON.stringify(diff, null, 2)}\n`);

    const runIds: string[] = [];
    for (const source of SOURCES) for (const run of await store.runs.latest(source, 5)) runIds.push(String(run.id));
    const manifest = snapshotManifestSchema.parse({
      version: SNAPSHOT_VERSION,
      generatedAt,
      modelLinks: catalogue.linkCounts,
      counts: Object.fromEntries(SOURCES.flatMap((source) => (assembler.counts.has(source) ? [[source, assembler.counts.get(source)!]] : []))),
      runIds,
    });
    // The manifest goes last: it marks the snapshot complete.
    await fs.writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);

    const previous = `${snapshotDir}.previous-${process.pid}`;
    await fs.rm(previous, { recursive: true, force: true });
    await fs.rename(snapshotDir, previous).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await fs.rename(staging, snapshotDir);
    await fs.rm(previous, { recursive: true, force: true });
    return { dir: snapshotDir, works: total, chunks, authors: authors.length, loras: loras.length, models: models.length, modelLinks: catalogue.linkCounts, manifest, diff };
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** `liblib +12 −3 ~5` per source, and the LoRAs: the CLI's one-line diff summary. */
export function formatDiffSummary(diff: SnapshotDiff): string {
  const part = (name: string, d: SnapshotDiff['loras']) => `${name} +${d.added} −${d.removed} ~${d.changed}`;
  const works = Object.entries(diff.works).map(([source, d]) => part(source, d!));
  return [...works, part('loras', diff.loras)].join(', ');
}
