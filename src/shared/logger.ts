import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * The app's logger. Production (and tests) write one JSON object a line, for log collectors; in
 * development the terminal shows readable lines instead (`pretty`).
 */
export function createLogger(level: string, opts: { pretty?: boolean } = {}): Logger {
  const options = {
    level,
    base: undefined,
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'password', '*.password'], remove: true },
  };
  if (!opts.pretty) return pino(options);
  return pino(options, pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true, sync: true }));
}
