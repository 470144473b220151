// How long the ingest CLI takes to show its help, against a bare Node start measured in the same run:
// `node ingest/cli.ts --help` ÷ `node -e ''`, alternating rounds, median of each (target ratio ≤ 5).
// Then one more run of each with the module recorder: peak RSS and how many modules and packages loaded.
//   node bench/cli-startup.ts [--rounds 11] [--args "civitai --help"]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseLoadedModules, RECORD_MODULES_PRELOAD } from '../ingest/testing/loaded-modules.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '11' }, args: { type: 'string', default: '--help' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds "${values.rounds}": expected a whole number ≥ 1`);
const cli = path.join(import.meta.dirname, '..', 'ingest', 'cli.ts');
const cliArgs = [cli, ...values.args.split(' ').filter(Boolean)];
const bareArgs = ['-e', ''];

/** Wall time of one run (spawn to exit) and what it wrote to stderr; a non-zero exit is an error. */
function run(args: string[]): Promise<{ ms: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, stderr });
      else reject(new Error(`node ${args.join(' ')} exited ${code}:\n${stderr}`));
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// Warm the file cache once, then alternate so drift in machine load hits both sides alike.
await run(bareArgs);
await run(cliArgs);
const bare: number[] = [];
const cliTimes: number[] = [];
for (let round = 0; round < rounds; round++) {
  bare.push((await run(bareArgs)).ms);
  cliTimes.push((await run(cliArgs)).ms);
}
const bareRecorded = parseLoadedModules((await run(['--import', RECORD_MODULES_PRELOAD, ...bareArgs])).stderr);
const cliRecorded = parseLoadedModules((await run(['--import', RECORD_MODULES_PRELOAD, ...cliArgs])).stderr);

const fileModules = (urls: string[]) => urls.filter((u) => u.startsWith('file:')).length;
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
console.log(`node ${path.relative(process.cwd(), cli)} ${values.args} vs. node -e '' (${rounds} alternating rounds, median; Node ${process.version})`);
console.log(`  node -e ''          ${median(bare).toFixed(0).padStart(6)} ms   peak RSS ${mib(bareRecorded.maxRssKiB)}`);
console.log(
  `  ingest ${values.args.padEnd(12)} ${median(cliTimes).toFixed(0).padStart(6)} ms   peak RSS ${mib(cliRecorded.maxRssKiB)}, ` +
    `${fileModules(cliRecorded.urls)} modules from ${cliRecorded.packages.length} package(s)${cliRecorded.packages.length ? ` (${cliRecorded.packages.join(', ')})` : ''}`,
);
const ratio = median(cliTimes) / median(bare);
console.log(`  ratio ${ratio.toFixed(2)} (target ≤ 5)${ratio <= 5 ? '' : '  ← above target'}`);
