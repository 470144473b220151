// The two renderers of one progress snapshot: bars redrawn in place on a terminal, and one line per
// interval for logs (CI, files, pipes). Pure string functions; TtyPainter only adds the cursor moves.
import { formatDuration, stageFraction, type RunProgressSnapshot, type StageProgress } from '../../src/core/progress/run-progress.ts';

const rate = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));

function failures(stage: StageProgress): string {
  if (stage.failed === 0) return '';
  const kinds = Object.entries(stage.failuresByKind).sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, n]) => `${kind} ${n}`);
  return `failed ${stage.failed} (${kinds.join(', ')})`;
}

/** `412/1000 41%`, or `412/?` before the ledger was counted. */
function counts(stage: StageProgress): string {
  const fraction = stageFraction(stage);
  return fraction === null ? `${stage.done}/?` : `${stage.done}/${stage.done + stage.pending!} ${Math.floor(fraction * 100)}%`;
}

function eta(stage: StageProgress): string {
  if (stage.finished) return 'done';
  return stage.etaMs === null ? 'ETA ?' : `ETA ${formatDuration(stage.etaMs)}`;
}

function header(p: RunProgressSnapshot): string {
  return `run ${p.runId} ${p.source} ${p.command} · ${formatDuration(p.elapsedMs)} · ${rate(p.requestRate)} req/s${p.finished ? ' · finished' : ''}`;
}

/** One line for logs: every stage's figures after the run's. */
export function renderProgressLine(p: RunProgressSnapshot): string {
  const stages = p.stages.map((s) => [`${s.name} ${counts(s)}`, `${rate(s.ratePerSec)}/s`, eta(s), failures(s)].filter(Boolean).join(' '));
  return `progress ${header(p)} | ${stages.join(' | ')}`;
}

/** A header line and one bar per stage, names aligned. */
export function renderProgressBars(p: RunProgressSnapshot, barWidth = 24): string[] {
  const nameWidth = Math.max(...p.stages.map((s) => s.name.length), 0);
  return [
    header(p),
    ...p.stages.map((s) => {
      const fraction = stageFraction(s);
      const filled = fraction === null ? 0 : Math.round(fraction * barWidth);
      const bar = fraction === null ? '░'.repeat(barWidth) : `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}`;
      return ['', s.name.padEnd(nameWidth), bar, counts(s), `${rate(s.ratePerSec)}/s`, eta(s), failures(s)].filter((part, i) => i === 0 || part).join('  ').trimEnd();
    }),
  ];
}

/** Redraws a block of lines in place: moves up over the previous block and clears it first. */
export class TtyPainter {
  readonly #write: (text: string) => void;
  #lines = 0;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  paint(lines: readonly string[]): void {
    // CSI n F: to the start of the line n lines up; CSI J: clear to the end of the screen.
    const up = this.#lines > 0 ? `\x1b[${this.#lines}F\x1b[J` : '';
    this.#write(`${up}${lines.join('\n')}\n`);
    this.#lines = lines.length;
  }
}
