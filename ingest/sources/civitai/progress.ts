// Progress bars on a terminal: one line for the whole run and one per image being downloaded, redrawn in
// place at most every `intervalMs`. The total grows as pages arrive (cursor paging has no total), so the
// overall bar is "finished of known so far". Off a TTY nothing is drawn (the CLI prints a summary).
import type { DownloadProgressListener } from './image-downloader.ts';
import type { ImageDownloadTask } from './image-download-task.ts';

export interface ProgressStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export class TtyProgress implements DownloadProgressListener {
  readonly #stream: ProgressStream;
  readonly #intervalMs: number;
  readonly #tasks = new Map<string, ImageDownloadTask>();
  #drawnLines = 0;
  #timer: NodeJS.Timeout | null = null;
  #lastDraw = 0;

  constructor(stream: ProgressStream, options: { intervalMs?: number } = {}) {
    this.#stream = stream;
    this.#intervalMs = options.intervalMs ?? 100;
  }

  onTask(task: ImageDownloadTask): void {
    this.#tasks.set(task.id, task);
    const wait = this.#lastDraw + this.#intervalMs - Date.now();
    if (task.finished || wait <= 0) this.draw();
    else this.#timer ??= setTimeout(() => this.draw(), wait);
  }

  /** The lines as they would be drawn now. */
  lines(): string[] {
    const tasks = [...this.#tasks.values()];
    const finished = tasks.filter((t) => t.finished);
    const count = (status: string) => tasks.filter((t) => t.status === status).length;
    const bytes = tasks.reduce((sum, t) => sum + t.bytes, 0);
    const width = Math.max(10, Math.min(30, (this.#stream.columns ?? 80) - 60));
    const lines = [
      `[${bar(tasks.length ? finished.length / tasks.length : 0, width)}] ${finished.length}/${tasks.length} images · ${count('done')} done · ${count('skipped')} skipped · ${count('failed')} failed · ${size(bytes)}`,
    ];
    for (const task of tasks.filter((t) => t.status === 'downloading').slice(0, 8)) {
      lines.push(`  ${String(task.imageId).padEnd(10)} [${bar(task.progress, 20)}] ${String(Math.round(task.progress * 100)).padStart(3)}% ${size(task.bytes)}`);
    }
    return lines;
  }

  draw(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#lastDraw = Date.now();
    const lines = this.lines();
    // Back to the first line drawn last time, clear to the end of the screen, draw again.
    const up = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}F` : '';
    this.#stream.write(`${up}\x1b[J${lines.join('\n')}\n`);
    this.#drawnLines = lines.length;
  }

  /** Draw the final state and stop. */
  finish(): void {
    this.draw();
  }
}
