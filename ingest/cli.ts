// The command line for everything that runs outside the web server: `npm run ingest -- <command>`.
// Exit codes: 0 ok, 1 failed, 2 usage or configuration error.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../src/core/env.ts';
import { UserFacingError } from '../src/core/errors.ts';
import { createLogger } from '../src/core/log.ts';
import { UsageError, type Command } from './commands/command.ts';
import { analyzeCommand } from './commands/analyze.ts';
import { civitaiCommand } from './commands/civitai.ts';
import { doctorCommand } from './commands/doctor.ts';
import { inspectCommand } from './commands/inspect.ts';
import { snapshotCommand } from './commands/snapshot.ts';
import { liblibCommand, retryFailedCommand } from './commands/liblib.ts';
import { migrateCommand } from './commands/migrate.ts';
import { serveCommand, startCommand } from './commands/start.ts';
import { cacheCommand } from './commands/cache.ts';
import { topLorasCommand } from './commands/toploras.ts';

export const commands: Command[] = [startCommand, migrateCommand, doctorCommand, serveCommand, liblibCommand, retryFailedCommand, civitaiCommand, inspectCommand, snapshotCommand, analyzeCommand, topLorasCommand, cacheCommand];

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: npm run ingest -- <command> [options]   (or node ingest/cli.ts <command>)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `<command> --help` for its options. Configuration comes from the environment and .env (see .env.example).',
    'Exit codes: 0 ok, 1 failed, 2 usage or configuration error.',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary, '', 'Options:'];
  const entries = Object.entries(command.options);
  for (const [name, option] of entries) {
    const negatable = option.type === 'boolean' && option.default === true;
    const flag = `--${negatable ? `[no-]${name}` : name}${option.type === 'string' ? ' <value>' : ''}`;
    lines.push(`  ${flag.padEnd(24)} ${option.description}${option.default !== undefined ? ` (default: ${option.default})` : ''}`);
  }
  lines.push(`  ${'--help, -h'.padEnd(24)} show this help`);
  return lines.join('\n');
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (message: string) => process.stderr.write(`${message}\n`);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out(mainHelp());
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
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
  try {
    const config = loadConfig(env);
    const log = createLogger(config, { command: command.name });
    return await command.run({ config, log, flags: parsed.values, positionals: parsed.positionals, env, out });
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
