// The Store: every repository the ingest, the server and the snapshot need, behind one interface.
// SQLite (embedded default) and MySQL/MariaDB (production) implement it with the same code
// (drizzle-store.ts and repositories/) and pass the same contract suite (store.contract.ts).
import type * as tables from './sqlite/schema.ts';
import type { GenerationOutput } from '../domain/generation-output.ts';
import type {
  ErrorKind, GenerationStatus, ImageStatus, JobStatus, LedgerStatus, ModelType, RunStatus, Source, WorkStatus,
} from '../domain/enums.ts';
import type { Recipe } from '../recipe/recipe.ts';
import type { StoredAvatar } from '../domain/stored-avatar.ts';

// Row types are the same in both dialects (the schemas mirror each other); the SQLite schema names them.
export type User = typeof tables.users.$inferSelect;
export type Session = typeof tables.sessions.$inferSelect;
export type Author = typeof tables.authors.$inferSelect;
export type Work = typeof tables.works.$inferSelect;
export type WorkModel = typeof tables.workModels.$inferSelect;
export type WorkImage = typeof tables.workImages.$inferSelect;
type Comment = typeof tables.comments.$inferSelect;
export type FetchRun = typeof tables.fetchRuns.$inferSelect;
export type Lora = typeof tables.loras.$inferSelect;
export type Job = typeof tables.jobs.$inferSelect;
export type LedgerEntry = typeof tables.crawlLedger.$inferSelect;
export type GenerationJob = typeof tables.generationJobs.$inferSelect;
type GenerationPreset = typeof tables.generationPresets.$inferSelect;

type Writable<T> = Omit<T, 'id' | 'createdAt' | 'updatedAt'>;
type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

export type AuthorInput = Optional<Writable<Author>, 'avatarUrl' | 'avatar' | 'profileUrl'>;
export type WorkInput = Optional<
  Writable<Work>,
  | 'title' | 'titleEn' | 'status' | 'publishedAt' | 'tags' | 'prompt' | 'negativePrompt' | 'sampler' | 'steps'
  | 'cfgScale' | 'width' | 'height' | 'seed' | 'likeCount' | 'favoriteCount' | 'commentCount' | 'sourceUrl'
  | 'authorId' | 'ownerUserId' | 'nsfwLevel'
>;
export type WorkModelInput = Optional<Omit<WorkModel, 'id' | 'workId' | 'createdAt'>, 'modelUrl' | 'externalModelId' | 'isVip' | 'baseModel' | 'downloads' | 'likes'>;
type CommentInput = Optional<
  Omit<Comment, 'id' | 'workId' | 'createdAt'>,
  'commenterName' | 'commenterAvatarUrl' | 'content' | 'commentedAt'
>;
type ImageResult = Pick<WorkImage, 'blobKey' | 'width' | 'height' | 'format' | 'contentHash' | 'sizeBytes'> &
  Partial<Pick<WorkImage, 'thumbnails'>>;
type UserInput = Optional<Writable<User>, 'email' | 'profilePic' | 'googleSub' | 'passwordHash' | 'role'>;
export type LoraInput = Optional<
  Writable<Lora>,
  | 'titleCn' | 'titleEn' | 'author' | 'avatarUrl' | 'userName' | 'coverUrl' | 'coverKey' | 'downloads' | 'likes'
  | 'license' | 'tagsCn' | 'tagsEn' | 'baseModels' | 'triggerWords' | 'visionFoundation' | 'task'
  | 'upstreamUpdatedAt' | 'pageUrl' | 'files'
>;
type RunCounters = Partial<
  Pick<
    FetchRun,
    | 'pagesFetched' | 'worksFetched' | 'detailsFetched' | 'authorsFetched' | 'imagesDownloaded'
    | 'bytesDownloaded' | 'requests' | 'retries' | 'rateLimited' | 'failures' | 'errorSummary'
  >
>;

