/**
 * JSON lines on stdout, one object per event, level as a word so log stores can filter on it.
 * Writes are synchronous: the service logs per connection, never per message, so the cost is
 * small, and a line written just before process.exit() is never lost.
 */
import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

export function createLogger(level: LogLevel, replica: string): Logger {
  return pino(
    {
      level,
      base: { replica },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}
