// Closed vocabularies shared by both database schemas, the repositories and the domain types.

/** Where a work, author or LoRA came from. `community` works are uploaded by our own users. */
export const SOURCES = ['liblib', 'civitai', 'modelscope', 'community'] as const;
export type Source = (typeof SOURCES)[number];

export const WORK_STATUSES = ['draft', 'published'] as const;
export type WorkStatus = (typeof WORK_STATUSES)[number];

/** seed 000 work_models.model_type */
export const MODEL_TYPES = ['CHECKPOINT', 'LORA', 'OTHER'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** seed 000 work_images.status */
export const IMAGE_STATUSES = ['PENDING', 'OK', 'FAILED'] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

/** seed 000 fetch_runs.status */
/** ABORTED: a run whose process died (its heartbeat stopped); set by `ingest daily`'s first phase. */
export const RUN_STATUSES = ['RUNNING', 'SUCCESS', 'FAILED', 'ABORTED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const LEDGER_STATUSES = ['pending', 'done', 'failed'] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

/** How a unit of crawl work failed; decides whether and when it is retried. */
export const ERROR_KINDS = ['network', 'http', 'timeout', 'contract', 'media', 'internal'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** How a work's LoRA reference was matched to a catalogue LoRA (strongest evidence first). */
export const LORA_LINK_METHODS = ['id', 'hash', 'name'] as const;

/** Civitai's NSFW levels, mildest first; works from sources without a rating are `None`. */
export const NSFW_LEVELS = ['None', 'Soft', 'Mature', 'X'] as const;
export type NsfwLevel = (typeof NSFW_LEVELS)[number];
