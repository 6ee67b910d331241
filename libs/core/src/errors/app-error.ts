import type { ErrorCode } from './error-codes.js';

export interface FieldError {
  field: string;
  message: string;
}

/** A failure the caller can act on; `message` says what to change and is shown as-is. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors?: FieldError[],
    /** Extension members of the problem body (RFC 9457 §3.2), e.g. `conflicting_port_forward_id`. */
    readonly extensions?: Readonly<Record<string, string | number | boolean | null>>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