export interface WorkListQuery {
  source?: Source;
  status?: WorkStatus;
  authorId?: number;
  ownerUserId?: number;
  /** newest: published_at desc; both orders break ties by id desc so cursors are stable. */
  order?: 'newest' | 'oldest';
  limit: number;
  /** Return works strictly after this one in the chosen order (keyset pagination). */
  after?: { publishedAt: Date | null; id: number };
}

export interface AuthorRepository {
  upsert(input: AuthorInput): Promise<Author>;
  get(id: number): Promise<Author | null>;
  findByExternalId(source: Source, externalId: string): Promise<Author | null>;
  /** The authors with these ids that exist, in no particular order. */
  getMany(ids: number[]): Promise<Author[]>;
  /** Record the avatar stored in the BlobStore (the ingest's avatar stage). */
  setAvatar(id: number, avatar: StoredAvatar): Promise<void>;
}

export interface WorkRepository {
  /** Insert or update by (source, externalId); rerunning with the same input changes nothing. */
  upsert(input: WorkInput): Promise<Work>;
  get(id: number): Promise<Work | null>;
  findByExternalId(source: Source, externalId: string): Promise<Work | null>;
  /** Which of these external ids are already stored (incremental crawl stop condition). */
  existingExternalIds(source: Source, externalIds: string[]): Promise<Set<string>>;
  list(query: WorkListQuery): Promise<Work[]>;
  /** The works with these ids that exist, in no particular order. */
  getMany(ids: number[]): Promise<Work[]>;
  /** Likes and favorites of one work in one query; null when the work does not exist. */
  reactionCounts(id: number): Promise<{ likes: number; favorites: number } | null>;
  count(filter?: { source?: Source; status?: WorkStatus }): Promise<number>;
  setStatus(id: number, status: WorkStatus): Promise<Work | null>;
  /** Remove the work with its images, model references, comments, likes and favorites (cascade); false when absent. */
  delete(id: number): Promise<boolean>;
  /**
   * draft → published, setting publishedAt to `at` unless it already has one. Atomic and idempotent:
   * `changed` is true only for the one call that made the transition. null when the work does not exist.
   */
  publish(id: number, at?: Date): Promise<{ work: Work; changed: boolean } | null>;
  /** Replace the work's checkpoint/LoRA references with this list (idempotent). */
  replaceModels(workId: number, models: WorkModelInput[]): Promise<void>;
  listModels(workId: number): Promise<WorkModel[]>;
  /**
   * The model references of several works at once (ordered by work, then reference id), each with the
   * catalogue LoRA it is linked to through lora_links, or null.
   */
  listModelsByWorks(workIds: number[]): Promise<Array<WorkModel & { loraId: number | null }>>;
  /** References of one model type across all works, with each work's source, by id (keyset pages after `afterId`). */
  listModelRefs(query: { modelType: ModelType; afterId?: number; limit: number }): Promise<Array<WorkModel & { workSource: Source }>>;
}

export interface ImageRepository {
  /** Register image `index` of a work as PENDING (keeps an existing row and its status). */
  ensure(workId: number, imageIndex: number, srcUrl: string): Promise<WorkImage>;
  markOk(id: number, result: ImageResult, downloadedAt?: Date): Promise<void>;
  /** Set (or clear) the recipe of image `index` of a work; the row must exist (see ensure). */
  setRecipe(workId: number, imageIndex: number, recipe: Recipe | null): Promise<void>;
  markFailed(id: number): Promise<void>;
  listByWork(workId: number): Promise<WorkImage[]>;
  /** Images of several works, ordered by work then index. */
  listByWorks(workIds: number[]): Promise<WorkImage[]>;
  listByStatus(status: ImageStatus, limit: number): Promise<WorkImage[]>;
  findOkByHash(contentHash: string): Promise<WorkImage | null>;
}

export interface CommentRepository {
  upsert(workId: number, input: CommentInput): Promise<void>;
  listByWork(workId: number): Promise<Comment[]>;
  /** Comments of several works, ordered by work then id. */
  listByWorks(workIds: number[]): Promise<Comment[]>;
}

