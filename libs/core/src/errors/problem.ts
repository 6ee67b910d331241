import { AppError, type FieldError } from './app-error.js';
import { ERROR_STATUS, HTTP_TITLES, type ErrorCode } from './error-codes.js';

/** RFC 9457 problem details plus the `code`/`error` members the portal's clients read. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  error: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemFor(
  code: ErrorCode,
  message: string,
  fieldErrors?: FieldError[],
  extensions: Readonly<Record<string, unknown>> = {},
): Problem {
  const status = ERROR_STATUS[code];
  const problem: Problem = {
    // Extensions first: they never override the standard members below.
    ...extensions,
    type: `https://wgfleet.dev/errors/${code}`,
    title: HTTP_TITLES[status] ?? 'Error',
    status,
    code,
    error: message,
  };
  if (fieldErrors && fieldErrors.length > 0) problem.errors = fieldErrors;
  return problem;
}

export function problemFromAppError(error: AppError): Problem {
  return problemFor(error.code, error.message, error.fieldErrors, error.extensions);
}
