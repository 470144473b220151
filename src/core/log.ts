import pino, { type Logger } from 'pino';
import type { Config } from './env.ts';

export type { Logger };

/** pino JSON logs; human-readable (pino-pretty) when writing to a terminal. */
export function createLogger(config: Pick<Config, 'logLevel'>, bindings: Record<string, unknown> = {}): Logger {
  const pretty = process.stdout.isTTY === true;
  return pino({
    level: config.logLevel,
    base: bindings,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, destination: 2 } } } : {}),
  }, pretty ? undefined : pino.destination(2));
}
