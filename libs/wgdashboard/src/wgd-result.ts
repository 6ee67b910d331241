/**
 * What a WGDashboard endpoint answers, before it becomes the envelope's bytes: `status` is a bool
 * (an int in one upstream case), `message` null, a string, or a bool (upstream's /authenticate).
 */
export interface WgdResult {
  status: boolean | number;
  message: string | boolean | null;
  data: unknown;
}

export function wgdOk(data: unknown = null, message: string | null = null): WgdResult {
  return { status: true, message, data };
}

/** A business failure: upstream answers these with HTTP 200 and `status:false`. */
export function wgdFail(message: string, data: unknown = null): WgdResult {
  return { status: false, message, data };
}

/**
 * A failure upstream answers with another HTTP code (401, 404, 405, 400), or wgfleet's
 * failed-authentication limit (429): thrown, turned into bytes by WgdExceptionFilter.
 */
export class WgdHttpError extends Error {
  constructor(
    readonly httpStatus: 400 | 401 | 404 | 405 | 429,
    message: string,
    readonly data: unknown = null,
  ) {
    super(message);
  }
}
