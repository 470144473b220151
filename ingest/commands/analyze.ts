import path from 'node:path';
import { writeAnalysis } from '../analyze/write-analysis.ts';
import type { CommandRunner } from './command.ts';

export const analyzeCommand: CommandRunner = {
  async run({ config, flags, cwd, out }) {
    const snapshotDir = typeof flags.snapshot === 'string' ? path.resolve(cwd, flags.snapshot) : config.snapshotDir;
    const outDir = typeof flags.out === 'string' ? path.resolve(cwd, flags.out) : config.ingest.reportsDir;
    const started = performance.now();
    const result = await writeAnalysis({ snapshotDir, outDir });
    out(`analyze: ${result.totalWorks} works → ${result.report}, ${result.json} and ${result.images.length} chart(s) (${Math.round(performance.now() - started)} ms)`);
    return 0;
  },
};
