import pino, { type Logger } from 'pino';
import type { Config } from './env.ts';

export type { Logger };

/** pino JSON logs to stderr, human-readable (pino-pretty) on a terminal; or JSON lines to `destination`. */
export function createLogger(config: Pick<Config, 'logLevel'>, bindings: Record<string, unknown> = {}, destination?: pino.DestinationStream): Logger {
  if (destination) return pino({ level: config.logLevel, base: bindings }, destination);
  const pretty = process.stdout.isTTY === true;
  return pino({
    level: config.logLevel,
    base: bindings,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, destination: 2 } } } : {}),
  }, pretty ? undefined : pino.destination(2));
}