export interface RunRepository {
  start(source: Source, command: string, startedAt?: Date): Promise<FetchRun>;
  /** Add to the counters (not overwrite): several stages report into one run. */
  increment(id: number, counters: RunCounters): Promise<void>;
  finish(id: number, status: Exclude<RunStatus, 'RUNNING'>, extra?: RunCounters): Promise<FetchRun>;
  get(id: number): Promise<FetchRun | null>;
  latest(source: Source, limit: number): Promise<FetchRun[]>;
  /** The run's process is alive: refresh heartbeat_at (runSource calls it every minute). */
  heartbeat(id: number, at?: Date): Promise<void>;
  /**
   * RUNNING runs whose heartbeat (or start, when they never beat) is older than `staleBefore` become ABORTED
   * with `reason` as their error summary; returns them. A live run beats every minute, so only runs whose
   * process died (killed runner, SIGKILL, power loss) match.
   */
  abortAbandoned(staleBefore: Date, reason: string): Promise<FetchRun[]>;
}

export interface RunProgressRepository {
  /** Replace the run's progress (the crawler calls this every few seconds). */
  save(runId: number, progress: unknown, at?: Date): Promise<void>;
  get(runId: number): Promise<{ progress: unknown; updatedAt: Date } | null>;
  /** The latest runs of every source, newest first, each with its progress (null when none was saved). */
  recent(limit: number): Promise<Array<{ run: FetchRun; progress: unknown; updatedAt: Date | null }>>;
}

export interface UserRepository {
  create(input: UserInput): Promise<User>;
  get(id: number): Promise<User | null>;
  findByUsername(username: string): Promise<User | null>;
  /** The users with these ids that exist, in no particular order. */
  getMany(ids: number[]): Promise<User[]>;
  /** The users holding any of these usernames (exact match), in no particular order. */
  listByUsernames(usernames: string[]): Promise<User[]>;
  findByGoogleSub(googleSub: string): Promise<User | null>;
  update(id: number, changes: Partial<UserInput>): Promise<User | null>;
}

export interface SessionRepository {
  create(session: Pick<Session, 'id' | 'userId' | 'expiresAt'>): Promise<Session>;
  /** The session and its user, or null when unknown (expiry is the caller's policy). */
  getWithUser(id: string): Promise<{ session: Session; user: User } | null>;
  setExpiry(id: string, expiresAt: Date): Promise<void>;
  delete(id: string): Promise<void>;
  deleteAllForUser(userId: number): Promise<void>;
  deleteExpired(now: Date): Promise<number>;
}

/** Likes and favorites share one shape: a unique (user, work) pair. */
export interface ReactionRepository {
  /** true when added, false when it already existed. */
  add(userId: number, workId: number): Promise<boolean>;
  /** true when removed, false when there was nothing to remove. */
  remove(userId: number, workId: number): Promise<boolean>;
  has(userId: number, workId: number): Promise<boolean>;
  count(workId: number): Promise<number>;
  /** Work ids, most recent first. */
  listWorkIdsByUser(userId: number, limit: number): Promise<number[]>;
  /** A user's reactions, most recent first, strictly after `after` in that order (keyset pagination). */
  pageByUser(userId: number, limit: number, after?: ReactionCursor): Promise<ReactionCursor[]>;
  /** Counts for several works; works without reactions are absent (read them as 0). */
  countByWorks(workIds: number[]): Promise<Map<number, number>>;
  /** Which of these works the user reacted to. */
  filterWorkIds(userId: number, workIds: number[]): Promise<Set<number>>;
  /** The works with the most reactions, most first (ties: higher id first). */
  topWorks(limit: number): Promise<Array<{ workId: number; count: number }>>;
}

export interface ReactionCursor {
  workId: number;
  createdAt: Date;
}

