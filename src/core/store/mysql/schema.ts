// MySQL 8 / MariaDB 10.11 schema (production). Mirrors sqlite/schema.ts column for column; the shared
// repositories in ../repositories/ run against either. utf8mb4 throughout so Chinese text round-trips.
import { sql } from 'drizzle-orm';
import {
  bigint, boolean, customType, datetime, double, index, int, longtext, mysqlEnum, mysqlTable, primaryKey, text,
  uniqueIndex, varchar,
} from 'drizzle-orm/mysql-core';
import {
  ERROR_KINDS, GENERATION_STATUSES, IMAGE_STATUSES, JOB_STATUSES, LEDGER_STATUSES, LORA_LINK_METHODS, MODEL_TYPES, NSFW_LEVELS, RUN_STATUSES, SOURCES, USER_ROLES, WORK_STATUSES,
} from '../../domain/enums.ts';
import type { GenerationOutput } from '../../domain/generation-output.ts';
import type { StoredAvatar } from '../../domain/stored-avatar.ts';
import type { ModelFile, Recipe } from '../../recipe/recipe.ts';

const id = () => bigint('id', { mode: 'number', unsigned: true }).primaryKey().autoincrement();
const ref = (name: string) => bigint(name, { mode: 'number', unsigned: true });
const timestamp = (name: string) => datetime(name, { mode: 'date', fsp: 3 });
const createdAt = () => timestamp('created_at').notNull().default(sql`CURRENT_TIMESTAMP(3)`);
const updatedAt = () => timestamp('updated_at').notNull().default(sql`CURRENT_TIMESTAMP(3)`);

/**
 * JSON stored as text: MariaDB's JSON is an alias of LONGTEXT and mysql2 hands it back as a string,
 * while MySQL 8 returns parsed values; this column accepts both.
 */
const json = <T>(name: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'longtext',
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => (typeof value === 'string' ? JSON.parse(value) : value) as T,
  })(name);

