import path from 'node:path';
import type { CommandRunner } from './command.ts';

export const analyzeCommand: CommandRunner = {
  async run({ config, flags, cwd, out }) {
    const snapshotDir = typeof flags.snapshot === 'string' ? path.resolve(cwd, flags.snapshot) : config.snapshotDir;
    const outDir = typeof flags.out === 'string' ? path.resolve(cwd, flags.out) : config.ingest.reportsDir;
    // Loaded here, not at the top: chart.js and the native canvas cost every other command a second at startup.
    const { writeAnalysis } = await import('../analyze/write-analysis.ts');
    const started = performance.now();
    const result = await writeAnalysis({ snapshotDir, outDir });
    out(`analyze: ${result.totalWorks} works → ${result.report} and ${result.images.length} chart(s) (${Math.round(performance.now() - started)} ms)`);
    return 0;
  },
};