export interface LoraRepository {
  upsert(input: LoraInput): Promise<Lora>;
  findByExternalId(source: Source, externalId: string): Promise<Lora | null>;
  list(filter: { task?: string; limit: number }): Promise<Lora[]>;
  count(): Promise<number>;
  /**
   * Replace the links of these LoRAs with `links` (recomputed from every LoRA reference at once); a
   * reference that now links elsewhere moves.
   */
  replaceLinks(loraIds: number[], links: LoraLinkInput[]): Promise<void>;
  /** The references linked to one LoRA, with the work each belongs to. */
  listLinks(loraId: number): Promise<Array<LoraLink & { workId: number }>>;
}

type LoraLink = typeof tables.loraLinks.$inferSelect;
type LoraLinkInput = Pick<LoraLink, 'loraId' | 'workModelId' | 'method' | 'matched'>;

interface JobInput {
  id: string;
  name: string;
  payload: unknown;
  userId?: number | null;
  maxAttempts?: number;
  runAt?: Date;
}

export interface JobRepository {
  enqueue(input: JobInput): Promise<Job>;
  get(id: string): Promise<Job | null>;
  /** Atomically take the oldest due queued job (of these names) for this worker, or null. */
  claimNext(workerId: string, names: string[], now?: Date): Promise<Job | null>;
  setProgress(id: string, progress: number): Promise<void>;
  complete(id: string, result: unknown): Promise<void>;
  /** Requeue with `retryAt` while attempts remain, otherwise mark failed. */
  fail(id: string, error: string, retryAt: Date): Promise<Job | null>;
  cancel(id: string): Promise<boolean>;
  /** Put running jobs locked before `lockedBefore` (their worker died) back in the queue; returns how many. */
  requeueStale(lockedBefore: Date): Promise<number>;
  countByStatus(name?: string): Promise<Record<JobStatus, number>>;
}

interface GenerationJobInput {
  id: string;
  userId: number;
  task: string;
  request: unknown;
  requestedProvider?: string | null;
  log?: string[];
}

/** What a worker writes while it runs a job it holds (progress, its log, the provider it is using). */
interface GenerationJobProgress {
  progress?: number;
  log?: string[];
  provider?: string | null;
}

export interface GenerationJobRepository {
  create(input: GenerationJobInput): Promise<GenerationJob>;
  get(id: string): Promise<GenerationJob | null>;
  /** A user's jobs, newest first, strictly after `after` in that order (keyset pagination). */
  listByUser(userId: number, limit: number, after?: { createdAt: Date; id: string }): Promise<GenerationJob[]>;
  /** How many jobs the user created at or after `since`, and when the oldest of them was created. */
  countCreatedSince(userId: number, since: Date): Promise<{ count: number; oldest: Date | null }>;
  /** queued → running for this worker (attempts + 1, heartbeat now); null when the job is not queued (cancelled, taken, gone). */
  claim(id: string, workerId: string, at?: Date): Promise<GenerationJob | null>;
  /** Write progress and heartbeat while this worker holds the running job; false when it no longer does (cancelled). */
  heartbeat(id: string, workerId: string, changes: GenerationJobProgress, at?: Date): Promise<boolean>;
  /** running → complete or failed, for the worker that holds it; false when it no longer does. */
  finish(
    id: string,
    workerId: string,
    outcome: { status: 'complete' | 'failed'; outputs?: GenerationOutput[]; errorKind?: string | null; errorMessage?: string | null; log: string[] },
    at?: Date,
  ): Promise<boolean>;
  /** running → queued (a worker stopping, or a dead worker's job being resumed); `workerId` null matches any holder. */
  requeue(id: string, workerId: string | null, log: string[]): Promise<boolean>;
  /** running jobs whose heartbeat is older than `before` (their worker died). */
  listStale(before: Date, limit: number): Promise<GenerationJob[]>;
  /** Queued jobs, oldest first (re-enqueued at start-up: idempotent queue ids make that safe). */
  listQueued(limit: number): Promise<GenerationJob[]>;
  /** queued or running → cancelled; the row after the call, or null when the job does not exist. */
  cancel(id: string, log: string[], at?: Date): Promise<GenerationJob | null>;
  /** A stale running job → failed with this reason (no attempts left); false when it is no longer stale and running. */
  failStale(id: string, staleBefore: Date, reason: { errorKind: string; errorMessage: string; log: string[] }, at?: Date): Promise<boolean>;
  countByStatus(): Promise<Record<GenerationStatus, number>>;
}

