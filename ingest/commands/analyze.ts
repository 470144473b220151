import path from 'node:path';
import type { Command } from './command.ts';

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'analyse the snapshot: PNG charts (works per day and source, top authors, checkpoint and LoRA Top-N, prompt word cloud) and a Markdown report',
  usage: 'npm run ingest -- analyze [--snapshot DIR] [--out DIR]',
  options: {
    snapshot: { type: 'string', description: 'the snapshot directory to read (default: SNAPSHOT_DIR)' },
    out: { type: 'string', description: 'where to write analysis-<date>.md and the PNGs (default: REPORTS_DIR)' },
  },
  async run({ config, flags, out }) {
    const snapshotDir = typeof flags.snapshot === 'string' ? path.resolve(flags.snapshot) : config.snapshotDir;
    const outDir = typeof flags.out === 'string' ? path.resolve(flags.out) : config.ingest.reportsDir;
    // Loaded here, not at the top: chart.js and the native canvas cost every other command a second at startup.
    const { writeAnalysis } = await import('../analyze/write-analysis.ts');
    const started = performance.now();
    const result = await writeAnalysis({ snapshotDir, outDir });
    out(`analyze: ${result.totalWorks} works → ${result.report} and ${result.images.length} chart(s) (${Math.round(performance.now() - started)} ms)`);
    return 0;
  },
};
