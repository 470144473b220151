// One image to download: what it is, where it went, and how it ended. Read-only for callers; the
// ImageDownloader moves it through its states.
//
//   queued ──► downloading ──► done
//     │             ├────────► skipped   (same content already stored, policy skip)
//     │             └────────► failed
//     ├──► skipped   (file already there, same URL already stored, or not an image)
//     └──► failed    (not enough disk space for its batch, aborted)
import type { ImageNsfwLabel } from './nsfw.ts';
import type { ImageMetadata } from './metadata.ts';

export type TaskStatus = 'queued' | 'downloading' | 'done' | 'skipped' | 'failed';
const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['done', 'skipped', 'failed']);

/** Why a task was skipped. */
export type SkipReason = 'exists' | 'duplicate-url' | 'duplicate-content' | 'not-an-image';

const NEXT: Record<TaskStatus, readonly TaskStatus[]> = {
  queued: ['downloading', 'skipped', 'failed'],
  downloading: ['done', 'skipped', 'failed'],
  done: [],
  skipped: [],
  failed: [],
};

export interface ImageDownloadTaskInit {
  id: string;
  imageId: number;
  imageUrl: string;
  modelId?: number | null;
  modelName?: string | null;
  versionId?: number | null;
  creator?: string | null;
  nsfwLevel?: ImageNsfwLabel | null;
  metadata?: ImageMetadata | null;
}

/** What changes with a transition. */
export interface TaskUpdate {
  imagePath?: string | null;
  metadataPath?: string | null;
  thumbnailPath?: string | null;
  error?: string | null;
  skipReason?: SkipReason | null;
  duplicateOf?: number | null;
  bytes?: number;
  sha256?: string | null;
}

export class ImageDownloadTask {
  readonly #init: Required<ImageDownloadTaskInit>;
  #status: TaskStatus = 'queued';
  #progress = 0;
  #update: Required<TaskUpdate> = {
    imagePath: null, metadataPath: null, thumbnailPath: null, error: null, skipReason: null, duplicateOf: null, bytes: 0, sha256: null,
  };

  constructor(init: ImageDownloadTaskInit) {
    this.#init = {
      modelId: null, modelName: null, versionId: null, creator: null, nsfwLevel: null, metadata: null, ...init,
    } as Required<ImageDownloadTaskInit>;
  }

  /** Task id (unique within one ImageDownloader). */
  get id(): string { return this.#init.id; }
  get imageId(): number { return this.#init.imageId; }
  get imageUrl(): string { return this.#init.imageUrl; }
  get modelId(): number | null { return this.#init.modelId; }
  get modelName(): string | null { return this.#init.modelName; }
  get versionId(): number | null { return this.#init.versionId; }
  /** The uploader's username. */
  get creator(): string | null { return this.#init.creator; }
  get nsfwLevel(): ImageNsfwLabel | null { return this.#init.nsfwLevel; }
  /** Everything extracted from the API item (see extractImageMetadata). */
  get metadata(): ImageMetadata | null { return this.#init.metadata; }
  get status(): TaskStatus { return this.#status; }
  /** 0–1 from the bytes received (1 once done). */
  get progress(): number { return this.#progress; }
  /** The image file (for `skipped`: the file that made it unnecessary, when there is one). */
  get imagePath(): string | null { return this.#update.imagePath; }
  /** The .json/.txt file, or the image itself for EXIF. */
  get metadataPath(): string | null { return this.#update.metadataPath; }
  get thumbnailPath(): string | null { return this.#update.thumbnailPath; }
  /** Why it failed (or, for `skipped`, a readable reason). */
  get error(): string | null { return this.#update.error; }
  get skipReason(): SkipReason | null { return this.#update.skipReason; }
  /** The image id whose file made this one a duplicate. */
  get duplicateOf(): number | null { return this.#update.duplicateOf; }
  /** Bytes downloaded for this task (0 when nothing was fetched). */
  get bytes(): number { return this.#update.bytes; }
  /** SHA-256 of the content as downloaded. */
  get sha256(): string | null { return this.#update.sha256; }
  get finished(): boolean { return FINAL_STATUSES.has(this.#status); }

  /** @internal Move to `status`; throws on a transition the diagram above does not have. */
  transition(status: TaskStatus, update: TaskUpdate = {}): void {
    if (!NEXT[this.#status].includes(status)) throw new Error(`task ${this.id}: cannot go from ${this.#status} to ${status}`);
    this.#status = status;
    Object.assign(this.#update, update);
    if (status === 'done') this.#progress = 1;
  }

  /** @internal Bytes received so far and the expected total (null when unknown). */
  received(bytes: number, total: number | null): void {
    this.#update.bytes = bytes;
    if (total && total > 0) this.#progress = Math.min(1, bytes / total);
  }

  toJSON() {
    return {
      id: this.id, imageId: this.imageId, imageUrl: this.imageUrl, modelId: this.modelId, modelName: this.modelName,
      versionId: this.versionId, creator: this.creator, nsfwLevel: this.nsfwLevel, status: this.status, progress: this.progress,
      imagePath: this.imagePath, metadataPath: this.metadataPath, thumbnailPath: this.thumbnailPath, error: this.error,
      skipReason: this.skipReason, duplicateOf: this.duplicateOf, bytes: this.bytes, sha256: this.sha256,
    };
  }
}
