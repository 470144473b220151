// SQLite schema (the embedded default). Mirrors mysql/schema.ts column for column; the shared
// repositories in ../repositories/ run against either. Timestamps are stored as epoch milliseconds.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import {
  ERROR_KINDS, GENERATION_STATUSES, IMAGE_STATUSES, JOB_STATUSES, LEDGER_STATUSES, LORA_LINK_METHODS, MODEL_TYPES, NSFW_LEVELS, RUN_STATUSES, SOURCES, USER_ROLES, WORK_STATUSES,
} from '../../domain/enums.ts';
import type { GenerationOutput } from '../../domain/generation-output.ts';
import type { StoredAvatar } from '../../domain/stored-avatar.ts';
import type { ModelFile, Recipe } from '../../recipe/recipe.ts';

const id = () => integer('id').primaryKey({ autoIncrement: true });
const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () => timestamp('created_at').notNull().default(sql`(unixepoch('subsec') * 1000)`);
const updatedAt = () => timestamp('updated_at').notNull().default(sql`(unixepoch('subsec') * 1000)`);
const json = <T>(name: string) => text(name, { mode: 'json' }).$type<T>();

export const users = sqliteTable('users', {
  id: id(),
  username: text('username').notNull(),
  name: text('name').notNull(),
  email: text('email'),
  profilePic: text('profile_pic'),
  googleSub: text('google_sub'),
  passwordHash: text('password_hash'),
  role: text('role', { enum: USER_ROLES }).notNull().default('user'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('uk_users_username').on(t.username),
  uniqueIndex('uk_users_email').on(t.email),
  uniqueIndex('uk_users_google_sub').on(t.googleSub),
]);

export const sessions = sqliteTable('sessions', {
  /** hex SHA-256 of the session token; the token itself is never stored */
  id: text('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at').notNull(),
  createdAt: createdAt(),
}, (t) => [index('idx_sessions_user').on(t.userId)]);

export const authors = sqliteTable('authors', {
  id: id(),
  source: text('source', { enum: SOURCES }).notNull(),
  externalId: text('external_id').notNull(),
  name: text('name').notNull(),
  avatarUrl: text('avatar_url'),
  /** The avatar stored in the BlobStore (null until downloaded, or when it could not be). */
  avatar: json<StoredAvatar>('avatar_json'),
  profileUrl: text('profile_url'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('uk_authors_source_ext').on(t.source, t.externalId), index('idx_authors_name').on(t.name)]);

export const works = sqliteTable('works', {
  id: id(),
  source: text('source', { enum: SOURCES }).notNull(),
  externalId: text('external_id').notNull(),
  slug: text('slug').notNull(),
  title: text('title'),
  titleEn: text('title_en'),
  status: text('status', { enum: WORK_STATUSES }).notNull().default('published'),
  publishedAt: timestamp('published_at'),
  tags: json<string[]>('tags_json'),
  prompt: text('prompt'),
  negativePrompt: text('negative_prompt'),
  sampler: text('sampler'),
  steps: integer('steps'),
  cfgScale: real('cfg_scale'),
  width: integer('width'),
  height: integer('height'),
  seed: text('seed'),
  likeCount: integer('like_count'),
  favoriteCount: integer('favorite_count'),
  commentCount: integer('comment_count'),
  sourceUrl: text('source_url'),
  nsfwLevel: text('nsfw_level', { enum: NSFW_LEVELS }).notNull().default('None'),
  authorId: integer('author_id').references(() => authors.id),
  ownerUserId: integer('owner_user_id').references(() => users.id),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('uk_works_source_ext').on(t.source, t.externalId),
  index('idx_works_slug').on(t.slug),
  index('idx_works_published').on(t.publishedAt),
  index('idx_works_author').on(t.authorId),
  index('idx_works_owner').on(t.ownerUserId),
]);

export const workModels = sqliteTable('work_models', {
  id: id(),
  workId: integer('work_id').notNull().references(() => works.id, { onDelete: 'cascade' }),
  modelType: text('model_type', { enum: MODEL_TYPES }).notNull(),
  modelName: text('model_name').notNull(),
  modelUrl: text('model_url'),
  externalModelId: text('external_model_id'),
  isVip: integer('is_vip', { mode: 'boolean' }).notNull().default(false),
  /** The referenced model's base model as its source names it ("SDXL 1.0", "F.1"), and its counts there when read. */
  baseModel: text('base_model'),
  downloads: integer('downloads'),
  likes: integer('likes'),
  createdAt: createdAt(),
}, (t) => [index('idx_wm_work').on(t.workId), index('idx_wm_name').on(t.modelName)]);

export const workImages = sqliteTable('work_images', {
  id: id(),
  workId: integer('work_id').notNull().references(() => works.id, { onDelete: 'cascade' }),
  imageIndex: integer('image_index').notNull(),
  srcUrl: text('src_url').notNull(),
  blobKey: text('s3_key'),
  width: integer('width'),
  height: integer('height'),
  format: text('format'),
  contentHash: text('content_hash'),
  sizeBytes: integer('size_bytes'),
  thumbnails: json<Record<string, string>>('thumbnails_json'),
  /** What this image was generated with, as its source reported it (src/core/recipe); null when unknown. */
  recipe: json<Recipe>('recipe_json'),
  downloadedAt: timestamp('downloaded_at'),
  status: text('status', { enum: IMAGE_STATUSES }).notNull().default('PENDING'),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('uk_work_img').on(t.workId, t.imageIndex),
  index('idx_wi_hash').on(t.contentHash),
]);

export const comments = sqliteTable('comments', {
  id: id(),
  workId: integer('work_id').notNull().references(() => works.id, { onDelete: 'cascade' }),
  externalId: text('external_id').notNull(),
  commenterName: text('commenter_name'),
  commenterAvatarUrl: text('commenter_avatar_url'),
  content: text('content'),
  commentedAt: timestamp('commented_at'),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('uk_comments_work_ext').on(t.workId, t.externalId)]);

export const fetchRuns = sqliteTable('fetch_runs', {
  id: id(),
  source: text('source', { enum: SOURCES }).notNull(),
  command: text('command').notNull(),
  startedAt: timestamp('started_at').notNull(),
  endedAt: timestamp('ended_at'),
  /** Refreshed every minute while the run's process lives; a RUNNING row whose heartbeat stopped was abandoned. */
  heartbeatAt: timestamp('heartbeat_at'),
  status: text('status', { enum: RUN_STATUSES }).notNull(),
  pagesFetched: integer('pages_fetched').notNull().default(0),
  worksFetched: integer('works_fetched').notNull().default(0),
  detailsFetched: integer('details_fetched').notNull().default(0),
  authorsFetched: integer('authors_fetched').notNull().default(0),
  imagesDownloaded: integer('images_downloaded').notNull().default(0),
  bytesDownloaded: integer('bytes_downloaded').notNull().default(0),
  requests: integer('requests').notNull().default(0),
  retries: integer('retries').notNull().default(0),
  rateLimited: integer('rate_limited').notNull().default(0),
  failures: json<Record<string, number>>('failures_json'),
  errorSummary: text('error_summary'),
}, (t) => [index('idx_runs_source_started').on(t.source, t.startedAt)]);

/** seed 002's artworks_like and artworks_favorite: one row per (user, work), unique. */
const reactionTable = (name: string, workIndex: string) =>
  sqliteTable(name, {
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    workId: integer('artwork_id').notNull().references(() => works.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  }, (t) => [primaryKey({ columns: [t.userId, t.workId] }), index(workIndex).on(t.workId)]);

export const likes = reactionTable('artworks_like', 'idx_like_work');
export const favorites = reactionTable('artworks_favorite', 'idx_fav_work');

export const loras = sqliteTable('loras', {
  id: id(),
  source: text('source', { enum: SOURCES }).notNull(),
  externalId: text('external_id').notNull(),
  titleCn: text('title_cn'),
  titleEn: text('title_en'),
  author: text('author'),
  avatarUrl: text('avatar_url'),
  userName: text('user_name'),
  coverUrl: text('cover_url'),
  coverKey: text('cover_key'),
  downloads: integer('downloads').notNull().default(0),
  likes: integer('likes').notNull().default(0),
  license: text('license'),
  tagsCn: json<string[]>('tags_cn'),
  tagsEn: json<string[]>('tags_en'),
  baseModels: json<string[]>('base_models'),
  triggerWords: json<string[]>('trigger_words'),
  /** The weight files with their SHA-256 (lowercase hex): links the LoRA to works by hash. */
  files: json<ModelFile[]>('files_json'),
  visionFoundation: text('vision_foundation'),
  task: text('task'),
  upstreamUpdatedAt: timestamp('upstream_updated_at'),
  pageUrl: text('page_url'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('uk_loras_source_ext').on(t.source, t.externalId), index('idx_loras_task').on(t.task)]);

/** A work's LoRA reference matched to a catalogue LoRA, and how (recomputed by `ingest toploras`). */
export const loraLinks = sqliteTable('lora_links', {
  id: id(),
  loraId: integer('lora_id').notNull().references(() => loras.id, { onDelete: 'cascade' }),
  workModelId: integer('work_model_id').notNull().references(() => workModels.id, { onDelete: 'cascade' }),
  method: text('method', { enum: LORA_LINK_METHODS }).notNull(),
  matched: text('matched').notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('uk_lora_links_ref').on(t.workModelId), index('idx_lora_links_lora').on(t.loraId)]);

export const jobs = sqliteTable('jobs', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  payload: json<unknown>('payload_json').notNull(),
  status: text('status', { enum: JOB_STATUSES }).notNull().default('queued'),
  progress: real('progress').notNull().default(0),
  attempts: integer('attempts').notNull().default(0),
  maxAttempts: integer('max_attempts').notNull().default(3),
  result: json<unknown>('result_json'),
  error: text('error'),
  userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
  runAt: timestamp('run_at').notNull(),
  lockedBy: text('locked_by'),
  lockedAt: timestamp('locked_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('idx_jobs_claim').on(t.status, t.runAt), index('idx_jobs_user').on(t.userId)]);

export const crawlLedger = sqliteTable('crawl_ledger', {
  id: id(),
  source: text('source', { enum: SOURCES }).notNull(),
  stage: text('stage').notNull(),
  key: text('unit_key').notNull(),
  status: text('status', { enum: LEDGER_STATUSES }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  errorKind: text('error_kind', { enum: ERROR_KINDS }),
  errorMessage: text('error_message'),
  nextAttemptAt: timestamp('next_attempt_at'),
  runId: integer('run_id').references(() => fetchRuns.id),
  payload: json<unknown>('payload_json'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [
  uniqueIndex('uk_ledger_unit').on(t.source, t.stage, t.key),
  index('idx_ledger_due').on(t.source, t.stage, t.status, t.nextAttemptAt),
]);

/** A run's live progress (src/core/progress/run-progress.ts), rewritten every few seconds while it runs. */
export const runProgress = sqliteTable('run_progress', {
  runId: integer('run_id').primaryKey().references(() => fetchRuns.id, { onDelete: 'cascade' }),
  progress: json<unknown>('progress_json').notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

/** A user's generation job (src/server/generation/): the row is the truth, the JobQueue only carries "run it". */
export const generationJobs = sqliteTable('generation_jobs', {
  id: text('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  task: text('task').notNull(),
  /** The resolved request (seed fixed): never a token. */
  request: json<unknown>('request_json').notNull(),
  /** The one provider kind the user asked for, or null for the configured chain. */
  requestedProvider: text('requested_provider'),
  provider: text('provider'),
  status: text('status', { enum: GENERATION_STATUSES }).notNull().default('queued'),
  progress: real('progress').notNull().default(0),
  log: json<string[]>('log_json').notNull(),
  errorKind: text('error_kind'),
  errorMessage: text('error_message'),
  outputs: json<GenerationOutput[]>('outputs_json').notNull(),
  attempts: integer('attempts').notNull().default(0),
  workerId: text('worker_id'),
  heartbeatAt: timestamp('heartbeat_at'),
  startedAt: timestamp('started_at'),
  finishedAt: timestamp('finished_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index('idx_gen_jobs_user').on(t.userId, t.createdAt), index('idx_gen_jobs_status').on(t.status, t.heartbeatAt)]);

/** A user's saved generation parameters (the /generate form's presets). */
export const generationPresets = sqliteTable('generation_presets', {
  id: id(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  params: json<unknown>('params_json').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [uniqueIndex('uk_gen_presets_user_name').on(t.userId, t.name)]);