export const users = mysqlTable('users', {
  id: id(),
  username: varchar('username', { length: 64 }).notNull(),
  name: varchar('name', { length: 255 }).notNull(),
  email: varchar('email', { length: 255 }),
  profilePic: text('profile_pic'),
  googleSub: varchar('google_sub', { length: 255 }),
  passwordHash: varchar('password_hash', { length: 255 }),
  role: mysqlEnum('role', USER_ROLES).notNull().default('user'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('uk_users_username').on(t.username),
  uniqueIndex('uk_users_email').on(t.email),
  uniqueIndex('uk_users_google_sub').on(t.googleSub),
]);

export const sessions = mysqlTable('sessions', {
  id: varchar('id', { length: 64 }).primaryKey(),
  userId: ref('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at').notNull(),
  createdAt: createdAt(),
}, (t) => [index('idx_sessions_user').on(t.userId)]);

export const authors = mysqlTable('authors', {
  id: id(),
  source: mysqlEnum('source', SOURCES).notNull(),
  externalId: varchar('external_id', { length: 64 }).notNull(),
  name: varchar('name', { length: 255 }).notNull(),
  avatarUrl: text('avatar_url'),
  /** The avatar stored in the BlobStore (null until downloaded, or when it could not be). */
  avatar: json<StoredAvatar>('avatar_json'),
  profileUrl: text('profile_url'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('uk_authors_source_ext').on(t.source, t.externalId), index('idx_authors_name').on(t.name)]);

export const works = mysqlTable('works', {
  id: id(),
  source: mysqlEnum('source', SOURCES).notNull(),
  externalId: varchar('external_id', { length: 64 }).notNull(),
  slug: varchar('slug', { length: 128 }).notNull(),
  title: varchar('title', { length: 512 }),
  titleEn: varchar('title_en', { length: 512 }),
  status: mysqlEnum('status', WORK_STATUSES).notNull().default('published'),
  publishedAt: timestamp('published_at'),
  tags: json<string[]>('tags_json'),
  prompt: longtext('prompt'),
  negativePrompt: longtext('negative_prompt'),
  sampler: varchar('sampler', { length: 128 }),
  steps: int('steps'),
  cfgScale: double('cfg_scale'),
  width: int('width'),
  height: int('height'),
  seed: varchar('seed', { length: 64 }),
  likeCount: int('like_count'),
  favoriteCount: int('favorite_count'),
  commentCount: int('comment_count'),
  sourceUrl: text('source_url'),
  nsfwLevel: varchar('nsfw_level', { length: 8, enum: NSFW_LEVELS }).notNull().default('None'),
  authorId: ref('author_id').references(() => authors.id),
  ownerUserId: ref('owner_user_id').references(() => users.id),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('uk_works_source_ext').on(t.source, t.externalId),
  index('idx_works_slug').on(t.slug),
  index('idx_works_published').on(t.publishedAt),
  index('idx_works_author').on(t.authorId),
  index('idx_works_owner').on(t.ownerUserId),
]);

export const workModels = mysqlTable('work_models', {
  id: id(),
  workId: ref('work_id').notNull().references(() => works.id, { onDelete: 'cascade' }),
  modelType: mysqlEnum('model_type', MODEL_TYPES).notNull(),
  modelName: varchar('model_name', { length: 512 }).notNull(),
  modelUrl: text('model_url'),
  externalModelId: varchar('external_model_id', { length: 128 }),
  isVip: boolean('is_vip').notNull().default(false),
  /** The referenced model's base model as its source names it ("SDXL 1.0", "F.1"), and its counts there when read. */
  baseModel: varchar('base_model', { length: 64 }),
  downloads: bigint('downloads', { mode: 'number' }),
  likes: int('likes'),
  createdAt: createdAt(),
}, (t) => [index('idx_wm_work').on(t.workId), index('idx_wm_name').on(t.modelName)]);

export const workImages = mysqlTable('work_images', {
  id: id(),
  workId: ref('work_id').notNull().references(() => works.id, { onDelete: 'cascade' }),
  imageIndex: int('image_index').notNull(),
  srcUrl: text('src_url').notNull(),
  blobKey: varchar('s3_key', { length: 1024 }),
  width: int('width'),
  height: int('height'),
  format: varchar('format', { length: 32 }),
  contentHash: varchar('content_hash', { length: 64 }),
  sizeBytes: bigint('size_bytes', { mode: 'number' }),
  thumbnails: json<Record<string, string>>('thumbnails_json'),
  /** What this image was generated with, as its source reported it (src/core/recipe); null when unknown. */
  recipe: json<Recipe>('recipe_json'),
  downloadedAt: timestamp('downloaded_at'),
  status: mysqlEnum('status', IMAGE_STATUSES).notNull().default('PENDING'),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('uk_work_img').on(t.workId, t.imageIndex),
  index('idx_wi_hash').on(t.contentHash),
]);

export const comments = mysqlTable('comments', {
  id: id(),
  workId: ref('work_id').notNull().references(() => works.id, { onDelete: 'cascade' }),
  externalId: varchar('external_id', { length: 64 }).notNull(),
  commenterName: varchar('commenter_name', { length: 255 }),
  commenterAvatarUrl: text('commenter_avatar_url'),
  content: text('content'),
  commentedAt: timestamp('commented_at'),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('uk_comments_work_ext').on(t.workId, t.externalId)]);

export const fetchRuns = mysqlTable('fetch_runs', {
  id: id(),
  source: mysqlEnum('source', SOURCES).notNull(),
  command: varchar('command', { length: 64 }).notNull(),
  startedAt: timestamp('started_at').notNull(),
  endedAt: timestamp('ended_at'),
  /** Refreshed every minute while the run's process lives; a RUNNING row whose heartbeat stopped was abandoned. */
  heartbeatAt: timestamp('heartbeat_at'),
  status: mysqlEnum('status', RUN_STATUSES).notNull(),
  pagesFetched: int('pages_fetched').notNull().default(0),
  worksFetched: int('works_fetched').notNull().default(0),
  detailsFetched: int('details_fetched').notNull().default(0),
  authorsFetched: int('authors_fetched').notNull().default(0),
  imagesDownloaded: int('images_downloaded').notNull().default(0),
  bytesDownloaded: bigint('bytes_downloaded', { mode: 'number' }).notNull().default(0),
  requests: int('requests').notNull().default(0),
  retries: int('retries').notNull().default(0),
  rateLimited: int('rate_limited').notNull().default(0),
  failures: json<Record<string, number>>('failures_json'),
  errorSummary: text('error_summary'),
}, (t) => [index('idx_runs_source_started').on(t.source, t.startedAt)]);

/** seed 002's artworks_like and artworks_favorite: one row per (user, work), unique. */
const reactionTable = (name: string, workIndex: string) =>
  mysqlTable(name, {
    userId: ref('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    workId: ref('artwork_id').notNull().references(() => works.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  }, (t) => [primaryKey({ columns: [t.userId, t.workId] }), index(workIndex).on(t.workId)]);

export const likes = reactionTable('artworks_like', 'idx_like_work');
export const favorites = reactionTable('artworks_favorite', 'idx_fav_work');

export const loras = mysqlTable('loras', {
  id: id(),
  source: mysqlEnum('source', SOURCES).notNull(),
  externalId: varchar('external_id', { length: 255 }).notNull(),
  titleCn: varchar('title_cn', { length: 512 }),
  titleEn: varchar('title_en', { length: 512 }),
  author: varchar('author', { length: 255 }),
  avatarUrl: text('avatar_url'),
  userName: varchar('user_name', { length: 255 }),
  coverUrl: text('cover_url'),
  coverKey: varchar('cover_key', { length: 1024 }),
  downloads: bigint('downloads', { mode: 'number' }).notNull().default(0),
  likes: int('likes').notNull().default(0),
  license: varchar('license', { length: 128 }),
  tagsCn: json<string[]>('tags_cn'),
  tagsEn: json<string[]>('tags_en'),
  baseModels: json<string[]>('base_models'),
  triggerWords: json<string[]>('trigger_words'),
  /** The weight files with their SHA-256 (lowercase hex): links the LoRA to works by hash. */
  files: json<ModelFile[]>('files_json'),
  visionFoundation: varchar('vision_foundation', { length: 255 }),
  task: varchar('task', { length: 128 }),
  upstreamUpdatedAt: timestamp('upstream_updated_at'),
  pageUrl: text('page_url'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('uk_loras_source_ext').on(t.source, t.externalId), index('idx_loras_task').on(t.task)]);

/** A work's LoRA reference matched to a catalogue LoRA, and how (recomputed by `ingest toploras`). */
export const loraLinks = mysqlTable('lora_links', {
  id: id(),
  loraId: ref('lora_id').notNull().references(() => loras.id, { onDelete: 'cascade' }),
  workModelId: ref('work_model_id').notNull().references(() => workModels.id, { onDelete: 'cascade' }),
  method: mysqlEnum('method', LORA_LINK_METHODS).notNull(),
  matched: varchar('matched', { length: 512 }).notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('uk_lora_links_ref').on(t.workModelId), index('idx_lora_links_lora').on(t.loraId)]);

export const jobs = mysqlTable('jobs', {
  id: varchar('id', { length: 36 }).primaryKey(),
  name: varchar('name', { length: 64 }).notNull(),
  payload: json<unknown>('payload_json').notNull(),
  status: mysqlEnum('status', JOB_STATUSES).notNull().default('queued'),
  progress: double('progress').notNull().default(0),
  attempts: int('attempts').notNull().default(0),
  maxAttempts: int('max_attempts').notNull().default(3),
  result: json<unknown>('result_json'),
  error: text('error'),
  userId: ref('user_id').references(() => users.id, { onDelete: 'set null' }),
  runAt: timestamp('run_at').notNull(),
  lockedBy: varchar('locked_by', { length: 128 }),
  lockedAt: timestamp('locked_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('idx_jobs_claim').on(t.status, t.runAt), index('idx_jobs_user').on(t.userId)]);

export const crawlLedger = mysqlTable('crawl_ledger', {
  id: id(),
  source: mysqlEnum('source', SOURCES).notNull(),
  stage: varchar('stage', { length: 32 }).notNull(),
  key: varchar('unit_key', { length: 512 }).notNull(),
  status: mysqlEnum('status', LEDGER_STATUSES).notNull().default('pending'),
  attempts: int('attempts').notNull().default(0),
  errorKind: mysqlEnum('error_kind', ERROR_KINDS),
  errorMessage: text('error_message'),
  nextAttemptAt: timestamp('next_attempt_at'),
  runId: ref('run_id').references(() => fetchRuns.id),
  payload: json<unknown>('payload_json'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('uk_ledger_unit').on(t.source, t.stage, t.key),
  index('idx_ledger_due').on(t.source, t.stage, t.status, t.nextAttemptAt),
]);

/** A run's live progress (src/core/progress/run-progress.ts), rewritten every few seconds while it runs. */
export const runProgress = mysqlTable('run_progress', {
  runId: ref('run_id').primaryKey().references(() => fetchRuns.id, { onDelete: 'cascade' }),
  progress: json<unknown>('progress_json').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

export const generationJobs = mysqlTable('generation_jobs', {
  id: varchar('id', { length: 36 }).primaryKey(),
  userId: ref('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  task: varchar('task', { length: 64 }).notNull(),
  request: json<unknown>('request_json').notNull(),
  requestedProvider: varchar('requested_provider', { length: 32 }),
  provider: varchar('provider', { length: 128 }),
  status: mysqlEnum('status', GENERATION_STATUSES).notNull().default('queued'),
  progress: double('progress').notNull().default(0),
  log: json<string[]>('log_json').notNull(),
  errorKind: varchar('error_kind', { length: 32 }),
  errorMessage: text('error_message'),
  outputs: json<GenerationOutput[]>('outputs_json').notNull(),
  attempts: int('attempts').notNull().default(0),
  workerId: varchar('worker_id', { length: 128 }),
  heartbeatAt: timestamp('heartbeat_at'),
  startedAt: timestamp('started_at'),
  finishedAt: timestamp('finished_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('idx_gen_jobs_user').on(t.userId, t.createdAt), index('idx_gen_jobs_status').on(t.status, t.heartbeatAt)]);

export const generationPresets = mysqlTable('generation_presets', {
  id: id(),
  userId: ref('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  name: varchar('name', { length: 100 }).notNull(),
  params: json<unknown>('params_json').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('uk_gen_presets_user_name').on(t.userId, t.name)]);
