import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';

/**
 * Input refused before Nest runs (the JSON body parser, the URL check) is not answered there:
 * Fastify would send it through the app's global error handler, which speaks only the portal's
 * problem+json. It is kept on the request instead, and the first guard of every route (the
 * global API-key guard, before it looks at any key) throws it with throwIfInputRefused, so each
 * route's own exception filter answers it in its API's format (the WGDashboard API's envelope,
 * the portal's problem+json). The handler never runs.
 */
const REFUSAL = Symbol('wgfleet.inputRefusal');
type RefusableRequest = FastifyRequest & { [REFUSAL]?: AppError };

/** Marks the request as refused; the first refusal wins (it is the one the client hit first). */
export function refuseInput(request: FastifyRequest, error: AppError): void {
  (request as RefusableRequest)[REFUSAL] ??= error;
}

export function inputRefusalOf(request: FastifyRequest): AppError | undefined {
  return (request as RefusableRequest)[REFUSAL];
}

export function throwIfInputRefused(request: FastifyRequest): void {
  const refusal = inputRefusalOf(request);
  if (refusal) throw refusal;
}
