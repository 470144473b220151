// What an output folder already holds: one JSON line per stored image (id, file, URL, content hash),
// appended as images are written, in `<output>/.civitai-index.jsonl`. It makes a second run skip what
// the first one stored and lets dedupe by URL and by content hash work across runs, whatever the path
// template. Append-only, so a crash loses at most the line being written; the file is re-read at start.
import fs from 'node:fs/promises';
import path from 'node:path';

export const INDEX_FILE = '.civitai-index.jsonl';

export interface IndexEntry {
  imageId: number;
  /** Relative to the output folder (with `/`), or absolute for a custom single-image path. */
  path: string;
  url: string;
  /** Full lowercase hex SHA-256 of the bytes as downloaded (before any EXIF was written). */
  sha256: string;
  bytes: number;
}

export class DownloadIndex {
  readonly file: string;
  readonly #root: string;
  readonly #byId = new Map<number, IndexEntry>();
  readonly #byUrl = new Map<string, Set<number>>();
  readonly #byHash = new Map<string, Set<number>>();

  private constructor(root: string) {
    this.#root = path.resolve(root);
    this.file = path.join(this.#root, INDEX_FILE);
  }

  static async open(root: string): Promise<DownloadIndex> {
    const index = new DownloadIndex(root);
    let text = '';
    try {
      text = await fs.readFile(index.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const record = JSON.parse(line) as Partial<IndexEntry> & { removed?: boolean };
        if (typeof record.imageId !== 'number') continue;
        if (record.removed) index.#forget(record.imageId);
        else if (typeof record.path === 'string' && typeof record.sha256 === 'string') index.#remember(record as IndexEntry);
      } catch {
        // A torn last line after a crash: ignore it.
      }
    }
    return index;
  }

  /** Absolute path of an entry's file. */
  absolute(entry: IndexEntry): string {
    return path.resolve(this.#root, entry.path);
  }

  /** How an absolute file is written into the index. */
  relative(file: string): string {
    const relative = path.relative(this.#root, file);
    return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
  }

  get(imageId: number): IndexEntry | undefined {
    return this.#byId.get(imageId);
  }

  /** Another image stored from this URL. */
  byUrl(url: string, except: number): IndexEntry | undefined {
    return this.#other(this.#byUrl.get(url), except);
  }

  /** Another image with this content. */
  byHash(sha256: string, except: number): IndexEntry | undefined {
    return this.#other(this.#byHash.get(sha256), except);
  }

  async add(entry: IndexEntry): Promise<void> {
    this.#remember(entry);
    await this.#append(entry);
  }

  async remove(imageId: number): Promise<void> {
    if (!this.#forget(imageId)) return;
    await this.#append({ imageId, removed: true });
  }

  #other(ids: Set<number> | undefined, except: number): IndexEntry | undefined {
    for (const id of ids ?? []) if (id !== except) return this.#byId.get(id);
    return undefined;
  }

  #remember(entry: IndexEntry): void {
    this.#forget(entry.imageId);
    this.#byId.set(entry.imageId, entry);
    for (const [map, key] of [[this.#byUrl, entry.url], [this.#byHash, entry.sha256]] as const) {
      let ids = map.get(key);
      if (!ids) map.set(key, (ids = new Set()));
      ids.add(entry.imageId);
    }
  }

  #forget(imageId: number): boolean {
    const entry = this.#byId.get(imageId);
    if (!entry) return false;
    this.#byId.delete(imageId);
    this.#byUrl.get(entry.url)?.delete(imageId);
    this.#byHash.get(entry.sha256)?.delete(imageId);
    return true;
  }

  async #append(record: object): Promise<void> {
    await fs.mkdir(this.#root, { recursive: true });
    await fs.appendFile(this.file, `${JSON.stringify(record)}\n`);
  }
}

/** Whether a file exists (and is a file). */
export async function fileExists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}
