// The command line for everything that runs outside the web server: `npm run ingest -- <command>`.
// Exit codes: 0 ok, 1 failed, 2 usage or configuration error.
// Only the command table is imported up front: configuration, logging and the chosen command's module load
// when a command runs, so `--help` starts nearly as fast as Node itself (bench/cli-startup.ts).
// First: the module-format hint must be in place before any command imports the store.
import '../src/core/runtime/esm-format-hint.ts';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type CommandSpec } from './commands/command.ts';
import { COMMANDS } from './commands/command-table.ts';

/** Where main() writes and which directory relative paths in flags resolve against; the process's by default. */
interface CliIo {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: npm run ingest -- <command> [options]   (or node ingest/cli.ts <command>)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `<command> --help` for its options. Configuration comes from the environment and .env (see .env.example).',
    'Exit codes: 0 ok, 1 failed, 2 usage or configuration error.',
  ].join('\n');
}

function commandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary, '', 'Options:'];
  for (const [name, option] of Object.entries(command.options)) {
    const negatable = option.type === 'boolean' && option.default === true;
    const flag = `--${negatable ? `[no-]${name}` : name}${option.type === 'string' ? ' <value>' : ''}`;
    lines.push(`  ${flag.padEnd(24)} ${option.description}${option.default !== undefined ? ` (default: ${option.default})` : ''}`);
  }
  lines.push(`  ${'--help, -h'.padEnd(24)} show this help`);
  return lines.join('\n');
}

export async function main(argv: string[], env: Record<string, string | undefined>, io: Partial<CliIo> = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const fail = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cwd = io.cwd ?? process.cwd();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(mainHelp());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    fail(`Unknown command "${name}".\n\n${mainHelp()}`);
    return 2;
  }
  let parsed;
  try {
    const options = Object.fromEntries(
      Object.entries(command.options).map(([key, o]) => [
        key,
        { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}) },
      ]),
    ) as NonNullable<ParseArgsConfig['options']>;
    parsed = parseArgs({ args: rest, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${commandHelp(command)}`);
    return 2;
  }
  if (parsed.values.help) {
    out(commandHelp(command));
    return 0;
  }
  const [{ ConfigError, loadConfig }, { UserFacingError }, { createLogger }, { selectFfBinaries }] = await Promise.all([
    import('../src/core/env.ts'), import('../src/core/errors.ts'), import('../src/core/log.ts'), import('../src/core/media/ffmpeg-binaries.ts'),
  ]);
  try {
    const config = loadConfig(env);
    selectFfBinaries(config.video.binaries);
    // Logs go where the process's would (stderr), so a caller that captures stderr captures them too.
    const log = createLogger(config, { command: command.name }, io.err ? { write: (line: string) => fail(line.replace(/\n$/, '')) } : undefined);
    const runner = await command.load();
    return await runner.run({ config, log, flags: parsed.values, positionals: parsed.positionals, env, cwd, out });
  } catch (error) {
    if (error instanceof ConfigError) {
      fail(error.format());
      return 2;
    }
    if (error instanceof UsageError) {
      fail(`${error.message}\n\n${commandHelp(command)}`);
      return 2;
    }
    if (error instanceof UserFacingError) {
      fail(`Error: ${error.format()}`);
      return 1;
    }
    fail(`Unexpected error (a bug; please report it with this output):\n${(error as Error)?.stack ?? String(error)}`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