export interface GenerationPresetRepository {
  listByUser(userId: number): Promise<GenerationPreset[]>;
  /** The user's preset with this id, or null (another user's preset is null too). */
  get(userId: number, id: number): Promise<GenerationPreset | null>;
  create(input: { userId: number; name: string; params: unknown }): Promise<GenerationPreset>;
  update(userId: number, id: number, changes: { name?: string; params?: unknown }): Promise<GenerationPreset | null>;
  delete(userId: number, id: number): Promise<boolean>;
}

export interface LedgerUnit {
  source: Source;
  stage: string;
  key: string;
  payload?: unknown;
  runId?: number | null;
}

export interface LedgerRepository {
  /** Add units as pending unless they already exist (any status); returns how many were new. */
  enqueue(units: LedgerUnit[]): Promise<number>;
  get(source: Source, stage: string, key: string): Promise<LedgerEntry | null>;
  /** Pending units, and failed ones whose next attempt is due and that have attempts left. */
  due(source: Source, stage: string, options: { now: Date; maxAttempts: number; limit: number }): Promise<LedgerEntry[]>;
  markDone(id: number): Promise<void>;
  markFailed(id: number, failure: { kind: ErrorKind; message: string; nextAttemptAt: Date | null }): Promise<LedgerEntry>;
  /** Put failed units back to pending (`retry-failed`), optionally only one stage; returns how many. */
  requeueFailed(source: Source, options?: { stage?: string; maxAttempts?: number }): Promise<number>;
  countByStatus(source: Source, stage?: string): Promise<Record<LedgerStatus, number>>;
  /** When the earliest failed unit of this stage with attempts left becomes due again, or null. */
  nextRetryAt(source: Source, stage: string, maxAttempts: number): Promise<Date | null>;
  /**
   * The units of `source` touched (created, done or failed) at or after `since`, and the ones of them that are
   * failed now with their error: what a day's failure rate is computed over (ingest/pipeline/failure-policy.ts).
   */
  touchedSince(source: Source, since: Date): Promise<{ touched: number; failed: Array<Pick<LedgerEntry, 'stage' | 'key' | 'errorKind' | 'errorMessage'>> }>;
}

export interface StoreHealth {
  dialect: 'sqlite' | 'mysql';
  ms: number;
}

export interface Store {
  readonly dialect: 'sqlite' | 'mysql';
  readonly authors: AuthorRepository;
  readonly works: WorkRepository;
  readonly images: ImageRepository;
  readonly comments: CommentRepository;
  readonly runs: RunRepository;
  readonly runProgress: RunProgressRepository;
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly likes: ReactionRepository;
  readonly favorites: ReactionRepository;
  readonly loras: LoraRepository;
  readonly jobs: JobRepository;
  readonly ledger: LedgerRepository;
  readonly generationJobs: GenerationJobRepository;
  readonly generationPresets: GenerationPresetRepository;
  /**
   * Run `fn` in one transaction: every repository call made inside it (on this store, from any depth)
   * joins the transaction; a throw rolls everything back. Nested calls join the outer transaction.
   */
  transaction<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** Throws ServiceUnavailableError when the database cannot be reached. */
  ping(): Promise<StoreHealth>;
  /** Throws UserFacingError when migrations are missing (run `npm run migrate`). */
  assertMigrated(): Promise<void>;
  close(): Promise<void>;
}

