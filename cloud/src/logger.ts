import type { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export interface LoggerOptions {
  level: string;
  /** `json` (one object a line), `pretty` (for people), or `auto`: pretty on a terminal, JSON otherwise. */
  format: 'auto' | 'json' | 'pretty';
  /** Where lines go: stdout (fd 1) by default. */
  destination?: Writable;
  /** Whether stdout is a terminal; asked of the process by default. */
  tty?: boolean;
}

/**
 * The platform's logger: JSON lines for machines (written in the background, a few KB at a time,
 * at most 100 ms late: a line per device connect written on its own took a tenth of the broker's
 * time when a fleet connects; what is buffered is written before the process exits), or readable
 * lines on a terminal (pino-pretty).
 * @example const logger = createLogger({ level: 'info', format: 'auto' });
 */
export function createLogger({
  level,
  format,
  destination,
  tty = process.stdout.isTTY === true,
}: LoggerOptions): Logger {
  if (format === 'pretty' || (format === 'auto' && tty))
    return pino(
      { level },
      pretty({
        colorize: tty && !destination,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
        sync: true,
        ...(destination ? { destination } : {}),
      }),
    );
  return pino(
    { level },
    destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 }),
  );
}
