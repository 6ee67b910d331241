/**
 * The one table from machine code to HTTP status (STYLE.md §17). Services throw AppError with
 * one of these codes; only the HTTP layer knows the numbers.
 */
export const ERROR_STATUS = {
  malformed_json: 400,
  body_too_deep: 400,
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  account_suspended: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  api_key_limit: 409,
  duplicate_name: 409,
  server_full: 409,
  server_shared: 409,
  port_in_use: 409,
  in_use: 409,
  idempotency_key_in_flight: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  body_not_object: 422,
  idempotency_key_reused: 422,
  port_reserved: 422,
  port_out_of_range: 422,
  quota_exceeded: 422,
  rate_limited: 429,
  internal_error: 500,
  database_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const HTTP_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};
