import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/app-config.js';
import { REDACTED_PATHS } from './redaction.js';

export type { Logger };

/** Structured JSON logs on stdout; secrets are replaced before a line is written. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'wgfleet' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
