import { HttpException } from '@nestjs/common';
import { AppError } from './app-error.js';
import type { ErrorCode } from './error-codes.js';
import { problemFor, problemFromAppError, type Problem } from './problem.js';

const HTTP_STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
  503: 'database_unavailable',
};

/** Fastify's wording for these says what happened, not what to change. */
const STATUS_MESSAGES: Readonly<Record<number, string>> = {
  413: 'the request body is too large; the limit is BODY_LIMIT_BYTES (64 KiB by default)',
  415: 'send the request body as JSON with Content-Type: application/json',
};

/** Errors whose cause is the database being unreachable rather than a bug. */
const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001']);

export interface MappedError {
  problem: Problem;
  /** True when the error is ours to fix (a 5xx that is not a known outage): log it in full. */
  unexpected: boolean;
}

export function toProblem(error: unknown): MappedError {
  if (error instanceof AppError) return { problem: problemFromAppError(error), unexpected: false };

  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) {
    return { problem: problemFor('database_unavailable', 'the database is unavailable; retry shortly'), unexpected: false };
  }

  if (error instanceof HttpException) {
    const appCode = HTTP_STATUS_CODES[error.getStatus()];
    if (appCode) {
      const message = STATUS_MESSAGES[error.getStatus()] ?? httpExceptionMessage(error);
      return { problem: problemFor(appCode, message), unexpected: false };
    }
  }

  return { problem: problemFor('internal_error', 'an unexpected error occurred; it has been logged'), unexpected: true };
}

function httpExceptionMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return error.message;
}
